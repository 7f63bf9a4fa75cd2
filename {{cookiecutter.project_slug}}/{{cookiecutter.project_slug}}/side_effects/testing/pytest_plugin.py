"""Pytest plugin: hold every ``@side_effect`` receiver to its rules while the tests run.

The project's ``conftest.py`` enables it:
``pytest_plugins = ["<project>.side_effects.testing.pytest_plugin"]``. It installs the runtime
guards (:mod:`.guards`) for the session and fails the test, or the fixture, during which a
receiver broke a rule, naming the receiver, what it did and the fix.

A full run (``pytest`` with no path, node id, ``-k``, ``-m`` or ``--lf``, not stopped early)
also fails when a registered receiver was triggered by no test: an untested receiver is held to
nothing. Under pytest-xdist the workers report what they triggered to the controller, which
judges the whole run. ``pytest --receiver-durations=N`` prints the N slowest receivers at the end
of the run (``0`` for all), like ``--durations``; ``pytest --side-effects-trace`` prints the
receivers each test fired, as the development trace's tree. The ``spans`` fixture records the
OpenTelemetry spans a test makes (with the SDK's in-memory exporter).

What it shares with Django's test runner (:mod:`.django_runner`) is in :mod:`.session`: the
baseline, report-only mode, the end-of-run summary of the violations (each once, counted) and
``pytest --side-effects-baseline-update``. A violation in a class's set-up
(``setUpTestData``, ``setUpClass``, a class-scoped fixture) is charged to the class.
"""

from __future__ import annotations

import itertools
import os
import shlex
from collections.abc import Generator, Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING

import pytest

from ..inspection.scope import startup_modules
from ..runtime.conf import setting
from ..runtime.naming import count
from ..runtime.observers import observe
from ..runtime.registry import Registration, registrations
from ..runtime.telemetry import ReceiverSpans
from ..tracing.recorder import Trace, TraceRecorder, recording
from ..tracing.render import render as render_trace
from . import advice
from .guards import ReceiverGuards
from .guards.violations import Violation, render, render_all
from .session import UPDATE_HELP, UPDATE_OPTION, GuardedRun

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

_WORKER_OUTPUT_KEY = "side_effects_triggered"
_WORKER_TALLIES_KEY = "side_effects_violations"

_RUN = pytest.StashKey[GuardedRun]()
_SUMMARY = pytest.StashKey[list[str]]()
_TRIGGERED_ON_WORKERS = pytest.StashKey[set[str]]()
_DESELECTED = pytest.StashKey[bool]()
_UNTESTED = pytest.StashKey[list[Registration]]()
_TRACE_SECTION = "side effects"
_RECORDING = pytest.StashKey[tuple[ExitStack, Trace]]()
# The traces the run's tests reported (--side-effects-trace), in the order they finished.
_traces: list[str] = []


def guards_of(config: pytest.Config) -> ReceiverGuards:
    """The guards this run installed (the kit's own tests read what they recorded)."""
    if _RUN not in config.stash:
        pytest.fail(guards_off_reason(config), pytrace=False)
    return config.stash[_RUN].guards


def guards_off_reason(config: pytest.Config) -> str:
    """Why the receiver guards are off or cannot judge a whole run; ``""`` when they are on."""
    if _RUN not in config.stash or config.pluginmanager.is_blocked(__name__):
        why = f"the plugin {__name__} is not active: -p no:{__name__}"
    else:
        options = [*config.getini("addopts"), *shlex.split(os.environ.get("PYTEST_ADDOPTS", ""))]
        dropped = _dropping_options(options)
        if not dropped:
            return ""
        why = f"addopts {' '.join(dropped)} leaves tests out of every run"
    return advice.GUARDS_OFF.format(why=why, plugin=__name__)


def _dropping_options(options: list[str]) -> list[str]:
    """The options among ``options`` that leave tests out (``-k``, ``-m``, ``--ignore`` ...)."""
    return [
        option if "=" in option else f"{option} {value}"
        for option, value in itertools.pairwise([*options, ""])
        if option.partition("=")[0] in _SELECTING
    ]


# Options that, in addopts, make every run a partial one.
_SELECTING = frozenset({"-k", "-m", "--ignore", "--ignore-glob", "--deselect"})


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """The OpenTelemetry spans finished during the test: ``spans.get_finished_spans()``.

    The first use configures the SDK's tracer provider for the rest of the run (a process has
    one); each test starts with no spans.
    """
    yield _span_exporter()
    _span_exporter().clear()


def _span_exporter() -> InMemorySpanExporter:
    """The in-memory exporter of the run's tracer provider, configured on first use."""
    global _exporter
    if _exporter is None:
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        _exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(_exporter))
        trace.set_tracer_provider(provider)
        if setting("SIDE_EFFECTS_OPENTELEMETRY"):
            observe(ReceiverSpans())
    _exporter.clear()
    return _exporter


_exporter: InMemorySpanExporter | None = None


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--receiver-durations=N``, ``--side-effects-trace``, ``--side-effects-baseline-update``."""
    parser.getgroup("side_effects", "receiver budgets").addoption(
        "--receiver-durations",
        type=int,
        default=None,
        metavar="N",
        help="show the N slowest @side_effect receivers (N=0 for all)",
    )
    parser.getgroup("side_effects").addoption(
        "--side-effects-trace",
        action="store_true",
        help="print the receivers each test fired, as a tree (the development trace)",
    )
    parser.getgroup("side_effects").addoption(UPDATE_OPTION, action="store_true", help=UPDATE_HELP)


def pytest_configure(config: pytest.Config) -> None:
    """Prepare the guards and what the run records."""
    startup_modules()  # before collection: test modules are not start-up modules
    update_baseline = config.getoption("side_effects_baseline_update")
    config.stash[_RUN] = GuardedRun(update_baseline=update_baseline)
    config.stash[_TRIGGERED_ON_WORKERS] = set()
    config.stash[_DESELECTED] = False
    if config.getoption("side_effects_trace"):
        config.add_cleanup(observe(TraceRecorder()))


def pytest_sessionstart(session: pytest.Session) -> None:
    """Start guarding every receiver call: Django is set up by now, before any test runs."""
    session.config.stash[_RUN].install()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop guarding."""
    config.stash[_RUN].uninstall()


def _held_to_budgets(item: pytest.Item, when: str) -> Generator[None, object, object]:
    """Fail a test phase in which a receiver broke a rule (unless the baseline accepts it)."""
    run = item.config.stash[_RUN]
    run.guards.take()  # what ran between two phases belongs to neither
    try:
        result = yield
    except BaseException:
        # The phase failed anyway: show the violations beside its own error.
        failing = run.take(item.nodeid)
        if failing:
            item.add_report_section(when, "receiver rules", render_all(failing))
        raise
    failure = run.failure(item.nodeid)
    if failure:
        pytest.fail(failure, pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(
    fixturedef: pytest.FixtureDef[object], request: pytest.FixtureRequest
) -> Generator[None, object, object]:
    """Charge a class's set-up (``setUpTestData``, a class-scoped fixture) to the class.

    pytest sets it up in the first test's set-up, which is not what broke the rule.
    """
    if fixturedef.scope == "function":
        return (yield)
    run = request.config.stash[_RUN]
    earlier = run.guards.take()
    where = _set_up_of(fixturedef, request)
    try:
        result = yield
    finally:
        failure = run.failure(where, label=where)
        run.guards.violations.extend(earlier)
    if failure:
        pytest.fail(failure, pytrace=False)
    return result


def _set_up_of(fixturedef: pytest.FixtureDef[object], request: pytest.FixtureRequest) -> str:
    """``TestX (class set-up)``, else ``<fixture> (<scope> set-up)``."""
    if fixturedef.scope == "class" and request.cls is not None:
        return f"{request.cls.__qualname__} (class set-up)"
    return f"{fixturedef.argname} ({fixturedef.scope} set-up)"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, object, object]:
    """Receivers triggered by fixtures."""
    if item.config.getoption("side_effects_trace"):
        stack = ExitStack()
        item.stash[_RECORDING] = (stack, stack.enter_context(recording(item.nodeid, fresh=True)))
    return (yield from _held_to_budgets(item, "setup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Receivers triggered by the test itself."""
    return (yield from _held_to_budgets(item, "call"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, object, object]:
    """Receivers triggered while fixtures are torn down (on-commit bodies, for instance)."""
    try:
        return (yield from _held_to_budgets(item, "teardown"))
    finally:
        if _RECORDING in item.stash:
            item.stash[_RECORDING][0].close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """With ``--side-effects-trace``: the test's trace, as a section of its last report."""
    report = yield
    if call.when == "teardown" and _RECORDING in item.stash:
        trace = item.stash[_RECORDING][1]
        if trace.nodes:
            report.sections.append((_TRACE_SECTION, render_trace(trace)))
    return report


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collect the traces (from xdist workers too) for the end of the run."""
    for name, text in report.sections:
        if name == _TRACE_SECTION and report.when == "teardown":
            _traces.append(text)


def pytest_deselected(items: list[pytest.Item]) -> None:
    """Note a partial run (``-k``, ``-m``, ``--lf``, ``--deselect``)."""
    if items:
        items[0].config.stash[_DESELECTED] = True


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """xdist controller: add what a finished worker's receivers were triggered by."""
    output = getattr(node, "workeroutput", {})
    config: pytest.Config = node.config  # type: ignore[attr-defined]
    config.stash[_TRIGGERED_ON_WORKERS].update(output.get(_WORKER_OUTPUT_KEY, []))
    config.stash[_RUN].merge(output.get(_WORKER_TALLIES_KEY, []))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail a full run in which a registered receiver was triggered by no test, or in which
    the baseline accepts a violation that no longer happens."""
    config = session.config
    run = config.stash[_RUN]
    triggered = {*run.guards.stats, *config.stash[_TRIGGERED_ON_WORKERS]}
    worker_output = getattr(config, "workeroutput", None)
    if worker_output is not None:  # an xdist worker: the controller judges the whole run
        worker_output[_WORKER_OUTPUT_KEY] = sorted(triggered)
        worker_output[_WORKER_TALLIES_KEY] = [each.as_data() for each in run.tallies.values()]
        return
    full_run = _is_full_run(session)
    if full_run:
        untested = run.failing_untested(
            [each for each in registrations() if each.path not in triggered]
        )
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


def _untested_message(untested: list[Registration]) -> str:
    """The failure for receivers no test triggered."""
    one = len(untested) == 1
    violation = Violation(
        count(len(untested), "registered receiver"),
        f"{'was' if one else 'were'} triggered by no test in this full run, so no budget or "
        f"guard ever checked {'it' if one else 'them'}:",
        advice.UNTESTED,
        tuple(each.path + (" (on_commit=True)" if each.on_commit else "") for each in untested),
    )
    return render(violation)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """The receiver rules broken; the untested receivers; with ``--receiver-durations=N``, the N
    slowest ones."""
    if config.getoption("side_effects_trace"):
        terminalreporter.write_sep("=", "side effects of each test")
        for text in _traces or ["No @side_effect receiver ran."]:
            terminalreporter.write_line(text)
    if config.stash.get(_SUMMARY, None):
        terminalreporter.write_sep("=", "receiver rules")
        for line in config.stash[_SUMMARY]:
            terminalreporter.write_line(line)
    if _UNTESTED in config.stash:
        terminalreporter.write_sep("=", "untested receivers", red=True)
        terminalreporter.write_line(_untested_message(config.stash[_UNTESTED]))
    limit = config.getoption("receiver_durations")
    if limit is None:
        return
    ranked = sorted(
        config.stash[_RUN].guards.stats.items(), key=lambda item: (-item[1].seconds, item[0])
    )
    shown = ranked[:limit] if limit else ranked
    terminalreporter.write_sep("=", f"slowest {limit} receivers" if limit else "slowest receivers")
    if not shown:
        terminalreporter.write_line("No @side_effect receiver ran.")
    for path, stats in shown:
        terminalreporter.write_line(
            f"{stats.seconds:.4f}s total  {count(stats.calls, 'call')}  slowest "
            f"{stats.slowest:.4f}s  up to {count(stats.most_queries, 'query')}  {path}"
        )
