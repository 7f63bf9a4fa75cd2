"""Find every signal in the running process and every receiver connected to it.

The checks and ``manage.py signalmap`` both start here. Before looking, the project's modules
are imported once, so that a receiver connected anywhere in the project is found whether or not
something imported its module yet: every module of each project package that holds an installed
app or the URL configuration (the project package, apps beside ``config/``) whose source
calls ``connect(``, ``receiver(``, ``side_effect(`` or ``Signal(``, except tests (``test``,
``tests``, ``testing``, ``conftest``, ``fixtures``, ``test_*``), migrations, the settings and
this kit. A module that cannot be imported (it needs an optional package that is not
installed, say) is skipped and reported, never fatal. Which code counts as the project's is
decided by :func:`~.registry.is_project_module`.

Every ``Signal`` object in memory is found (a scan of the garbage collector's objects), wherever
it is held. Each is named after the place that defines it: a module attribute
(``module.name``); else, in project modules first, a class attribute (``module.Class.name``) or
a module-level dict's value (``module.NAME['key']``); a signal held nowhere a name can be read
from (an instance attribute, a closure) is named after its first receiver.
"""

from __future__ import annotations

import ast
import functools
import gc
import os
import pkgutil
import re
import sys
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from types import FunctionType, MethodType, ModuleType

from django.apps import AppConfig, apps
from django.conf import settings
from django.db.models import Model
from django.db.models.signals import ModelSignal
from django.dispatch import Signal
from django.dispatch.dispatcher import NONE_ID

from .registry import (
    Receiver,
    Registration,
    is_project_module,
    is_test_module,
    registration_of,
    summary_of,
)

KIT_PACKAGE = __package__
# Parts of a package that are never imported when looking for receivers, besides tests and
# their helpers (which may register test models): migrations and scripts.
_NOT_LOADED = frozenset({"migrations", "__main__"})

# Words without which a module's source cannot connect a receiver or define a signal.
_CONNECTING_WORDS = ("connect(", "receiver(", "side_effect(", "Signal(")

UNKNOWN_SENDER_LABEL = "<a sender that is not weak-referenceable>"


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """A project module the kit could not import, and why."""

    module: str
    error: str


@dataclass(frozen=True, slots=True)
class ProjectModules:
    """What loading the project found."""

    # Project modules Django loaded itself (INSTALLED_APPS, each app's ready(), settings).
    at_startup: frozenset[str]
    problems: tuple[ImportProblem, ...]
    # Every project module looked at, imported or not, with its source file.
    sources: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Connection:
    """One receiver connected to one signal, for one sender (``None``: every sender)."""

    signal: Signal
    signal_name: str
    sender: object
    sender_label: str
    receiver: Receiver
    registration: Registration | None
    # The receiver's dotted path, plus what tells apart instances connected under one path.
    path: str

    @property
    def module(self) -> str:
        """The dotted name of the module the receiver is defined in."""
        if self.registration:
            return self.registration.func.__module__
        return _module_and_qualname(self.receiver)[0]

    @property
    def is_project(self) -> bool:
        """Whether the receiver is project code (not Django's or a third party's)."""
        return is_project_module(self.module)

    @property
    def is_model_signal(self) -> bool:
        """Whether the signal is sent for model instances (save, delete, init, m2m)."""
        return isinstance(self.signal, ModelSignal)

    @property
    def is_plain_function(self) -> bool:
        """Whether the receiver is a function, which ``@side_effect`` can decorate."""
        return isinstance(_target(self.receiver), FunctionType) and not isinstance(
            self.receiver, MethodType
        )

    @property
    def summary(self) -> str:
        """The first paragraph of the receiver's docstring, or ``""``."""
        if self.registration:
            return self.registration.summary
        return summary_of(_target(self.receiver))


def connections(
    *, project_only: bool = True, signals: Mapping[Signal, str] | None = None
) -> list[Connection]:
    """Every live receiver of every signal, sorted by signal, sender and receiver.

    ``signals`` is what :func:`find_signals` returned, for a caller that needs it too.
    """
    load_project_modules()
    if signals is None:
        signals = find_signals()
    found = [
        connection
        for signal, name in signals.items()
        for connection in _connections_of(signal, name)
        if not project_only or connection.is_project
    ]
    return sorted(found, key=lambda each: (each.signal_name, each.sender_label, each.path))


@functools.cache
def load_project_modules() -> ProjectModules:
    """Import the project's modules once (see the module docstring); report what failed."""
    at_startup = frozenset(name for name in list(sys.modules) if is_project_module(name))
    problems: list[ImportProblem] = []
    sources: list[tuple[str, str]] = []
    for package in _project_packages():
        _import_below(package.__path__, package.__name__, problems, sources)
    return ProjectModules(at_startup, tuple(problems), tuple(sources))


def _project_packages() -> list[ModuleType]:
    """The top-level project packages that hold an installed app or the URL configuration."""
    names = {config.name for config in apps.get_app_configs()}
    names.add(getattr(settings, "ROOT_URLCONF", "") or "")
    top_level = {name.partition(".")[0] for name in names if name}
    return [
        sys.modules[name]
        for name in sorted(top_level)
        if is_project_module(name) and hasattr(sys.modules[name], "__path__")
    ]


def _import_below(
    path: Iterable[str],
    package: str,
    problems: list[ImportProblem],
    sources: list[tuple[str, str]],
) -> None:
    """Import each module below ``package`` that may connect a receiver; record failures."""
    for module in pkgutil.iter_modules(path, prefix=f"{package}."):
        if _is_skipped(module.name):
            continue
        finder_path = getattr(module.module_finder, "path", "")
        location = os.path.join(finder_path, module.name.rpartition(".")[2])
        source = os.path.join(location, "__init__.py") if module.ispkg else f"{location}.py"
        sources.append((module.name, source))
        if module.name not in sys.modules and _may_connect(source):
            try:
                import_module(module.name)
            except Exception as error:  # whatever a module raises, the inventory carries on
                problems.append(ImportProblem(module.name, f"{type(error).__name__}: {error}"))
                continue
        if module.ispkg:
            _import_below([location], module.name, problems, sources)


def _may_connect(source_file: str) -> bool:
    """Whether a module's source mentions what connecting a receiver takes (or is unreadable).

    A module whose source calls none of ``connect(``, ``receiver(``, ``side_effect(`` or
    ``Signal(`` cannot connect a receiver or define a signal when imported, so it is not
    imported: that keeps the cost of the checks proportional to the modules that matter, and
    never runs the rest.
    """
    if not os.path.isfile(source_file):  # compiled or zipped: import it to be sure
        return True
    text = _read(source_file)
    return any(word in text for word in _CONNECTING_WORDS)


def _is_skipped(name: str) -> bool:
    """Tests, migrations, the settings, scripts and this kit are not imported by the kit."""
    settings_module = str(getattr(settings, "SETTINGS_MODULE", "") or "")
    return (
        is_test_module(name)
        or name.rpartition(".")[2] in _NOT_LOADED
        or name in (KIT_PACKAGE, settings_module)
        or (name.endswith(".settings") and settings_module.startswith(f"{name}."))
    )


def app_of(module: str) -> AppConfig | None:
    """The installed app containing ``module`` (the innermost one), found by its parents."""
    by_name = _apps_by_name()
    while module and module not in by_name:
        module = module.rpartition(".")[0]
    return by_name.get(module)


@functools.cache
def _apps_by_name() -> dict[str, AppConfig]:
    """The installed apps by package name (the registry is fixed once Django is set up)."""
    return {config.name: config for config in apps.get_app_configs()}


def modules_loaded_at_startup() -> frozenset[str]:
    """The project modules Django loaded before this kit imported the rest of the project."""
    return load_project_modules().at_startup


def find_signals() -> dict[Signal, str]:
    """Every signal in memory with receivers, and every one held where it can be named.

    Where each signal is held is looked up once and remembered while the signal stays there, so
    that calling this again (the tests run the checks and the map many times) costs one scan of
    the garbage collector's objects unless new signals appeared. A signal first seen held
    nowhere keeps the name of its first receiver even if it is assigned somewhere later.
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


_ITSELF = object()


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a signal is held: a module's attribute, or a class attribute or dict value in it."""

    module: str
    attribute: str
    # The class attribute's name or the dict's key under ``attribute``, if the signal is there.
    member: object = _ITSELF
    in_dict: bool = False

    @property
    def name(self) -> str:
        """``module.attribute``, ``module.Class.attribute`` or ``module.NAME['key']``."""
        if self.member is _ITSELF:
            return f"{self.module}.{self.attribute}"
        if self.in_dict:
            return f"{self.module}.{self.attribute}[{self.member!r}]"
        return f"{self.module}.{self.attribute}.{self.member}"

    def holds(self, signal: Signal) -> bool:
        """Whether ``signal`` is still here."""
        module = sys.modules.get(self.module)
        value = vars(module).get(self.attribute) if type(module) is ModuleType else None
        if self.member is _ITSELF:
            return value is signal
        if self.in_dict:
            return type(value) is dict and value.get(self.member) is signal
        name = self.member if isinstance(self.member, str) else ""
        return isinstance(value, type) and vars(value).get(name) is signal


# What find_signals() learnt: where each signal is held, and the signals held nowhere.
_places: weakref.WeakKeyDictionary[Signal, _Place] = weakref.WeakKeyDictionary()
_held_nowhere: weakref.WeakSet[Signal] = weakref.WeakSet()


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
    held: dict[Signal, list[tuple[str, str]]] = {}
    for name, module in modules:
        for attribute, value in list(vars(module).items()):
            if type(value) in kinds:  # type(), not isinstance(): never evaluate lazy objects
                held.setdefault(value, []).append((name, attribute))
    found = {signal: _Place(*_defining_place(places)) for signal, places in held.items()}
    project: list[tuple[str, ModuleType]] = []
    others: list[tuple[str, ModuleType]] = []
    for item in modules:
        (project if is_project_module(item[0]) else others).append(item)
    _place_in_classes_and_dicts(found, project, kinds)
    if any(signal not in found for signal in alive):
        _place_in_classes_and_dicts(found, others, kinds)
    for signal in alive:
        if signal in found:
            _places[signal] = found[signal]
            _held_nowhere.discard(signal)
        else:
            _held_nowhere.add(signal)


def _place_in_classes_and_dicts(
    found: dict[Signal, _Place], modules: list[tuple[str, ModuleType]], kinds: frozenset[type]
) -> None:
    """Add the places of signals held on the modules' classes or in their dicts (first wins)."""
    for name, module in modules:
        for place, signal in _held_in_classes_and_dicts(name, module, kinds):
            found.setdefault(signal, place)


def _fallback_name(signal: Signal) -> str:
    """A name for a signal held where no name can be read: after its first live receiver."""
    for _, receiver, _, _ in signal.receivers:
        live = receiver() if isinstance(receiver, weakref.ReferenceType) else receiver
        if live is not None:
            return f"<signal of {_receiver_path(live, registration_of(live))}>"
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


def _held_in_classes_and_dicts(
    name: str, module: ModuleType, kinds: frozenset[type]
) -> Iterator[tuple[_Place, Signal]]:
    """``(place, signal)`` for each signal on a class of the module or in a module-level dict."""
    for attribute, value in list(vars(module).items()):
        kind = type(value)
        if kind is dict:
            for key, item in list(value.items()):
                if type(item) in kinds:
                    yield _Place(name, attribute, key, in_dict=True), item
        elif issubclass(kind, type) and vars(value).get("__module__") == name:
            for member, item in list(vars(value).items()):
                if type(item) in kinds:
                    yield _Place(name, attribute, member), item


def _defining_place(places: list[tuple[str, str]]) -> tuple[str, str]:
    """``(module, attribute)`` where the signal is defined, not where a module imported it."""
    if len(places) > 1:
        # Likeliest first, so that usually one source is read.
        places = sorted(places, key=lambda place: _rank(place[0]))
        for module, attribute in places:
            if _assigns(module, attribute):
                return module, attribute
    return places[0]


def _rank(module: str) -> tuple[bool, int, str]:
    """Modules called ``signals``/``events`` first, then shorter names."""
    return module.rpartition(".")[2] not in {"signals", "events"}, len(module), module


def _assigns(module: str, name: str) -> bool:
    """Whether ``module``'s source assigns ``name`` at its top level (read, never parsed)."""
    return re.search(rf"^{re.escape(name)}\s*(?::[^=\n]*)?=", _source(module), re.M) is not None


def _source(module: str) -> str:
    """The source of a loaded module, ``""`` when it has none on disk."""
    filename = getattr(sys.modules.get(module), "__file__", None) or ""
    return _read(filename) if filename.endswith(".py") else ""


@functools.cache
def _read(filename: str) -> str:
    """A source file's text (read once), ``""`` if it cannot be read."""
    try:
        return Path(filename).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _connections_of(signal: Signal, name: str) -> Iterator[Connection]:
    """The live receivers of one signal, each with a name that tells it apart from the others."""
    live = list(_live_receivers(signal))
    seen: Counter[tuple[str, str]] = Counter()
    repeated = Counter((label, _receiver_path(receiver, reg)) for label, _, receiver, reg in live)
    for label, sender, receiver, registration in live:
        path = _receiver_path(receiver, registration)
        seen[(label, path)] += 1
        if repeated[(label, path)] > 1:
            path = f"{path} ({seen[(label, path)]})"
        yield Connection(signal, name, sender, label, receiver, registration, path)


def _live_receivers(
    signal: Signal,
) -> Iterator[tuple[str, object, Receiver, Registration | None]]:
    """``(sender label, sender, receiver, registration)`` as Django stores them."""
    for (_, sender_key), receiver, sender_ref, _is_async in list(signal.receivers):
        live = receiver() if isinstance(receiver, weakref.ReferenceType) else receiver
        if live is None:
            continue
        registration = registration_of(live)
        if sender_key == NONE_ID:
            yield "any", None, live, registration
        elif sender_ref is not None:
            sender = sender_ref()
            if sender is not None:  # else: the sender is gone, so the receiver never runs
                yield sender_label(sender), sender, live, registration
        elif registration is not None and registration.sender is not None:
            yield sender_label(registration.sender), registration.sender, live, registration
        else:
            yield UNKNOWN_SENDER_LABEL, None, live, registration


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


def _receiver_path(receiver: Receiver, registration: Registration | None) -> str:
    """The dotted path; for a lambda or closure its line, for an instance its readable repr."""
    if registration is not None:
        return registration.path
    path = dotted_path(receiver)
    code = getattr(_target(receiver), "__code__", None)
    if code is not None and "<" in path:  # <lambda>, <locals>: not unique by name
        path = f"{path}:{code.co_firstlineno}"
    instance = _instance_of(receiver)
    if instance is not None and _is_readable(text := repr(instance)):
        path = f"{path} of {text}"
    return path


def _instance_of(receiver: Receiver) -> object | None:
    """The object a bound method or a callable instance belongs to; ``None`` for a function."""
    target = getattr(receiver, "func", receiver)  # a partial's callable
    owner = getattr(target, "__self__", None)
    if owner is not None:
        return None if isinstance(owner, type | ModuleType) else owner
    return None if isinstance(target, FunctionType | type) else target


def _is_readable(text: str) -> bool:
    """Whether a repr is stable and short enough to show (no memory address)."""
    return " at 0x" not in text and len(text) <= 80


def sender_label(sender: object) -> str:
    """The sender as written: ``app_label.Model``, a dotted path, ``'a string'``, ``42``."""
    if sender is None:
        return "any"
    if isinstance(sender, type) and issubclass(sender, Model):
        return sender._meta.label
    if isinstance(sender, type):
        return f"{sender.__module__}.{sender.__qualname__}"
    text = repr(sender)
    return dotted_path(type(sender)) if " at 0x" in text else text


def project_signals(signals: Mapping[Signal, str] | None = None) -> dict[str, Signal]:
    """The signals the project defines itself (its own events, not tests'), by name.

    ``signals`` is what :func:`find_signals` returned, for a caller that needs it too.
    """
    load_project_modules()
    if signals is None:
        signals = find_signals()
    found = {name: signal for signal, name in signals.items()}
    return {name: found[name] for name in sorted(found) if is_project_module(_module_of(name))}


def _module_of(name: str) -> str:
    """The module part of a signal's name: ``app.events`` of ``app.events.Events.placed``."""
    module = re.sub(r"\[.*\]$", "", name).rpartition(".")[0]
    while module and module not in sys.modules:
        module = module.rpartition(".")[0]
    return module


def modules_sending(names: Iterable[str]) -> dict[str, list[str]]:
    """For each signal name, the project modules whose code calls ``<how it is held>.send(...)``.

    Read from the source of every project module, imported or not, once (a text search, no
    parsing), so a signal is matched by the attribute it is sent through: ``order_placed.send``,
    ``Events.shipped.send``, ``HOOKS["paid"].send``.
    """
    wanted = {name: _sent_as(name) for name in names}
    sending: dict[str, list[str]] = {name: [] for name in wanted}
    files = dict(load_project_modules().sources)
    for module in list(sys.modules):
        if is_project_module(module) and module not in files:
            files[module] = getattr(sys.modules[module], "__file__", None) or ""
    for module, filename in sorted(files.items()):
        sent = _signals_sent(filename)
        for name, sent_as in wanted.items():
            if sent_as in sent:
                sending[name].append(module)
    return sending


# ``<name>.send(``, ``<name>[<key>].asend(``, ``.send_robust(``...: the name and the subscript.
_SEND = re.compile(r"\b(\w+)\s*(\[[^\]\n]*\])?\s*\.\s*a?send(?:_robust)?\s*\(")


@functools.cache
def _signals_sent(filename: str) -> frozenset[str]:
    """What a source file sends through (read once): ``order_placed``, ``HOOKS['paid']``."""
    source = _read(filename) if filename.endswith(".py") else ""
    return frozenset(name + _key_text(subscript) for name, subscript in _SEND.findall(source))


def _key_text(subscript: str) -> str:
    """``['paid']`` of ``["paid"]``: a literal key as its repr, so that quotes do not matter."""
    if not subscript:
        return ""
    try:
        return f"[{ast.literal_eval(subscript[1:-1])!r}]"
    except (ValueError, SyntaxError):  # a variable or an expression: no signal's name matches
        return subscript


def _sent_as(name: str) -> str:
    """How a signal is sent: ``order_placed`` of ``app.events.order_placed``, ``shipped`` of
    ``app.events.Events.shipped``, ``HOOKS['paid']`` of ``app.events.HOOKS['paid']``."""
    held, subscript, key = name.partition("[")
    return held.rpartition(".")[2] + subscript + key
