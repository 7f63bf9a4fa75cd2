"""Receivers are wired at start-up: project code never connects one once the apps are ready.

A connection made by a module's top level (a module first imported late, like ``urls.py``) is
left to the system checks, which import every project module and name such a receiver (E001,
E002) instead of crashing the import. A connection made while test code is anywhere on the
stack is the test's: a test may connect receivers, itself or through a project helper it calls
(the kit's tests included). What is refused is project code connecting when no test asked for
it: a request, a worker's thread, a ``post_migrate`` receiver run by the test database's set-up.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.dispatch import Signal

from ...inspection.scope import is_project_file, is_test_file
from ...runtime.naming import dotted_path
from .. import advice
from .frames import is_business_code, is_kit_file, outward, where
from .rule import Guard, Patcher
from .violations import Violation, render


class LateWiring(Guard):
    """Patches ``Signal.connect`` to refuse project code connecting at run time."""

    def install(self, patcher: Patcher) -> None:
        """Patch ``Signal.connect``."""
        patcher.patch(Signal, "connect", _refusing_late_connections)


def _refusing_late_connections(original: Callable[..., None]) -> Callable[..., None]:
    """``Signal.connect`` that refuses project code connecting once apps are ready."""

    def connect(signal: Signal, receiver: Callable[..., object], *args: Any, **kwargs: Any) -> None:
        if apps.ready:
            _check_connected_in_time(receiver)
        original(signal, receiver, *args, **kwargs)

    return connect


def _check_connected_in_time(receiver: Callable[..., object]) -> None:
    """Raise if business code connects a project receiver from a function at run time."""
    code = getattr(inspect.unwrap(receiver), "__code__", None)
    if code is None or not is_business_code(code.co_filename):
        return
    # Frame 0 is this function's, 1 the patched connect's, 2 the code that called it.
    stack = list(outward(sys._getframe(2)))
    if any(is_test_file(frame.f_code.co_filename) for frame in stack):
        return
    # Django's code and the kit's decorator are passed over on the way to the code that connects.
    connecting = next(
        (
            frame
            for frame in stack
            if is_project_file(name := frame.f_code.co_filename) and not is_kit_file(name)
        ),
        None,
    )
    if connecting is None or connecting.f_code.co_name == "<module>":
        return
    if is_business_code(connecting.f_code.co_filename):
        violation = Violation(
            f"Receiver {dotted_path(receiver)}",
            "was connected after the app registry was ready, at run time.",
            advice.LATE_WIRING,
            (f"connected from {where(connecting)}",),
        )
        raise ImproperlyConfigured(render(violation))
