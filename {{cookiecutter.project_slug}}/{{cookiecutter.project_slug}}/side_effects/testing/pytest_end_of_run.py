"""What a pytest run is judged on once every test has run: untested receivers, a stale baseline.

Part of the pytest plugin (:mod:`.pytest_plugin` loads it). A full run (``pytest`` with no path,
node id, ``-k``, ``-m`` or ``--lf``, not stopped early) fails when a registered receiver was
triggered by no test, since an untested receiver is held to nothing, and when the baseline
accepts a violation that no longer happens. Under pytest-xdist each worker reports what it
triggered and tallied to the controller, which judges the whole run. The summary lists the
run's violations, each once and counted (:meth:`.session.GuardedRun.finish`).
"""

from __future__ import annotations

import pytest

from ..runtime.registry import Registration
from .pytest_plugin import guarded_run
from .session import untested_message

_WORKER_OUTPUT_KEY = "side_effects_triggered"
_WORKER_TALLIES_KEY = "side_effects_violations"

_SUMMARY = pytest.StashKey[list[str]]()
_DESELECTED = pytest.StashKey[bool]()
_UNTESTED = pytest.StashKey[list[Registration]]()


def pytest_configure(config: pytest.Config) -> None:
    """Nothing deselected yet."""
    config.stash[_DESELECTED] = False


def pytest_deselected(items: list[pytest.Item]) -> None:
    """Note a partial run (``-k``, ``-m``, ``--lf``, ``--deselect``)."""
    if items:
        items[0].config.stash[_DESELECTED] = True


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """xdist controller: add what a finished worker's receivers were triggered by."""
    output = getattr(node, "workeroutput", {})
    config: pytest.Config = node.config  # type: ignore[attr-defined]
    run = guarded_run(config)
    run.triggered_elsewhere.update(output.get(_WORKER_OUTPUT_KEY, []))
    run.merge(output.get(_WORKER_TALLIES_KEY, []))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail a full run in which a registered receiver was triggered by no test, or in which
    the baseline accepts a violation that no longer happens."""
    config = session.config
    run = guarded_run(config)
    worker_output = getattr(config, "workeroutput", None)
    if worker_output is not None:  # an xdist worker: the controller judges the whole run
        worker_output[_WORKER_OUTPUT_KEY] = sorted(run.guards.stats)
        worker_output[_WORKER_TALLIES_KEY] = [each.as_data() for each in run.tallies.values()]
        return
    full_run = _is_full_run(session)
    if full_run:
        untested = run.failing_untested(run.untested())
        if untested:
            config.stash[_UNTESTED] = untested
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
    config.stash[_SUMMARY], stale = run.finish(full_run=full_run)
    if stale:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _is_full_run(session: pytest.Session) -> bool:
    """Whether every test of the project ran: no selection, nothing stopped it early."""
    config = session.config
    option = config.option
    selected = (
        config.args_source == pytest.Config.ArgsSource.ARGS
        or config.stash[_DESELECTED]
        or option.keyword
        or option.markexpr
        or option.deselect
        or config.getoption("lf", False)
        or config.getoption("stepwise", False)
        or option.collectonly
    )
    stopped = session.shouldstop or session.shouldfail or session.testscollected == 0
    return not selected and not stopped


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """The receiver rules broken in the run, then the receivers no test triggered."""
    if config.stash.get(_SUMMARY, None):
        terminalreporter.write_sep("=", "receiver rules")
        for line in config.stash[_SUMMARY]:
            terminalreporter.write_line(line)
    if _UNTESTED in config.stash:
        terminalreporter.write_sep("=", "untested receivers", red=True)
        terminalreporter.write_line(untested_message(config.stash[_UNTESTED]))
