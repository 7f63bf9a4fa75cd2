"""Project code never calls a receiver directly: a receiver runs when its signal is sent.

Tests may call receivers; the kit's own wrapper is how a signal calls one.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import CodeType, FrameType

from ...runtime.registry import Registration, registrations, registrations_made
from .. import advice
from .calls import Call
from .frames import is_business_code, where
from .monitoring import CodeWatcher
from .rule import Guard, Patcher
from .violations import Violation


class DirectCalls(Guard):
    """Watches every registered receiver's body for a caller in business code."""

    def __init__(self, watcher: CodeWatcher, record: Callable[[Violation], None]) -> None:
        self._watcher = watcher
        self._record = record
        self._receivers: dict[CodeType, Registration] = {}
        self._registrations_seen = 0

    def install(self, patcher: Patcher) -> None:
        """Watch the receivers registered so far."""
        self._watch_new_receivers()

    def before_call(self, call: Call) -> None:
        """Watch the receivers registered since the last call (a test may connect one)."""
        self._watch_new_receivers()

    def _watch_new_receivers(self) -> None:
        """Watch the body of each registration not watched yet (a look only when there are)."""
        if registrations_made() == self._registrations_seen:
            return
        self._registrations_seen = registrations_made()
        for registration in registrations():
            code = getattr(inspect.unwrap(registration.func), "__code__", None)
            if code is not None and code not in self._receivers:
                self._receivers[code] = registration
                self._watcher.watch(code, self._on_receiver_start)

    def _on_receiver_start(self, code: CodeType, caller: FrameType) -> None:
        """A receiver's body starts: a violation if business code called it."""
        if is_business_code(caller.f_code.co_filename):
            self._record(
                Violation(
                    f"Receiver {self._receivers[code].path}",
                    "was called directly, not by its signal.",
                    advice.DIRECT_CALL,
                    (f"called from {where(caller)}",),
                )
            )
