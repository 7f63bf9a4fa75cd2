"""Fixtures of the kit's tests: receivers connected for one test, then disconnected."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.dispatch import Signal

from ..decorator import side_effect
from ..registry import Receiver, registrations

KIT_LOGGER = __package__.rpartition(".")[0]


@pytest.fixture
def connect() -> Iterator[Callable[..., Receiver]]:
    """``connect(signal, receiver, **options)``: ``@side_effect`` for the duration of a test."""
    before = set(registrations())

    def _connect(signal: Signal | list[Signal], receiver: Receiver, **options: Any) -> Receiver:
        return side_effect(signal, **options)(receiver)

    yield _connect
    for registration in registrations():
        if registration not in before:
            registration.disconnect()


@pytest.fixture
def connect_plainly() -> Iterator[Callable[..., None]]:
    """``connect_plainly(signal, receiver, sender=None)``: ``Signal.connect()``, for one test."""
    connected: list[tuple[Signal, Receiver, object]] = []

    def _connect(signal: Signal, receiver: Receiver, sender: object = None) -> None:
        signal.connect(receiver, sender=sender, weak=False)
        connected.append((signal, receiver, sender))

    yield _connect
    for signal, receiver, sender in connected:
        signal.disconnect(receiver, sender=sender)


@pytest.fixture
def kit_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """``caplog`` for the kit's error log."""
    with caplog.at_level(logging.ERROR, logger=KIT_LOGGER):
        yield caplog
