"""What the kit knows about each receiver connected with ``@side_effect``.

A :class:`Registration` records the promises a receiver was connected with (signals, sender,
``on_commit``, query and time budgets, ``normalizes``) and its docstring. The system checks,
``manage.py signalmap`` and the pytest plugin read it; nothing here runs when a signal is sent.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
import sysconfig
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.dispatch import Signal

# The project's top-level package, where apps are created and the import contracts look.
PROJECT_PACKAGE = __package__.partition(".")[0]
# The repository root (where manage.py is): code below it is the project's, unless installed.
PROJECT_ROOT = Path(__file__).resolve().parents[2]

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

    @property
    def is_project(self) -> bool:
        """Whether the receiver is project code (see :func:`is_project_module`)."""
        return is_project_module(self.func.__module__)

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


def is_project_module(name: str) -> bool:
    """Whether module ``name`` is project code, which the checks, map and budgets judge.

    Project code is every module whose file lives under :data:`PROJECT_ROOT` (``config/``, the
    project package, apps beside them, apps nested at any depth) and not in an installed
    location (a virtual environment or ``site-packages`` inside the repository), except tests
    (a ``test``, ``tests``, ``testing``, ``conftest`` or ``fixtures`` package or module, or a
    ``test_*`` module). A name that is not loaded is judged by its nearest loaded parent.
    """
    # The file test first: it is a cached lookup, and most modules loaded are not the project's.
    return is_project_file(_file_of_nearest_loaded(name)) and not is_test_module(name)


def _file_of_nearest_loaded(name: str) -> str | None:
    """The file of module ``name`` or, if it is not loaded, of its nearest loaded parent."""
    while name:
        module = sys.modules.get(name)
        if module is not None:
            return getattr(module, "__file__", None)
        name = name.rpartition(".")[0]
    return None


# Module names that mark tests and their helpers, at any depth.
TEST_MODULES = frozenset({"test", "tests", "testing", "conftest", "fixtures"})


def is_test_module(name: str) -> bool:
    """Whether ``name`` is, or is inside, a test module or package."""
    return _names_a_test(name.split("."))


def is_test_file(filename: str) -> bool:
    """:func:`is_test_module` for a file below the project root, judged by its path there."""
    path = Path(filename).resolve()
    if not path.is_relative_to(PROJECT_ROOT):
        return False
    relative = path.relative_to(PROJECT_ROOT)
    return _names_a_test([*relative.parent.parts, relative.stem])


def _names_a_test(parts: list[str]) -> bool:
    """Whether one of a module's dotted-name parts marks tests."""
    return any(part in TEST_MODULES or part.startswith("test_") for part in parts)


# Directory names that hold installed packages wherever they are (another virtual environment).
_INSTALLED_DIRECTORIES = frozenset({"site-packages", "dist-packages"})


@functools.cache
def is_project_file(filename: str | None) -> bool:
    """Whether ``filename`` is below the project root and outside every installed location.

    Code objects of frozen or generated modules name no real file (``<frozen ...>``): never.
    """
    if not filename or not os.path.isabs(filename):
        return False
    return _is_project_directory(os.path.dirname(filename))


@functools.cache
def _is_project_directory(directory: str) -> bool:
    """:func:`is_project_file` for every file of a directory (far fewer than files)."""
    path = Path(directory).resolve()
    if not path.is_relative_to(PROJECT_ROOT) or _INSTALLED_DIRECTORIES.intersection(path.parts):
        return False
    return not any(path.is_relative_to(place) for place in _installed_locations())


@functools.cache
def _installed_locations() -> tuple[Path, ...]:
    """Where installed packages live: this interpreter's prefix and its site-packages."""
    paths = sysconfig.get_paths()
    places = {sys.prefix, sys.exec_prefix, paths["purelib"], paths["platlib"]}
    return tuple(Path(place).resolve() for place in places)


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
