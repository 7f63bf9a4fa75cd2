"""What the kit knows about each receiver connected with ``@side_effect``.

A :class:`Registration` records the promises a receiver was connected with and its docstring;
the checks, the signal map and the runtime guards read it. Nothing here runs when a signal is
sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model
from django.dispatch import Signal

from .naming import distinct_name, summary_of

Receiver = Callable[..., object]


@dataclass(frozen=True, slots=True, eq=False)
class Registration:
    """One receiver connected with ``@side_effect``, and the arguments it was connected with."""

    path: str
    func: Receiver
    signals: tuple[Signal, ...]
    sender: object
    on_commit: bool
    max_queries: int
    max_seconds: float
    skip_raw: bool
    normalizes: bool
    # The models whose rows the receiver writes (besides the hand-off's queued task).
    writes: tuple[type[Model], ...] = ()

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


# The callables handed to Signal.connect(), each mapped to the registration it serves.
_by_receiver: dict[Receiver, Registration] = {}
# How many registrations were ever made: a reader that saw this number has seen them all.
_made = 0


def register(receiver: Receiver, registration: Registration) -> None:
    """Remember that ``receiver`` (the connected wrapper) serves ``registration``."""
    global _made
    _by_receiver[receiver] = registration
    _made += 1


def registrations_made() -> int:
    """How many registrations were ever made, forgotten ones included (cheap: no list built)."""
    return _made


def registration_of(receiver: Receiver) -> Registration | None:
    """The registration behind a connected receiver; ``None`` if it bypassed ``@side_effect``."""
    return _by_receiver.get(receiver)


def receiver_name(receiver: Receiver) -> str:
    """A connected receiver's name: its registration's dotted path, else its distinct name."""
    registration = _by_receiver.get(receiver)
    return registration.path if registration is not None else distinct_name(receiver)


def registrations() -> list[Registration]:
    """Every registration, sorted by dotted path."""
    unique = {id(registration): registration for registration in _by_receiver.values()}
    return sorted(unique.values(), key=lambda registration: registration.path)
