"""Pytest plugin: hold every ``@side_effect`` receiver to its query budget during the tests.

The project's ``conftest.py`` enables it:
``pytest_plugins = ["<project>.side_effects.pytest_plugin"]``. Every receiver call is timed and
its database queries are counted (for an ``on_commit`` receiver, the deferred body when it
runs). A call that runs more queries than its ``max_queries`` fails the test, or the fixture,
that triggered it, naming the receiver, the count, the budget and the fix.
``pytest --receiver-durations=N`` prints the N slowest receivers at the end of the run (``0``
for all), like ``--durations``.

Queries are counted on the database connections of the thread that calls the receiver: for an
``async def`` receiver, ORM calls that ``sync_to_async`` runs in another thread are timed but not
counted.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Generator, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import pytest
from django.db import connections

from .decorator import observe_calls
from .registry import Registration

# Queries shown in a budget failure; a receiver far over budget lists only the first ones.
_QUERIES_SHOWN = 10


@dataclass
class ReceiverStats:
    """What the tests cost one receiver, over all its calls."""

    calls: int = 0
    seconds: float = 0.0
    slowest: float = 0.0
    most_queries: int = 0


class BudgetObserver:
    """Installed around every receiver call: times it, counts its queries, records overruns."""

    def __init__(self) -> None:
        self.stats: defaultdict[str, ReceiverStats] = defaultdict(ReceiverStats)
        self.violations: list[str] = []

    @contextmanager
    def __call__(self, registration: Registration) -> Iterator[None]:
        """Measure one call of ``registration``'s receiver."""
        queries: list[str] = []

        def count(execute: Callable, sql: str, params: object, many: bool, context: dict) -> object:
            queries.append(sql)
            return execute(sql, params, many, context)

        started = time.perf_counter()
        try:
            with ExitStack() as stack:
                for alias in connections:
                    stack.enter_context(connections[alias].execute_wrapper(count))
                yield
        finally:
            self.record(registration, time.perf_counter() - started, queries)

    def record(self, registration: Registration, seconds: float, queries: list[str]) -> None:
        """Add one call to the receiver's statistics; remember it if it overran its budget."""
        stats = self.stats[registration.path]
        stats.calls += 1
        stats.seconds += seconds
        stats.slowest = max(stats.slowest, seconds)
        stats.most_queries = max(stats.most_queries, len(queries))
        if len(queries) > registration.max_queries:
            self.violations.append(_overrun(registration, queries))

    def report(self) -> str:
        """The recorded overruns, as one message; forgets them."""
        message = "\n\n".join(self.violations)
        self.violations.clear()
        return message


def _overrun(registration: Registration, queries: list[str]) -> str:
    """The failure message for one receiver call over its budget."""
    listed = [f"    {number}. {sql}" for number, sql in enumerate(queries[:_QUERIES_SHOWN], 1)]
    return "\n".join(
        [
            f"Receiver {registration.path} ran {_count(len(queries), 'database query')}; its "
            f"budget is max_queries={registration.max_queries}.",
            *listed,
            "Receivers must stay lightweight: move the work into a task (<app>/tasks.py) that "
            "the receiver enqueues on commit, or, if the cost is deliberate, raise max_queries "
            "in its @side_effect(...).",
        ]
    )


def _count(number: int, noun: str) -> str:
    """``1 query``, ``2 queries``, ``3 calls``."""
    if number == 1:
        return f"{number} {noun}"
    return f"{number} {noun[:-1]}ies" if noun.endswith("y") else f"{number} {noun}s"


_OBSERVER = pytest.StashKey[BudgetObserver]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--receiver-durations=N``."""
    parser.getgroup("side_effects", "receiver budgets").addoption(
        "--receiver-durations",
        type=int,
        default=None,
        metavar="N",
        help="show the N slowest @side_effect receivers (N=0 for all)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Start observing every receiver call."""
    observer = BudgetObserver()
    config.stash[_OBSERVER] = observer
    observe_calls(observer)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop observing."""
    observe_calls(None)


def _held_to_budgets(item: pytest.Item, when: str) -> Generator[None, object, object]:
    """Fail a test phase in which a receiver overran its budget."""
    observer = item.config.stash[_OBSERVER]
    observer.violations.clear()
    try:
        result = yield
    except BaseException:
        # The phase failed anyway: show the overruns beside its own error.
        if observer.violations:
            item.add_report_section(when, "receiver budgets", observer.report())
        raise
    if observer.violations:
        pytest.fail(observer.report(), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, object, object]:
    """Receivers triggered by fixtures."""
    return (yield from _held_to_budgets(item, "setup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Receivers triggered by the test itself."""
    return (yield from _held_to_budgets(item, "call"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, object, object]:
    """Receivers triggered while fixtures are torn down (on-commit bodies, for instance)."""
    return (yield from _held_to_budgets(item, "teardown"))


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """With ``--receiver-durations=N``, list the N slowest receivers by total time."""
    count = config.getoption("receiver_durations")
    if count is None:
        return
    ranked = sorted(
        config.stash[_OBSERVER].stats.items(), key=lambda item: (-item[1].seconds, item[0])
    )
    shown = ranked[:count] if count else ranked
    terminalreporter.write_sep("=", f"slowest {count} receivers" if count else "slowest receivers")
    if not shown:
        terminalreporter.write_line("No @side_effect receiver ran.")
    for path, stats in shown:
        terminalreporter.write_line(
            f"{stats.seconds:.4f}s total  {_count(stats.calls, 'call')}  slowest "
            f"{stats.slowest:.4f}s  up to {_count(stats.most_queries, 'query')}  {path}"
        )
