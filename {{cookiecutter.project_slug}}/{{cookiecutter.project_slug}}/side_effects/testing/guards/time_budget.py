"""A receiver call takes at most ``max_seconds`` (tasks run in-process in tests not counted)."""

from __future__ import annotations

from collections.abc import Iterator

from .. import advice
from .calls import Call
from .rule import Guard
from .violations import Violation


class TimeBudget(Guard):
    """Compares each call's own time with its budget."""

    def after_call(self, call: Call) -> Iterator[Violation]:
        """A call over its time budget."""
        budget = call.registration.max_seconds
        if call.has_budgets and call.seconds > budget:
            yield Violation(
                call.who,
                f"took {call.seconds:.3f} s; its budget is max_seconds={budget:g} (tasks the "
                "test backend runs in-process are not counted).",
                advice.TIME_BUDGET,
            )
