"""Fixtures of the kit's tests: receivers connected for one test, then disconnected.

Also starts the inner runs of the pytest plugin's and the Django runner's tests as soon as those
tests are collected, so that they run beside the other tests instead of holding up the gate
when their turn comes.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
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
    """Start the inner run of each module that has one now, if any of its tests will run."""
    modules = {item.module for item in _functions(session.items)}
    for module, key, start in _inner_runs():
        if module in modules:
            directory = Path(tempfile.mkdtemp(prefix=f"{module.__name__.rpartition('.')[2]}-"))
            session.config.stash.setdefault(_INNER_DIRECTORIES, []).append(directory)
            session.config.stash[key] = start(directory)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the inner runs no test waited for (an interrupted run); remove their files."""
    for _, key, _ in _inner_runs():
        started = config.stash.get(key, None)
        if started is not None and started.poll() is None:
            started.kill()
            started.communicate()
    for directory in config.stash.get(_INNER_DIRECTORIES, []):
        shutil.rmtree(directory, ignore_errors=True)


_INNER_DIRECTORIES = pytest.StashKey[list[Path]]()
InnerRun = tuple[ModuleType, pytest.StashKey["subprocess.Popen[str]"], Callable[[Path], Any]]


def _inner_runs() -> list[InnerRun]:
    """The test modules with an inner run: the module, where its process is kept, its start."""
    from . import test_django_runner, test_pytest_plugin

    return [
        (test_pytest_plugin, test_pytest_plugin.INNER_RUN, test_pytest_plugin.start_inner_run),
        (test_django_runner, test_django_runner.DRIVEN, test_django_runner.start_driver),
    ]


def _functions(items: list[pytest.Item]) -> Iterator[pytest.Function]:
    """The test functions among collected items."""
    return (item for item in items if isinstance(item, pytest.Function))
