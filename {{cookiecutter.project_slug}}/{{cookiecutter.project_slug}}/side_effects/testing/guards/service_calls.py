"""A receiver calls no service: no function of a project ``*.services`` module, however reached.

Every function of each project services module is watched (:mod:`.monitoring`), so a call is
seen whether the receiver imported the service, found it with ``import_module`` or
``import_string``, or went through a helper; a services module first imported while a receiver
runs is reported too.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterator
from types import CodeType, FrameType, ModuleType
from typing import Any

from ...inspection.scope import is_project_file
from .. import advice
from .calls import Call, current_call
from .frames import where
from .monitoring import CodeWatcher
from .rule import Guard, Patcher
from .violations import Violation


class ServiceCalls(Guard):
    """Watches the project's services modules as they are imported."""

    def __init__(self, watcher: CodeWatcher) -> None:
        self._watcher = watcher
        self._services: dict[CodeType, str] = {}  # code -> the service's dotted path
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
        for func in _functions_of(module):
            if func.__code__ not in self._services and func.__module__ == name:
                self._services[func.__code__] = f"{name}.{func.__qualname__}"
                self._watcher.watch(func.__code__, self._on_service_start)
        return True

    def _on_service_start(self, code: CodeType, caller: FrameType) -> None:
        """A service starts: a violation if a receiver is under way and entered it here."""
        call = current_call()
        # A service calling its own helpers is reported once, where the receiver entered.
        if call is not None and caller.f_code not in self._services:
            call.violations.append(
                Violation(
                    call.who,
                    f"called the service {self._services[code]}.",
                    advice.SERVICE_CALL,
                    (f"called from {where(caller)}",),
                )
            )


def _functions_of(module: ModuleType) -> Iterator[Any]:
    """The plain functions a module holds, its classes' methods included, decorators unwrapped."""
    for value in vars(module).values():
        members = vars(value).values() if isinstance(value, type) else [value]
        for member in members:
            if isinstance(member, staticmethod | classmethod):
                member = member.__func__
            if inspect.isfunction(member):
                yield inspect.unwrap(member)
