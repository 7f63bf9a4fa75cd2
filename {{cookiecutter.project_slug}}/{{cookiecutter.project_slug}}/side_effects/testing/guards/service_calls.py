"""A receiver calls no service: no function of a project ``*.services`` module, however reached.

Every function whose code lives in a project services module is watched (:mod:`.monitoring`),
found behind any decorator (``functools.wraps`` or not: wrappers' closures are searched), so a
call is seen whether the receiver imported the service, found it with ``import_module`` or
``import_string``, or went through a helper; a services module first imported while a receiver
runs is reported too. The message names the line that called the service, past decorators'
wrappers and library frames (``transaction.atomic``'s ``contextlib`` frame).
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Iterator
from types import CodeType, FrameType, ModuleType
from typing import Any

from ...inspection.scope import is_project_file
from .. import advice
from .calls import Call, current_call
from .frames import is_judged_code, outward, where
from .monitoring import CodeWatcher
from .rule import Guard, Patcher
from .violations import Violation


class ServiceCalls(Guard):
    """Watches the project's services modules as they are imported."""

    def __init__(self, watcher: CodeWatcher) -> None:
        self._watcher = watcher
        self._services: dict[CodeType, str] = {}  # code -> the service's dotted path
        self._wrappers: set[CodeType] = set()  # decorators' wrappers around services
        self._looked_at: set[tuple[str, int]] = set()  # (name, id) of each module looked at
        self._modules_seen = 0

    def install(self, patcher: Patcher) -> None:
        """Watch the services modules imported so far."""
        self._watch_new_modules()

    def before_call(self, call: Call) -> None:
        """Watch the services modules imported since the last look."""
        self._watch_new_modules()

    def after_call(self, call: Call) -> Iterator[Violation]:
        """A services module first imported during the call."""
        for module in self._watch_new_modules():
            what = f"imported the services module {module} while it ran."
            yield Violation(call.who, what, advice.SERVICE_CALL)

    def _watch_new_modules(self) -> list[str]:
        """Watch the services modules imported since the last look; their names."""
        if not self._watcher.available or len(sys.modules) == self._modules_seen:
            return []
        self._modules_seen = len(sys.modules)
        found = []
        for name, module in list(sys.modules.items()):
            if (name, id(module)) not in self._looked_at:
                self._looked_at.add((name, id(module)))
                if self._watch_module(name, module):
                    found.append(name)
        return found

    def _watch_module(self, name: str, module: ModuleType) -> bool:
        """Watch every function of ``module`` if it is a project ``*.services`` module."""
        filename = module.__dict__.get("__file__")
        if "services" not in name.split(".") or not is_project_file(filename):
            return False
        for chain in _functions_of(module):
            services = [func for func in chain if func.__code__.co_filename == filename]
            if services:
                self._wrappers.update(func.__code__ for func in chain if func not in services)
            for func in services:
                if func.__code__ not in self._services:
                    self._services[func.__code__] = f"{name}.{func.__qualname__}"
                    self._watcher.watch(func.__code__, self._on_service_start)
        return True

    def _on_service_start(self, code: CodeType, caller: FrameType) -> None:
        """A service starts: a violation if a receiver is under way and entered it here."""
        call = current_call()
        if call is None:
            return
        calling = self._calling_frame(caller)
        # A service calling its own helpers is reported once, where the receiver entered.
        if calling is not None and calling.f_code in self._services:
            return
        call.violations.append(
            Violation(
                call.who,
                f"called the service {self._services[code]}.",
                advice.SERVICE_CALL,
                (f"called from {where(calling or caller)}",),
            )
        )

    def _calling_frame(self, caller: FrameType) -> FrameType | None:
        """The project line that called a service, past wrappers and library frames."""
        return next(
            (
                frame
                for frame in outward(caller)
                if frame.f_code not in self._wrappers and is_judged_code(frame.f_code.co_filename)
            ),
            None,
        )


def _functions_of(module: ModuleType) -> Iterator[list[Any]]:
    """For each function a module holds (its classes' methods too), it and what it wraps."""
    for value in vars(module).values():
        members = vars(value).values() if isinstance(value, type) else [value]
        for member in members:
            chain = list(_reachable_functions(member, depth=4))
            if chain:
                yield chain


def _reachable_functions(value: object, depth: int) -> Iterator[Any]:
    """``value`` if it is a function, and the functions it wraps (``__wrapped__``, closures)."""
    if isinstance(value, staticmethod | classmethod):
        value = value.__func__
    if isinstance(value, functools.partial):
        value = value.func
    if not inspect.isfunction(value) or depth == 0:
        return
    yield value
    inner = [getattr(value, "__wrapped__", None)]
    inner += [cell.cell_contents for cell in value.__closure__ or () if _filled(cell)]
    for each in inner:
        if callable(each):
            yield from _reachable_functions(each, depth - 1)


def _filled(cell: Any) -> bool:
    """Whether a closure cell holds a value yet."""
    try:
        cell.cell_contents  # noqa: B018
    except ValueError:
        return False
    return True
