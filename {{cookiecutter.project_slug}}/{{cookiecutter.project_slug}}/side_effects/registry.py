"""What the kit knows about each receiver connected with ``@side_effect``.

A :class:`Registration` records the promises a receiver was connected with (signals, sender,
``on_commit``, query and time budgets, ``normalizes``) and its docstring. The system checks,
``manage.py signalmap`` and the pytest plugin read it; nothing here runs when a signal is sent.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

from django.dispatch import Signal

# The project's top-level package: receivers in modules below it are judged by the checks.
PROJECT_PACKAGE = __package__.partition(".")[0]

Receiver = Callable[..., object]


@dataclass(frozen=True, slots=True, eq=False)
class Registration:
    """One receiver connected with ``@side_effect``, and how it was connected."""

    path: str
    func: Receiver
    signals: tuple[Signal, ...]
    sender: object
    on_commit: bool
    max_queries: int
    skip_raw: bool
    # Seconds one call may take in the tests (the pytest plugin's time budget).
    max_seconds: float = 0.25
    # A pre_save receiver that only normalises the instance's values may change them.
    normalizes: bool = False

    @property
    def summary(self) -> str:
        """The first paragraph of the receiver's docstring, or ``""`` when it has none."""
        return summary_of(self.func)

    def disconnect(self) -> None:
        """Disconnect the receiver from all its signals and forget it (for tests)."""
        for signal in self.signals:
            signal.disconnect(sender=self.sender, dispatch_uid=self.path)
        for receiver in [key for key, value in _by_receiver.items() if value is self]:
            del _by_receiver[receiver]


def summary_of(obj: object) -> str:
    """The first paragraph of ``obj``'s docstring on one line, or ``""``."""
    doc = inspect.getdoc(obj) or ""
    return " ".join(doc.split("\n\n")[0].split())


# The callables handed to Signal.connect(), each mapped to the registration it serves.
_by_receiver: dict[Receiver, Registration] = {}


def register(receiver: Receiver, registration: Registration) -> None:
    """Remember that ``receiver`` (the connected wrapper) serves ``registration``."""
    _by_receiver[receiver] = registration


def registration_of(receiver: Receiver) -> Registration | None:
    """The registration behind a connected receiver; ``None`` if it bypassed ``@side_effect``."""
    return _by_receiver.get(receiver)


def registrations() -> list[Registration]:
    """Every registration, sorted by dotted path."""
    unique = {id(registration): registration for registration in _by_receiver.values()}
    return sorted(unique.values(), key=lambda registration: registration.path)
