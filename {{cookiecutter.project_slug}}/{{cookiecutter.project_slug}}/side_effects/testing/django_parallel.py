"""``manage.py test --parallel`` under GuardedTestRunner: guard each worker, judge in the runner.

Django runs each test case's tests in a worker process and replays what happened there, as
events, on the runner's result. :class:`GuardedParallelSuite` guards every worker (a forked
worker keeps the runner's guards, a spawned one installs its own) and sends what the guards
recorded as more events: the violations of a test, just before its outcome and its end, those
of a class's set-up, and the receivers its tests triggered. The runner's result
(``GuardedResult``) takes them as if its own guards had recorded them, so the baseline,
report-only mode, the failures, the untested receivers and the end-of-run summary are the same
as in a serial run.

The guards of a worker live in this module's globals: multiprocessing hands a worker nothing
else between its set-up and its tests.
"""

from __future__ import annotations

import unittest
from typing import Any

from django.test.runner import ParallelTestSuite, RemoteTestResult, RemoteTestRunner

from ..inspection.scope import startup_modules
from .guards import ReceiverGuards
from .traces import TracedTest, observe_for_traces

# The events a worker adds, named after the runner's result methods that take them.
VIOLATIONS = "add_side_effects_violations"
CLASS_SET_UP = "add_side_effects_class_set_up"
TRIGGERED = "add_side_effects_triggered"
TRACE = "add_side_effects_trace"

# The runner's guards (set by the runner): a forked worker inherits them, installed.
running_guards: ReceiverGuards | None = None
# The guards of this worker process, once it is set up, and the receivers it has reported.
_worker_guards: ReceiverGuards | None = None
_reported_triggered: set[str] = set()


def class_set_up(test: unittest.TestCase) -> str:
    """How a test's class set-up is named in failures and in the summary."""
    return f"{type(test).__qualname__} (class set-up)"


def init_guarded_worker(counter: Any, *args: Any, **kwargs: Any) -> None:
    """Django's set-up of a worker (its databases), then the guards of this worker."""
    global _worker_guards
    ParallelTestSuite.init_worker(counter, *args, **kwargs)
    if running_guards is not None:  # forked: already installed, and judged by the runner
        running_guards.take()
        _worker_guards = running_guards
    else:  # spawned: note the start-up modules before the tests' own are imported
        startup_modules()
        _worker_guards = ReceiverGuards()
        _worker_guards.install()


def _recorded() -> list[Any]:
    """What this worker's guards recorded since the last look."""
    return _worker_guards.take() if _worker_guards is not None else []


def _newly_triggered() -> list[str]:
    """The receivers this worker's tests triggered that it has not reported yet."""
    triggered = set(_worker_guards.stats) if _worker_guards is not None else set()
    new = sorted(triggered - _reported_triggered)
    _reported_triggered.update(new)
    return new


class GuardedRemoteResult(RemoteTestResult):
    """A worker's result: a test's violations go with it, before its outcome and its end; so
    do the receivers it triggered and, with ``--side-effects-trace``, its trace."""

    trace_tests = False
    _test_trace: TracedTest | None = None

    def startTest(self, test: unittest.TestCase) -> None:  # noqa: N802
        """Start the test's trace, when tracing."""
        super().startTest(test)
        if self.trace_tests:
            self._test_trace = TracedTest(test.id())

    def _send_violations(self) -> None:
        violations = _recorded()
        if violations:
            self.events.append((VIOLATIONS, self.test_index, violations))

    def addSuccess(self, test: unittest.TestCase) -> None:  # noqa: N802
        """Send the test's violations first: the runner may fail the test for them."""
        self._send_violations()
        super().addSuccess(test)

    def stopTest(self, test: unittest.TestCase) -> None:  # noqa: N802
        """Send what the test broke after its outcome (its tear-down, a failed test's), and the
        receivers it triggered."""
        self._send_violations()
        triggered = _newly_triggered()
        if triggered:
            self.events.append((TRIGGERED, self.test_index, triggered))
        if self._test_trace is not None:
            self.events.append((TRACE, self.test_index, self._test_trace.finish()))
            self._test_trace = None
        super().stopTest(test)


class GuardedRemoteRunner(RemoteTestRunner):
    """Runs a worker's tests with :class:`GuardedRemoteResult`."""

    resultclass = GuardedRemoteResult


class WorkerSuite(unittest.TestSuite):
    """One test case's tests, as a worker runs them: a class set-up's violations sent apart."""

    trace_tests = False

    def run(self, result: Any, debug: bool = False) -> Any:
        """Run the tests, each traced when the runner was asked to."""
        if self.trace_tests:
            observe_for_traces()
            result.trace_tests = True
        return super().run(result, debug)

    def _handleClassSetUp(self, test: unittest.TestCase, result: Any) -> None:  # noqa: N802
        """Run the class's ``setUpClass`` (``setUpTestData``) and send what it broke."""
        if getattr(result, "_previousTestClass", None) is type(test):
            super()._handleClassSetUp(test, result)  # type: ignore[misc]
            return
        earlier = _recorded()
        super()._handleClassSetUp(test, result)  # type: ignore[misc]
        violations = _recorded()
        if violations:
            result.events.append((CLASS_SET_UP, result.test_index, class_set_up(test), violations))
        if earlier:  # still the previous test's: charged with the next look, as in a serial run
            result.events.append((VIOLATIONS, result.test_index, earlier))


class GuardedParallelSuite(ParallelTestSuite):
    """Django's parallel suite, each worker guarded (see the module docstring)."""

    init_worker = init_guarded_worker
    runner_class = GuardedRemoteRunner

    def __init__(self, subsuites: list[unittest.TestSuite], *args: Any, **kwargs: Any) -> None:
        super().__init__([WorkerSuite(each) for each in subsuites], *args, **kwargs)

    def trace_each_test(self) -> None:
        """Have the workers record each test's trace and send it back."""
        for subsuite in self.subsuites:
            if isinstance(subsuite, WorkerSuite):
                subsuite.trace_tests = True
