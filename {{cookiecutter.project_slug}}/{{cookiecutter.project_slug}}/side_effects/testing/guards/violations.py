"""A broken rule, as the guards record it, and the one style every guard's message is shown in.

A run that breaks the same rule the same way many times shows it once, with a count
(:func:`render_all`), so a log does not grow with repeats.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field


def _rule_of_caller() -> str:
    """The guard module that made the violation (``query_budget``): the rule's name.

    Frame 0 is this function, 1 the dataclass's ``__init__``, 2 the code building the violation.
    """
    return str(sys._getframe(2).f_globals["__name__"]).rpartition(".")[2]


@dataclass(frozen=True, slots=True)
class Violation:
    """Who broke a rule, what they did, the evidence, and what to do instead."""

    who: str
    what: str
    fix: str
    details: tuple[str, ...] = ()
    # The rule broken: the name of the guard's module, which the baseline records.
    rule: str = field(default_factory=_rule_of_caller, compare=False)

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two violations the same one: who did what, with the same fix."""
        return (self.who, self.what, self.fix)


def render(violation: Violation, times: int = 1) -> str:
    """``<who> <what>``, the evidence indented below, then the fix on a line of its own."""
    evidence = [f"    {line}" for line in violation.details]
    repeated = f" ({times} times)" if times > 1 else ""
    return "\n".join([f"{violation.who} {violation.what}{repeated}", *evidence, violation.fix])


def render_all(violations: Iterable[Violation]) -> str:
    """Each distinct violation once, in the order first seen, with how many times it happened."""
    seen = list(violations)
    times = Counter(each.key for each in seen)
    first = {each.key: each for each in reversed(seen)}
    return "\n\n".join(render(first[key], times[key]) for key in times)
