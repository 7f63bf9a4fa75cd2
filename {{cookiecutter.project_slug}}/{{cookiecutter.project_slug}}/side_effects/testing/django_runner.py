"""Django's test runner with the receiver guards, for projects that run ``manage.py test``.

Enable it in the settings (or per run with ``--testrunner``)::

    TEST_RUNNER = "<project>.side_effects.testing.django_runner.GuardedTestRunner"

It holds every ``@side_effect`` receiver to the rules the pytest plugin does, with the same
messages (:mod:`.session` is what both share): a test during which a receiver broke a rule
fails, a violation in a class's ``setUpClass``/``setUpTestData`` fails the class
(``TestX (class set-up)``), and the end of the run lists each distinct violation once, counted.
``SIDE_EFFECTS_REPORT_ONLY`` and ``SIDE_EFFECTS_BASELINE`` apply; a full run (no test label,
``-k``, ``--tag`` or ``--exclude-tag``, some test found, not stopped early) fails on a
registered receiver no test triggered and on the baseline's stale entries, and ``manage.py test
--side-effects-baseline-update`` rewrites them. With ``--parallel``, each worker process is
guarded and sends what it recorded back to the runner, which judges it as in a serial run
(:mod:`.django_parallel`). ``manage.py test --side-effects-trace`` prints the receivers each test
fired (:mod:`.traces`).
"""

from __future__ import annotations

import sys
import unittest
from argparse import ArgumentParser
from types import TracebackType
from typing import Any, cast

from django.test.runner import DiscoverRunner

from ..inspection.scope import startup_modules
from . import django_parallel
from .guards.violations import Violation
from .session import UPDATE_HELP, UPDATE_OPTION, GuardedRun, untested_message
from .traces import (
    NOTHING_RAN,
    TRACE_HEADING,
    TRACE_HELP,
    TRACE_OPTION,
    TracedTest,
    observe_for_traces,
    stop_observing,
)

DATABASES_SET_UP = "the test databases' set-up (migrate)"
# What a test that broke a rule fails with; unittest leaves this module's frames out of it.
ErrorInfo = tuple[type[BaseException], BaseException, TracebackType]
__unittest = True


class GuardedTestRunner(DiscoverRunner):
    """``DiscoverRunner`` that installs the receiver guards for the run and fails on violations."""

    parallel_test_suite = django_parallel.GuardedParallelSuite

    def __init__(
        self,
        *args: Any,
        side_effects_baseline_update: bool = False,
        side_effects_trace: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        startup_modules()  # before the test modules are imported: they are not start-up modules
        self.guarded = GuardedRun(update_baseline=side_effects_baseline_update)
        self.full_run = False
        self.set_up_failure = ""
        self.trace = side_effects_trace
        self.traces: list[str] = []  # of the tests this process ran, and its workers
        self.in_workers = False

    @classmethod
    def add_arguments(cls, parser: ArgumentParser) -> None:
        """Django's options, ``--side-effects-baseline-update`` and ``--side-effects-trace``."""
        super().add_arguments(parser)
        parser.add_argument(UPDATE_OPTION, action="store_true", help=UPDATE_HELP)
        parser.add_argument(TRACE_OPTION, action="store_true", help=TRACE_HELP)

    def setup_test_environment(self, **kwargs: Any) -> None:
        """Install the guards: the test database's set-up (``migrate``) is guarded too."""
        super().setup_test_environment(**kwargs)
        self.guarded.install()
        django_parallel.running_guards = self.guarded.guards
        if self.trace:
            observe_for_traces()

    def teardown_test_environment(self, **kwargs: Any) -> None:
        """Stop guarding (and tracing)."""
        self.guarded.uninstall()
        django_parallel.running_guards = None
        stop_observing()
        super().teardown_test_environment(**kwargs)

    def build_suite(self, test_labels: Any = None, **kwargs: Any) -> unittest.TestSuite:
        """The suite, in a :class:`GuardedSuite`; whether it is every test of the project."""
        self.full_run = not test_labels and not (
            self.test_name_patterns or self.tags or self.exclude_tags
        )
        suite = super().build_suite(test_labels, **kwargs)
        if isinstance(suite, django_parallel.GuardedParallelSuite):  # its workers do the rest
            self.in_workers = True
            if self.trace:
                suite.trace_each_test()
            return suite
        return GuardedSuite(self.guarded, suite)

    def run_suite(self, suite: unittest.TestSuite, **kwargs: Any) -> unittest.TextTestResult:
        """Judge the test databases' set-up (``migrate``'s receivers), then run the tests."""
        self.set_up_failure = self.guarded.failure(DATABASES_SET_UP, label=DATABASES_SET_UP)
        return super().run_suite(suite, **kwargs)

    def get_resultclass(self) -> type[unittest.TextTestResult]:
        """Django's result class, failing a test during which a receiver broke a rule."""
        base = super().get_resultclass() or unittest.TextTestResult
        attributes = {
            "guarded": self.guarded,
            "trace_here": self.trace and not self.in_workers,
            "traces": self.traces,
        }
        return type(f"Guarded{base.__name__}", (GuardedResult, base), attributes)

    def suite_result(self, suite: unittest.TestSuite, result: Any, **kwargs: Any) -> int:
        """The failures, plus one for each of: the databases' set-up broke a rule, a full run
        left receivers untested, the baseline has stale entries; the guards' summary."""
        failures = super().suite_result(suite, result, **kwargs)
        full_run = self.full_run and result.testsRun > 0 and not result.shouldStop
        untested = self.guarded.failing_untested(self.guarded.untested()) if full_run else []
        lines, stale = self.guarded.finish(full_run=full_run)
        if self.set_up_failure:
            lines = [self.set_up_failure, *lines]
        if untested:
            lines += ["", untested_message(untested)]
        if self.trace:
            shown = self.traces or [NOTHING_RAN]
            sys.stderr.write("\n".join(["", TRACE_HEADING, "-" * 70, *shown, ""]))
        if lines:
            sys.stderr.write("\n".join(["", "Receiver rules", "-" * 70, *lines, ""]))
        return failures + int(bool(self.set_up_failure)) + int(bool(untested)) + int(stale)


class GuardedSuite(unittest.TestSuite):
    """A suite that charges what a class's set-up broke to the class."""

    def __init__(self, guarded: GuardedRun, tests: unittest.TestSuite) -> None:
        super().__init__(tests)
        self.guarded = guarded

    def _handleClassSetUp(self, test: unittest.TestCase, result: unittest.TestResult) -> None:  # noqa: N802
        """Run the class's ``setUpClass`` (``setUpTestData``) and judge it, once per class."""
        if getattr(result, "_previousTestClass", None) is type(test):
            super()._handleClassSetUp(test, result)  # type: ignore[misc]
            return
        earlier = self.guarded.guards.take()
        super()._handleClassSetUp(test, result)  # type: ignore[misc]
        _judge_class_set_up(self.guarded, django_parallel.class_set_up(test), result)
        self.guarded.guards.violations.extend(earlier)


class GuardedResult(unittest.TextTestResult):
    """Fails a test that passed when a receiver broke a rule during it (set-up, tear-down too)."""

    guarded: GuardedRun
    # Whether this process records each test's trace (not when --parallel's workers do).
    trace_here: bool
    traces: list[str]
    _test_trace: TracedTest | None = None

    def startTest(self, test: unittest.TestCase) -> None:  # noqa: N802
        """Start the test's trace, with ``--side-effects-trace``."""
        super().startTest(test)
        if self.trace_here:
            self._test_trace = TracedTest(test.id())

    def addSuccess(self, test: unittest.TestCase) -> None:  # noqa: N802
        """A failure instead when a receiver broke a rule: who, what it did and the fix."""
        failure = self.guarded.failure(test.id())
        if failure:
            self.addFailure(test, _failed(failure))
        else:
            super().addSuccess(test)

    def stopTest(self, test: unittest.TestCase) -> None:  # noqa: N802
        """Tally what a test that failed anyway broke (the summary shows it)."""
        self.guarded.take(test.id())
        if self._test_trace is not None:
            self.add_side_effects_trace(test, self._test_trace.finish())
            self._test_trace = None
        super().stopTest(test)

    def add_side_effects_trace(self, test: object, trace: str) -> None:
        """A test's trace (from a ``--parallel`` worker too), for the end of the run."""
        if trace:
            self.traces.append(trace)

    def add_side_effects_violations(self, test: object, violations: list[Violation]) -> None:
        """What a ``--parallel`` worker recorded: judged here, as if recorded in this process."""
        self.guarded.guards.violations.extend(violations)

    def add_side_effects_triggered(self, test: object, receivers: list[str]) -> None:
        """The receivers that tests in a ``--parallel`` worker triggered."""
        self.guarded.triggered_elsewhere.update(receivers)

    def add_side_effects_class_set_up(
        self, test: object, where: str, violations: list[Violation]
    ) -> None:
        """What a class's set-up broke in a ``--parallel`` worker: it fails the class."""
        self.guarded.guards.violations.extend(violations)
        _judge_class_set_up(self.guarded, where, self)


class ClassSetUp:
    """Stands for a test class in the results, as unittest's own set-up errors do."""

    failureException = AssertionError

    def __init__(self, description: str) -> None:
        self.description = description

    def id(self) -> str:
        """The class, ``TestX (class set-up)``."""
        return self.description

    def shortDescription(self) -> None:  # noqa: N802
        """No docstring to show."""

    def __str__(self) -> str:
        """The class, ``TestX (class set-up)``."""
        return self.description


def _judge_class_set_up(guarded: GuardedRun, where: str, result: unittest.TestResult) -> None:
    """Fail the class ``where`` names when its set-up broke a rule (with what it broke)."""
    failure = guarded.failure(where, label=where)
    if failure:
        result.addFailure(ClassSetUp(where), _failed(failure))  # type: ignore[arg-type]


def _failed(message: str) -> ErrorInfo:
    """The failure a result records for ``message`` (unittest prints no frame of this module)."""
    try:
        raise AssertionError(message)
    except AssertionError:
        return cast(ErrorInfo, sys.exc_info())
