"""Find every signal in the running process and every receiver connected to it.

The checks and ``manage.py signalmap`` both start here. Before looking, all of the project's
modules are imported (except tests and migrations) so that a receiver connected anywhere in the
project is found, whether or not something happened to import its module yet. Signals are found
as module attributes of every loaded module, and named after the module that assigns them.
"""

from __future__ import annotations

import ast
import functools
import inspect
import pkgutil
import sys
import warnings
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType

from django.db.models import Model
from django.db.models.signals import ModelSignal
from django.dispatch import Signal
from django.dispatch.dispatcher import NONE_ID

from .registry import PROJECT_PACKAGE, Receiver, Registration, registration_of, summary_of

KIT_PACKAGE = __package__
# Parts of the project that are not loaded when looking for receivers.
_NOT_LOADED = frozenset({"tests", "migrations", "conftest"})

# The project modules Django itself loaded (through INSTALLED_APPS and each app's ready()),
# recorded just before the first sweep imports the rest. ``None`` until then.
_loaded_at_startup: frozenset[str] | None = None


class UnknownSender:
    """Stands for a sender that Django could not keep a weak reference to (a string, a number)."""

    def __repr__(self) -> str:
        return "<sender not weak-referenceable>"


UNKNOWN_SENDER = UnknownSender()


@dataclass(frozen=True, slots=True)
class Connection:
    """One receiver connected to one signal, for one sender (``None``: every sender)."""

    signal: Signal
    signal_name: str
    sender: object
    receiver: Receiver
    registration: Registration | None

    @property
    def path(self) -> str:
        """The receiver's dotted path (``module.qualname``)."""
        return self.registration.path if self.registration else dotted_path(self.receiver)

    @property
    def module(self) -> str:
        """The dotted name of the module the receiver is defined in."""
        if self.registration:
            return self.registration.func.__module__
        return _module_and_qualname(self.receiver)[0]

    @property
    def is_project(self) -> bool:
        """Whether the receiver is defined in the project (not Django or a third party)."""
        return self.path.startswith(f"{PROJECT_PACKAGE}.")

    @property
    def is_model_signal(self) -> bool:
        """Whether the signal is sent for model instances (save, delete, init, m2m)."""
        return isinstance(self.signal, ModelSignal)

    @property
    def summary(self) -> str:
        """The first paragraph of the receiver's docstring, or ``""``."""
        if self.registration:
            return self.registration.summary
        return summary_of(_target(self.receiver))

    @property
    def sender_label(self) -> str:
        """The sender as people name it: ``app_label.Model``, a dotted path, or ``any``."""
        return sender_label(self.sender)


def connections(*, project_only: bool = True) -> list[Connection]:
    """Every live receiver of every signal, sorted by signal, sender and receiver."""
    load_project_modules()
    found = [
        connection
        for signal, name in find_signals().items()
        for connection in _connections_of(signal, name)
        if connection.is_project or not project_only
    ]
    return sorted(found, key=lambda each: (each.signal_name, each.sender_label, each.path))


def load_project_modules() -> None:
    """Import every module of the project package, except tests, migrations and this kit."""
    global _loaded_at_startup
    if _loaded_at_startup is None:
        _loaded_at_startup = frozenset(
            name for name in sys.modules if name.startswith(f"{PROJECT_PACKAGE}.")
        )
    for name in _project_modules(PROJECT_PACKAGE, import_module(PROJECT_PACKAGE).__path__):
        import_module(name)


def modules_loaded_at_startup() -> frozenset[str]:
    """The project modules Django loaded before this kit imported the rest of the project."""
    load_project_modules()
    return _loaded_at_startup or frozenset()


def _project_modules(package: str, path: list[str]) -> Iterator[str]:
    """Dotted names of the modules below ``package``, parents first, skipping what is not code."""
    for module in pkgutil.iter_modules(path, prefix=f"{package}."):
        last = module.name.rpartition(".")[2]
        if module.name == KIT_PACKAGE or last in _NOT_LOADED or last.startswith("test_"):
            continue
        yield module.name
        if module.ispkg:
            yield from _project_modules(module.name, import_module(module.name).__path__)


def find_signals() -> dict[Signal, str]:
    """Every signal that is a module attribute somewhere, with its canonical dotted name."""
    places: dict[Signal, list[tuple[str, str]]] = {}
    for module_name, module in sorted(sys.modules.copy().items()):
        if not isinstance(module, ModuleType):
            continue
        for attribute, value in list(vars(module).items()):
            # type() rather than isinstance(): never evaluate lazy objects.
            if issubclass(type(value), Signal):
                places.setdefault(value, []).append((module_name, attribute))
    return {signal: _canonical_name(found) for signal, found in places.items()}


def _canonical_name(places: list[tuple[str, str]]) -> str:
    """``module.attribute`` of the module that assigns the signal, not of one that imports it."""
    defining = [(module, name) for module, name in places if name in _assigned_names(module)]
    module, name = (defining or places)[0]
    return f"{module}.{name}"


@functools.cache
def _assigned_names(module_name: str) -> frozenset[str]:
    """Names a module assigns at its top level (read from its source; empty if none)."""
    try:
        source = inspect.getsource(sys.modules[module_name])
    except (KeyError, OSError, TypeError):
        return frozenset()
    with warnings.catch_warnings(action="ignore"):
        tree = ast.parse(source)
    names: set[str] = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        names.update(target.id for target in targets if isinstance(target, ast.Name))
    return frozenset(names)


def _connections_of(signal: Signal, name: str) -> Iterator[Connection]:
    """The live receivers of one signal, as Django stores them in ``signal.receivers``."""
    for (_, sender_key), receiver, sender_ref, _is_async in list(signal.receivers):
        live = receiver() if isinstance(receiver, weakref.ReferenceType) else receiver
        sender = _sender(sender_key, sender_ref)
        if live is None or (sender is None and sender_key != NONE_ID):
            continue
        yield Connection(signal, name, sender, live, registration_of(live))


def _sender(sender_key: object, sender_ref: weakref.ReferenceType | None) -> object:
    """The sender a receiver is connected for; ``None`` for any sender or a dead one."""
    if sender_key == NONE_ID:
        return None
    if sender_ref is None:
        return UNKNOWN_SENDER
    return sender_ref()


def _target(receiver: Receiver) -> object:
    """The function behind a bound method or a partial, else the receiver itself."""
    receiver = getattr(receiver, "__func__", receiver)
    return receiver.func if isinstance(receiver, functools.partial) else receiver


def _module_and_qualname(receiver: Receiver) -> tuple[str, str]:
    """Where a receiver is defined (its class's place for a callable instance)."""
    target = _target(receiver)
    module = getattr(target, "__module__", None) or type(target).__module__
    qualname = getattr(target, "__qualname__", None) or type(target).__qualname__
    return module, qualname


def dotted_path(receiver: Receiver) -> str:
    """``module.qualname`` of a receiver."""
    return ".".join(_module_and_qualname(receiver))


def sender_label(sender: object) -> str:
    """A stable, readable name for a sender (no memory addresses)."""
    if sender is None:
        return "any"
    if isinstance(sender, type) and issubclass(sender, Model):
        return sender._meta.label
    if isinstance(sender, type):
        return f"{sender.__module__}.{sender.__qualname__}"
    text = str(sender) if isinstance(sender, str) else repr(sender)
    return dotted_path(type(sender)) if " at 0x" in text else text
