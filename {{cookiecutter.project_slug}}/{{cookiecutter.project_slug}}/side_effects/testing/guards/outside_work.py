"""A receiver opens no network connection and starts no process or thread.

Seen with an audit hook, and for ``multiprocessing`` (whose spawn start method raises no audit
event) by a patch of ``Process.start``. Sanctioned doors are judged by who does the work, not
by what is on the stack: a configured cache backend (dropping a key) and a logging handler of
the standard library (a log line) may connect to their servers, and asgiref may start the
threads that run ``sync_to_async`` code; but project code those doors call back (a callable
handed to ``cache.get_or_set()``, a project logging handler) is judged like the receiver's own.
A UDP datagram (a StatsD metric) waits for nothing and is allowed.
"""

from __future__ import annotations

import inspect
import logging
import multiprocessing.process
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from asgiref.sync import async_to_sync
from django.core.cache import caches

from .. import advice
from .calls import Call, current_call
from .frames import first_of
from .rule import Guard, Patcher
from .violations import Violation

# Audit events, each with what the receiver did and the subject of the advice.
_AUDITED: dict[str, tuple[str, str]] = {
    "socket.connect": ("opened a network connection", "Network I/O"),
    "subprocess.Popen": ("started a subprocess", "A subprocess"),
    "os.system": ("ran a shell command", "A shell command"),
    "os.posix_spawn": ("started a process", "A process"),
    "os.fork": ("forked the process", "A forked process"),
    "os.forkpty": ("forked the process", "A forked process"),
    "os.exec": ("replaced the process", "exec()"),
    "_thread.start_new_thread": ("started a thread", "A thread"),
    "_thread.start_joinable_thread": ("started a thread", "A thread"),
}


def directory_of(obj: object) -> str:
    """The directory of the module that defines ``obj``, ending with a separator."""
    return str(Path(inspect.getfile(obj)).parent) + os.sep  # type: ignore[arg-type]


_THREAD_BRIDGES = (directory_of(async_to_sync),)
_SIDE_CHANNELS = (directory_of(caches.__class__), directory_of(logging))


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
        patcher.patch(multiprocessing.process.BaseProcess, "start", _starting_a_process)

    def _turn_off(self) -> None:
        """Leave the hook idle."""
        self._on = False

    def _audit(self, event: str, args: tuple[object, ...]) -> None:
        """Record a connection, process or thread that the receiver under way starts."""
        audited = _AUDITED.get(event) if self._on else None
        call = current_call() if audited else None
        if call is None or audited is None or _is_datagram(event, args) or _sanctioned(event):
            return
        what, subject = audited
        _report(call, f"{what}: {_detail(event, args)}.", subject)


def _report(call: Call, what: str, subject: str) -> None:
    """Add the violation ``what`` to the call, with the advice that fits its signal."""
    trigger = advice.trigger_of(call.kwargs.get("signal"))
    fix = advice.OUTSIDE_WORK.format(subject=subject, trigger=trigger)
    call.violations.append(Violation(call.who, what, fix))


def _starting_a_process(original: Callable[..., None]) -> Callable[..., None]:
    """``multiprocessing`` ``Process.start`` that reports a receiver starting a process."""

    def start(process: multiprocessing.process.BaseProcess, *args: Any, **kwargs: Any) -> None:
        call = current_call()
        if call is not None:
            _report(call, f"started a process with multiprocessing: {process!r}.", "A process")
        original(process, *args, **kwargs)

    return start


def _is_datagram(event: str, args: tuple[object, ...]) -> bool:
    """Whether a connection is a UDP socket's: it only sets where datagrams go, and waits not."""
    sock = args[0] if event == "socket.connect" else None
    return isinstance(sock, socket.socket) and sock.type == socket.SOCK_DGRAM


def _detail(event: str, args: tuple[object, ...]) -> str:
    """What the audited event was about: an address, a command line, a thread."""
    if not args:  # os.fork
        return f"pid {os.getpid()}"
    if event in ("socket.connect", "subprocess.Popen"):
        return repr(args[1])[:200]
    thread = getattr(args[0], "__self__", None)  # Thread._bootstrap, bound to its thread
    return repr(thread if thread is not None else args[0])[:200]


def _sanctioned(event: str) -> bool:
    """Whether a sanctioned door, not project code it calls back, is doing it."""
    directories = _THREAD_BRIDGES if event.startswith("_thread") else _SIDE_CHANNELS
    # Frame 0 is this function's, 1 the audit hook's, 2 the code that raised the event.
    return first_of(sys._getframe(2), directories)
