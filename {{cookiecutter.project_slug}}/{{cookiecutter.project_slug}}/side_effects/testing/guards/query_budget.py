"""A receiver runs at most ``max_queries`` database queries (savepoints are not counted).

Statements are counted where Django runs them (its execute wrappers) and where a raw DB-API
cursor runs them past Django (``connection.connection.cursor()``): SQLite's trace callback and
psycopg's ``Cursor.execute`` see those, outside Django's own execution. Django's own statements
past its wrappers are not the receiver's: on SQLite, the ``SELECT QUOTE(?)`` with which a
logged query (``CaptureQueriesContext``, ``assertNumQueries``) has its parameters quoted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from importlib import import_module
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from ...runtime.naming import count
from .. import advice
from .calls import Call, current_call
from .rule import Guard, Patcher
from .violations import Violation

# Queries listed in a failure; a receiver far over budget shows only the first ones.
QUERIES_SHOWN = 10


class QueryBudget(Guard):
    """Counts the statements each receiver call runs, in any thread, against its budget."""

    def install(self, patcher: Patcher) -> None:
        """Count every connection's statements for the receiver call under way, raw ones too."""
        patcher.wrap_statements(_count_query)
        for connection in connections.all(initialized_only=True):
            _trace_raw_statements(connection)
        patcher.patch(BaseDatabaseWrapper, "connect", _tracing_new_connections)
        # The backend's base module imports its operations (importing those first is circular).
        sqlite = import_module("django.db.backends.sqlite3.base")
        patcher.patch(sqlite.DatabaseOperations, "last_executed_query", _as_djangos_own)
        try:
            # Imported by name: psycopg is installed only where PostgreSQL is used.
            psycopg_cursor = import_module("psycopg").Cursor
        except ImportError:
            return
        for name in ("execute", "executemany"):
            patcher.patch(psycopg_cursor, name, _counting_raw_execute)

    def after_call(self, call: Call) -> Iterator[Violation]:
        """A call over its query budget."""
        queries, budget = call.queries, call.registration.max_queries
        if not call.has_budgets or len(queries) <= budget:
            return
        yield Violation(
            call.who,
            f"ran {count(len(queries), 'database query')}; its budget is max_queries={budget} "
            "(savepoints are not counted).",
            advice.QUERY_BUDGET,
            tuple(f"{number}. {sql}" for number, sql in enumerate(queries[:QUERIES_SHOWN], 1)),
        )


def _count_query(
    execute: Callable[..., object], sql: str, params: object, many: bool, context: dict[str, object]
) -> object:
    """Execute wrapper: add the statement to the current call's queries (savepoints aside)."""
    call = current_call()
    if call is not None and not (isinstance(sql, str) and _is_savepoint(sql)):
        call.queries.append(sql)
    with _djangos_own():
        return execute(sql, params, many, context)


# Whether Django's own execution is running the statement (so it is counted already).
_in_django: ContextVar[bool] = ContextVar("side_effects_in_django", default=False)


@contextmanager
def _djangos_own() -> Iterator[None]:
    """Statements run meanwhile are Django's: counted by its wrappers, or not the receiver's."""
    token = _in_django.set(True)
    try:
        yield
    finally:
        _in_django.reset(token)


def _as_djangos_own(original: Callable[..., Any]) -> Callable[..., Any]:
    """``original``, whose statements are Django's own (see :func:`_djangos_own`)."""

    def method(*args: Any, **kwargs: Any) -> Any:
        with _djangos_own():
            return original(*args, **kwargs)

    return method


RAW = "  -- raw DB-API cursor"


def _count_raw(statement: object) -> None:
    """Count a statement a raw DB-API cursor ran past Django (transaction control aside)."""
    call = current_call()
    if call is None or _in_django.get() or not isinstance(statement, str | bytes):
        return
    sql = statement.decode(errors="replace") if isinstance(statement, bytes) else statement
    if not sql.lstrip().startswith("--") and not _is_transaction_control(sql):
        call.queries.append(sql + RAW)


def _trace_raw_statements(connection: BaseDatabaseWrapper) -> None:
    """Have SQLite report each statement of the connection (a raw cursor's included)."""
    raw = connection.connection
    if connection.vendor == "sqlite" and raw is not None:
        raw.set_trace_callback(_count_raw)


def _tracing_new_connections(
    original: Callable[[BaseDatabaseWrapper], None],
) -> Callable[[BaseDatabaseWrapper], None]:
    """``connect`` that traces the new connection's statements (not its own set-up's)."""

    def connect(connection: BaseDatabaseWrapper) -> None:
        with _djangos_own():
            original(connection)
        _trace_raw_statements(connection)

    return connect


def _counting_raw_execute(original: Callable[..., Any]) -> Callable[..., Any]:
    """psycopg's ``Cursor.execute``/``executemany``, counting what Django does not run."""

    def execute(cursor: object, query: object, *args: Any, **kwargs: Any) -> Any:
        _count_raw(query if isinstance(query, str | bytes) else str(query))
        return original(cursor, query, *args, **kwargs)

    return execute


def _is_savepoint(sql: str) -> bool:
    """Whether ``sql`` creates, releases or rolls back to a savepoint."""
    return sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO"))


def _is_transaction_control(sql: str) -> bool:
    """Whether ``sql`` begins or ends a transaction or a savepoint."""
    return _is_savepoint(sql) or sql.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))
