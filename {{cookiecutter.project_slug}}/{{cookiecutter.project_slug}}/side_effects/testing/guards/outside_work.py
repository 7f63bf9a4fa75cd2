"""A receiver opens no network connection and starts no process or thread.

Seen with an audit hook. Sanctioned doors are not the receiver's own I/O: a Django cache backend
(dropping a key) and a logging handler (a log line, a metric) may connect to their servers, and
asgiref starts threads to run ``sync_to_async`` code.
"""

from __future__ import annotations

import inspect
import logging
import os
import sys
from pathlib import Path

from asgiref.sync import async_to_sync
from django.core.cache import caches

from .. import advice
from .calls import current_call
from .frames import outward
from .rule import Guard, Patcher
from .violations import Violation

# Audit events, each with what the receiver did and the subject of the advice.
_AUDITED: dict[str, tuple[str, str]] = {
    "socket.connect": ("opened a network connection", "Network I/O"),
    "subprocess.Popen": ("started a subprocess", "A subprocess"),
    "os.system": ("ran a shell command", "A shell command"),
    "os.posix_spawn": ("started a process", "A process"),
    "os.exec": ("replaced the process", "exec()"),
    "_thread.start_new_thread": ("started a thread", "A thread"),
    "_thread.start_joinable_thread": ("started a thread", "A thread"),
}


def _directory_of(obj: object) -> str:
    """The directory of the module that defines ``obj``, ending with a separator."""
    return str(Path(inspect.getfile(obj)).parent) + os.sep  # type: ignore[arg-type]


_THREAD_BRIDGES = (_directory_of(async_to_sync),)
_SIDE_CHANNELS = (_directory_of(caches.__class__), _directory_of(logging))


class OutsideWork(Guard):
    """An audit hook that records what the receiver under way starts outside itself."""

    def __init__(self) -> None:
        self._hooked = False
        self._on = False

    def install(self, patcher: Patcher) -> None:
        """Add the hook once (audit hooks cannot be removed); it idles once uninstalled."""
        if not self._hooked:
            sys.addaudithook(self._audit)
            self._hooked = True
        self._on = True
        patcher.on_undo(self._turn_off)

    def _turn_off(self) -> None:
        """Leave the hook idle."""
        self._on = False

    def _audit(self, event: str, args: tuple[object, ...]) -> None:
        """Record a connection, process or thread that the receiver under way starts."""
        audited = _AUDITED.get(event) if self._on else None
        call = current_call() if audited else None
        if call is None or audited is None or _sanctioned(event):
            return
        what, subject = audited
        call.violations.append(
            Violation(
                call.who,
                f"{what}: {_detail(event, args)}.",
                advice.OUTSIDE_WORK.format(subject=subject),
            )
        )


def _detail(event: str, args: tuple[object, ...]) -> str:
    """What the audited event was about: an address, a command line, a thread."""
    if event in ("socket.connect", "subprocess.Popen"):
        return repr(args[1])[:200]
    thread = getattr(args[0], "__self__", None)  # Thread._bootstrap, bound to its thread
    return repr(thread if thread is not None else args[0])[:200]


def _sanctioned(event: str) -> bool:
    """Whether a sanctioned door, not the receiver itself, is doing it."""
    directories = _THREAD_BRIDGES if event.startswith("_thread") else _SIDE_CHANNELS
    # Frame 0 is this function's, 1 the audit hook's, 2 the code that raised the event.
    frames = outward(sys._getframe(2))
    return any(frame.f_code.co_filename.startswith(directories) for frame in frames)
