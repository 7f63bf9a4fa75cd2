"""``pytest --side-effects-trace``: the receivers each test fired, as the development trace's tree.

Part of the pytest plugin (:mod:`.pytest_plugin` loads it). Each test's trace is a section of
its last report (so xdist workers send it to the controller), and all of them are printed at
the end of the run, in the order the tests finished.
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import ExitStack

import pytest

from ..runtime.observers import observe
from ..tracing.recorder import TraceRecorder, recording
from ..tracing.render import render as render_trace
from ..tracing.trace import Trace

_OPTION = "--side-effects-trace"
_SECTION = "side effects"
_RECORDING = pytest.StashKey[tuple[ExitStack, Trace]]()
# The traces the run's tests reported, in the order they finished.
_traces: list[str] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--side-effects-trace``."""
    parser.getgroup("side_effects").addoption(
        _OPTION,
        action="store_true",
        help="print the receivers each test fired, as a tree (the development trace)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Record what fires, for the run."""
    if config.getoption("side_effects_trace"):
        config.add_cleanup(observe(TraceRecorder()))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, object, object]:
    """Start the test's trace before its fixtures are set up."""
    if item.config.getoption("side_effects_trace"):
        stack = ExitStack()
        item.stash[_RECORDING] = (stack, stack.enter_context(recording(item.nodeid, fresh=True)))
    return (yield)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, object, object]:
    """End the test's trace once its fixtures are torn down (on-commit bodies included)."""
    try:
        return (yield)
    finally:
        if _RECORDING in item.stash:
            item.stash[_RECORDING][0].close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """The test's trace, as a section of its last report."""
    report = yield
    if call.when == "teardown" and _RECORDING in item.stash:
        trace = item.stash[_RECORDING][1]
        if trace.nodes:
            report.sections.append((_SECTION, render_trace(trace)))
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
        for text in _traces or ["No @side_effect receiver ran."]:
            terminalreporter.write_line(text)
