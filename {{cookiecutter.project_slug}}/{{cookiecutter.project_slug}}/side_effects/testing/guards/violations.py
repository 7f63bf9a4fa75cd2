"""A broken rule, as the guards record it, and the one style every guard's message is shown in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Violation:
    """Who broke a rule, what they did, the evidence, and what to do instead."""

    who: str
    what: str
    fix: str
    details: tuple[str, ...] = ()


def render(violation: Violation) -> str:
    """``<who> <what>``, the evidence indented below, then the fix on a line of its own."""
    evidence = [f"    {line}" for line in violation.details]
    return "\n".join([f"{violation.who} {violation.what}", *evidence, violation.fix])
