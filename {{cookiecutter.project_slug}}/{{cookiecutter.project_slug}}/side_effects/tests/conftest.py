"""Fixtures of the kit's tests: receivers connected for one test, then disconnected.

Also starts the pytest plugin tests' inner pytest run as soon as those tests are collected, so
that it runs beside the other tests instead of holding up the gate when its turn comes.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.dispatch import Signal

from ..runtime.decorator import side_effect
from ..runtime.registry import Receiver, registrations

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


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the inner run of ``test_pytest_plugin`` now if any of its tests will run."""
    from . import test_pytest_plugin

    if any(item.module is test_pytest_plugin for item in _functions(session.items)):
        directory = Path(tempfile.mkdtemp(prefix="pytest-plugin-inner-"))
        session.config.stash[_INNER_DIRECTORY] = directory
        session.config.stash[test_pytest_plugin.INNER_RUN] = test_pytest_plugin.start_inner_run(
            directory
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the inner run if no test waited for it (an interrupted run); remove its files."""
    from . import test_pytest_plugin

    started = config.stash.get(test_pytest_plugin.INNER_RUN, None)
    if started is not None and started.poll() is None:
        started.kill()
        started.communicate()
    directory = config.stash.get(_INNER_DIRECTORY, None)
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)


_INNER_DIRECTORY = pytest.StashKey[Path]()


def _functions(items: list[pytest.Item]) -> Iterator[pytest.Function]:
    """The test functions among collected items."""
    return (item for item in items if isinstance(item, pytest.Function))
