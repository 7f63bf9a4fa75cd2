"""Find every ``Signal`` in memory and name it after the place that defines it.

A signal is named as a module attribute (``module.name``); else, in project modules first, as
a class attribute (``module.Class.name``) or a module-level dict's value (``module.NAME['key']``);
a signal held nowhere a name can be read from (an instance attribute, a closure) is named after
its first receiver. Where each signal is held is remembered while it stays there, so that the
many checks and maps of a test run cost one scan of the garbage collector's objects each.
"""

from __future__ import annotations

import gc
import re
import sys
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import ModuleType

from django.dispatch import Signal

from ..runtime.naming import defining_place
from ..runtime.registry import receiver_name
from .loading import load_project_modules
from .scope import is_project_module


@dataclass(frozen=True, slots=True)
class ModuleAttribute:
    """A signal held as ``module.attribute``."""

    module: str
    attribute: str

    @property
    def name(self) -> str:
        """``module.attribute``."""
        return f"{self.module}.{self.attribute}"

    def holds(self, signal: Signal) -> bool:
        """Whether ``signal`` is still here."""
        return _module_value(self.module, self.attribute) is signal


@dataclass(frozen=True, slots=True)
class ClassAttribute:
    """A signal held as ``module.Class.attribute``."""

    module: str
    owner: str
    attribute: str

    @property
    def name(self) -> str:
        """``module.Class.attribute``."""
        return f"{self.module}.{self.owner}.{self.attribute}"

    def holds(self, signal: Signal) -> bool:
        """Whether ``signal`` is still here."""
        owner = _module_value(self.module, self.owner)
        return isinstance(owner, type) and vars(owner).get(self.attribute) is signal


@dataclass(frozen=True, slots=True)
class DictEntry:
    """A signal held as ``module.NAME[key]``."""

    module: str
    attribute: str
    key: object

    @property
    def name(self) -> str:
        """``module.NAME['key']``."""
        return f"{self.module}.{self.attribute}[{self.key!r}]"

    def holds(self, signal: Signal) -> bool:
        """Whether ``signal`` is still here."""
        held = _module_value(self.module, self.attribute)
        return type(held) is dict and held.get(self.key) is signal


Place = ModuleAttribute | ClassAttribute | DictEntry

# What find_signals() learnt: where each signal is held, and the signals held nowhere.
_places: weakref.WeakKeyDictionary[Signal, Place] = weakref.WeakKeyDictionary()
_held_nowhere: weakref.WeakSet[Signal] = weakref.WeakSet()


def find_signals() -> dict[Signal, str]:
    """Every signal in memory with receivers, and every one held where it can be named.

    A signal first seen held nowhere keeps the name of its first receiver even if it is
    assigned somewhere later.
    """
    kinds = _signal_classes()
    alive = _signals_in_memory(kinds)
    if not all(_is_placed(signal) for signal in alive):
        _place(alive, kinds)
    names: dict[Signal, str] = {}
    for signal in alive:
        place = _places.get(signal)
        if place is not None:
            names[signal] = place.name
        elif signal.receivers:
            names[signal] = _fallback_name(signal)
    return names


def project_signals(signals: Mapping[Signal, str] | None = None) -> dict[str, Signal]:
    """The signals the project defines itself (its own events, not tests'), by name.

    ``signals`` is what :func:`find_signals` returned, for a caller that needs it too.
    """
    load_project_modules()
    if signals is None:
        signals = find_signals()
    found = {name: signal for signal, name in signals.items()}
    return {name: found[name] for name in sorted(found) if is_project_module(_module_of(name))}


def _module_value(module: str, attribute: str) -> object:
    """``module.attribute`` of a loaded module, ``None`` when there is none."""
    loaded = sys.modules.get(module)
    return vars(loaded).get(attribute) if type(loaded) is ModuleType else None


def _is_placed(signal: Signal) -> bool:
    """Whether where ``signal`` is held is known and still true."""
    place = _places.get(signal)
    return place.holds(signal) if place is not None else signal in _held_nowhere


def _place(alive: list[Signal], kinds: frozenset[type]) -> None:
    """Find where each signal is held and remember it (see :func:`find_signals`).

    Module attributes first, named where the signal is defined rather than where a module
    imported it; then classes and dicts of project modules, then those of other modules.
    """
    modules = [
        (name, module) for name, module in list(sys.modules.items()) if type(module) is ModuleType
    ]
    found: dict[Signal, Place] = _module_attributes(modules, kinds)
    project = [item for item in modules if is_project_module(item[0])]
    others = [item for item in modules if not is_project_module(item[0])]
    for group in (project, others):
        if all(signal in found for signal in alive):
            break
        for name, module in group:
            for place, signal in _held_in_classes_and_dicts(name, module, kinds):
                found.setdefault(signal, place)
    for signal in alive:
        if signal in found:
            _places[signal] = found[signal]
            _held_nowhere.discard(signal)
        else:
            _held_nowhere.add(signal)


def _module_attributes(
    modules: list[tuple[str, ModuleType]], kinds: frozenset[type]
) -> dict[Signal, Place]:
    """The module attribute that defines each signal held as one."""
    held: dict[Signal, list[ModuleAttribute]] = {}
    for name, module in modules:
        for attribute, value in list(vars(module).items()):
            if type(value) in kinds:  # type(), not isinstance(): never evaluate lazy objects
                held.setdefault(value, []).append(ModuleAttribute(name, attribute))
    return {signal: _defining(places) for signal, places in held.items()}


def _held_in_classes_and_dicts(
    name: str, module: ModuleType, kinds: frozenset[type]
) -> Iterator[tuple[Place, Signal]]:
    """``(place, signal)`` for each signal on a class of the module or in a module-level dict."""
    for attribute, value in list(vars(module).items()):
        kind = type(value)
        if kind is dict:
            for key, item in list(value.items()):
                if type(item) in kinds:
                    yield DictEntry(name, attribute, key), item
        elif issubclass(kind, type) and vars(value).get("__module__") == name:
            for member, item in list(vars(value).items()):
                if type(item) in kinds:
                    yield ClassAttribute(name, attribute, member), item


def _defining(places: list[ModuleAttribute]) -> ModuleAttribute:
    """The place where the signal is defined, not where a module imported it."""
    if len(places) > 1:
        found = defining_place([(place.module, place.attribute) for place in places])
        return next(place for place in places if (place.module, place.attribute) == found)
    return places[0]


def _fallback_name(signal: Signal) -> str:
    """A name for a signal held where no name can be read: after its first live receiver."""
    for _, receiver, _, _ in signal.receivers:
        live = receiver() if isinstance(receiver, weakref.ReferenceType) else receiver
        if live is not None:
            return f"<signal of {receiver_name(live)}>"
    return "<signal without live receivers>"


def _signals_in_memory(kinds: frozenset[type]) -> list[Signal]:
    """Every signal object alive, wherever it is held.

    An instance of a class written in Python refers to its class, so the collector lists every
    signal among the referrers of the signal classes: one scan in C, instead of a Python loop
    over every object in memory.
    """
    return [each for each in gc.get_referrers(*kinds) if type(each) in kinds]


def _signal_classes() -> frozenset[type]:
    """``Signal`` and its subclasses: a set lookup is cheaper than ``issubclass()`` per value."""
    found: set[type] = set()
    pending: list[type] = [Signal]
    while pending:
        kind = pending.pop()
        found.add(kind)
        pending += kind.__subclasses__()
    return frozenset(found)


def _module_of(name: str) -> str:
    """The module part of a signal's name: ``app.events`` of ``app.events.Events.placed``."""
    module = re.sub(r"\[.*\]$", "", name).rpartition(".")[0]
    while module and module not in sys.modules:
        module = module.rpartition(".")[0]
    return module
