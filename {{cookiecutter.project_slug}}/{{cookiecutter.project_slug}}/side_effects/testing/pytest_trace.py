"""``pytest --side-effects-trace``: the receivers each test fired, as the development trace's tree.

Part of the pytest plugin (:mod:`.pytest_plugin` loads it). Each test's trace is a section of
its last report (so xdist workers send it to the controller), and all of them are printed at
the end of the run, in the order the tests finished.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest

from .traces import (
    NOTHING_RAN,
    TRACE_HELP,
    TRACE_OPTION,
    TracedTest,
    observe_for_traces,
    stop_observing,
)

_SECTION = "side effects"
_RECORDING = pytest.StashKey[TracedTest]()
_RECORDED = pytest.StashKey[str]()
# The traces the run's tests reported, in the order they finished.
_traces: list[str] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--side-effects-trace``."""
    parser.getgroup("side_effects").addoption(TRACE_OPTION, action="store_true", help=TRACE_HELP)


def pytest_configure(config: pytest.Config) -> None:
    """Record what fires, for the run."""
    if config.getoption("side_effects_trace"):
        observe_for_traces()
        config.add_cleanup(stop_observing)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, object, object]:
    """Start the test's trace before its fixtures are set up."""
    if item.config.getoption("side_effects_trace"):
        item.stash[_RECORDING] = TracedTest(item.nodeid)
    return (yield)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, object, object]:
    """End the test's trace once its fixtures are torn down (on-commit bodies included)."""
    try:
        return (yield)
    finally:
        if _RECORDING in item.stash:
            item.stash[_RECORDED] = item.stash[_RECORDING].finish()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """The test's trace, as a section of its last report."""
    report = yield
    recorded = item.stash.get(_RECORDED, "")
    if call.when == "teardown" and recorded:
        report.sections.append((_SECTION, recorded))
    return report


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collect the traces (from xdist workers too) for the end of the run."""
    for name, text in report.sections:
        if name == _SECTION and report.when == "teardown":
            _traces.append(text)


@pytest.hookimpl(tryfirst=True)
def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Every test's trace, first among the kit's sections of the summary."""
    if config.getoption("side_effects_trace"):
        terminalreporter.write_sep("=", "side effects of each test")
        for text in _traces or [NOTHING_RAN]:
            terminalreporter.write_line(text)
