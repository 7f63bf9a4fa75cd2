"""Import the project's modules once, so that a receiver connected anywhere in it is found.

Imported: every module of each project package that holds an installed app or the URL
configuration whose source mentions one of :data:`CONNECTING_WORDS` (a module without them
cannot connect a receiver or define a signal, so it is never run), except tests, migrations,
the settings and this kit. A module that cannot be imported is recorded, never fatal.
"""

from __future__ import annotations

import functools
import os
import pkgutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.conf import settings

from ..runtime.naming import read_source
from .scope import is_kit_module, is_project_module, is_test_module

CONNECTING_WORDS = ("connect(", "receiver(", "side_effect(", "Signal(")
# Parts of a package that are never imported, besides tests and their helpers (which may
# register test models): migrations and scripts.
_NOT_LOADED = frozenset({"migrations", "__main__"})


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


@functools.cache
def load_project_modules() -> ProjectModules:
    """Import the project's modules once (see the module docstring); report what failed."""
    at_startup = frozenset(name for name in list(sys.modules) if is_project_module(name))
    problems: list[ImportProblem] = []
    sources: list[tuple[str, str]] = []
    for package in _project_packages():
        _import_below(package.__path__, package.__name__, problems, sources)
    return ProjectModules(at_startup, tuple(problems), tuple(sources))


@functools.cache
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
            except Exception as error:  # whatever a module raises, loading carries on
                problems.append(ImportProblem(module.name, f"{type(error).__name__}: {error}"))
                continue
        if module.ispkg:
            _import_below([location], module.name, problems, sources)


def _may_connect(source_file: str) -> bool:
    """Whether a module's source mentions what connecting a receiver takes (or is unreadable)."""
    if not os.path.isfile(source_file):  # compiled or zipped: import it to be sure
        return True
    text = read_source(source_file)
    return any(word in text for word in CONNECTING_WORDS)


def _is_skipped(name: str) -> bool:
    """Tests, migrations, the settings, scripts and this kit are not imported by the kit."""
    settings_module = str(getattr(settings, "SETTINGS_MODULE", "") or "")
    return (
        is_test_module(name)
        or name.rpartition(".")[2] in _NOT_LOADED
        or is_kit_module(name)
        or name == settings_module
        or (name.endswith(".settings") and settings_module.startswith(f"{name}."))
    )
