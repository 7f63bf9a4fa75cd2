"""A receiver runs at most ``max_queries`` database queries (savepoints are not counted)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

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
        """Count every connection's statements for the receiver call under way."""
        patcher.wrap_statements(_count_query)

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
    return execute(sql, params, many, context)


def _is_savepoint(sql: str) -> bool:
    """Whether ``sql`` creates, releases or rolls back to a savepoint."""
    return sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO"))
