"""The receiver call under way, which every guard reads, and work that is not the receiver's.

A receiver call is measured while :func:`measuring` runs; inside it, :func:`unmeasured` marks
work that is not the receiver's own (a task the test backend runs in-process): nothing in it is
charged, and its time is taken off the call's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db.models.signals import post_migrate, pre_migrate

from ...runtime.registry import Registration
from .violations import Violation


@dataclass(eq=False)
class Call:
    """One receiver call being measured (or one on-commit callback it registered)."""

    registration: Registration
    kwargs: dict[str, object]
    # The on-commit callback's name, when this call is one the receiver registered.
    via: str = ""
    queries: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    # Seconds the call took, once it ended, less the seconds of work that was not its own.
    seconds: float = 0.0
    unmeasured_seconds: float = 0.0
    # What escaped the call: the exception it raised, the asyncio tasks it created.
    error: BaseException | None = None
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)

    @property
    def who(self) -> str:
        """``Receiver <path>``, naming the on-commit callback when it is one."""
        suffix = f" (its on-commit callback {self.via})" if self.via else ""
        return f"Receiver {self.registration.path}{suffix}"

    @property
    def has_budgets(self) -> bool:
        """Migration signals have none: they run once per ``migrate``, never on a request."""
        return self.kwargs.get("signal") not in (pre_migrate, post_migrate)


# What runs now: the Call under way, or a fresh marker for work that is not a receiver's.
_OUTSIDE = object()
_scope: ContextVar[object] = ContextVar("side_effects_scope", default=_OUTSIDE)


def current_call() -> Call | None:
    """The receiver call under way, if any."""
    scope = _scope.get()
    return scope if isinstance(scope, Call) else None


def current_scope() -> object:
    """What runs now: a :class:`Call`, or a marker that changes whenever a call starts or ends."""
    return _scope.get()


@contextmanager
def measuring(call: Call) -> Iterator[None]:
    """Make ``call`` the call under way while the block runs; set its seconds when it ends."""
    token = _scope.set(call)
    started = time.perf_counter()
    try:
        yield
    finally:
        call.seconds = time.perf_counter() - started - call.unmeasured_seconds
        _scope.reset(token)


@contextmanager
def unmeasured() -> Iterator[None]:
    """Charge nothing of the block to the call under way, not even its time."""
    call = current_call()
    token = _scope.set(object())
    started = time.perf_counter()
    try:
        yield
    finally:
        _scope.reset(token)
        if call is not None:
            call.unmeasured_seconds += time.perf_counter() - started
