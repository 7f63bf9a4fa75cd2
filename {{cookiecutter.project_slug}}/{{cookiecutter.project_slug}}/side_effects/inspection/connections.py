"""Every receiver connected to every signal, as :class:`Connection` records.

The checks and the signal map both start here: :func:`connections` loads the project's modules,
finds the signals and lists each live receiver of each, for each sender.
"""

from __future__ import annotations

import functools
import weakref
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import FunctionType

from django.apps import AppConfig, apps
from django.db.models.signals import ModelSignal
from django.dispatch import Signal
from django.dispatch.dispatcher import NONE_ID

from ..runtime.naming import module_of, sender_label, summary_of, unwrapped
from ..runtime.registry import Receiver, Registration, receiver_name, registration_of
from .loading import load_project_modules
from .scope import is_project_module
from .signal_names import find_signals

UNKNOWN_SENDER_LABEL = "<a sender that is not weak-referenceable>"


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
        return module_of(self.receiver)

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
        return isinstance(self.receiver, FunctionType)

    @property
    def summary(self) -> str:
        """The first paragraph of the receiver's docstring, or ``""``."""
        if self.registration:
            return self.registration.summary
        return summary_of(unwrapped(self.receiver))


def connections(
    *, project_only: bool = True, signals: Mapping[Signal, str] | None = None
) -> list[Connection]:
    """Every live receiver of every signal, sorted by signal, sender and receiver.

    ``signals`` is what :func:`~.signal_names.find_signals` returned, for a caller that needs
    it too.
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


def _connections_of(signal: Signal, name: str) -> Iterator[Connection]:
    """The live receivers of one signal, each with a name that tells it apart from the others."""
    live = list(_live_receivers(signal))
    seen: Counter[tuple[str, str]] = Counter()
    repeated = Counter((label, receiver_name(receiver)) for label, _, receiver, _ in live)
    for label, sender, receiver, registration in live:
        path = receiver_name(receiver)
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
