"""How a receiver call came about: which test line saved what, which receiver sent what.

Read from the call stack when a call broke a rule (never otherwise): every frame of project or
test code, outermost first, each signal sent on the way, and which of the frames are receivers.
"""

from __future__ import annotations

import linecache
import sys
from pathlib import Path
from types import FrameType

from django.dispatch import Signal

from ...runtime.conf import KIT_DIR, relative_to_root
from ...runtime.naming import sender_label
from ...runtime.registry import registrations
from ...runtime.telemetry import signal_name

_SENDING = {"send", "asend", "send_robust", "asend_robust"}
_KIT_TESTS = KIT_DIR / "tests"


def chain_here(receiver: str) -> tuple[str, ...]:
    """The evidence lines of the chain that led to the call of ``receiver`` (its dotted path)."""
    receivers = {
        code: registration.path
        for registration in registrations()
        if (code := getattr(registration.func, "__code__", None)) is not None
    }
    lines = []
    for frame in reversed(_stack()):
        line = _describe(frame, receivers)
        if line:
            lines.append(f"  {line}")
    return ("How it got here (outermost first):", *lines, f"  -> receiver {receiver}")


def _stack() -> list[FrameType]:
    frames: list[FrameType] = []
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    return frames


def _describe(frame: FrameType, receivers: dict[object, str]) -> str:
    """One line for a frame of the chain, or ``""`` for a frame that is not part of it."""
    code = frame.f_code
    signal = frame.f_locals.get("self")
    if code.co_name in _SENDING and isinstance(signal, Signal):
        sender = sender_label(frame.f_locals.get("sender"))
        return f"-> sends {signal_name(signal)} from {sender}"
    path = Path(code.co_filename)
    relative = relative_to_root(path)
    if relative is None or ".venv" in path.parts:
        return ""
    if path.is_relative_to(KIT_DIR) and not path.is_relative_to(_KIT_TESTS):
        return ""
    where = f"{relative}:{frame.f_lineno}"
    source = linecache.getline(code.co_filename, frame.f_lineno).strip()
    if code in receivers:
        return f"-> receiver {receivers[code]} ({where}): {source}"
    return f"{where} in {code.co_name}: {source}"
