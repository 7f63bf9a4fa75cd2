"""Which code is the project's: the code the checks, the signal map and the guards judge.

Project code is every module whose file lives under a project root
(``SIDE_EFFECTS_PROJECT_ROOTS``, by default the repository root: ``config/``, the project
package, apps beside them or nested at any depth) outside an installed location (a virtual
environment, ``site-packages``), except tests: what pytest collects (``test_*.py``,
``*_test.py``), ``conftest.py``, and the modules of test directories (``tests/``, ``test/``).
A module imported when Django starts is project code whatever its name: ``ready()`` made it
part of every process.
"""

from __future__ import annotations

import functools
import os
import sys
import sysconfig
from pathlib import Path

from ..runtime.conf import KIT_PACKAGE, forget_roots, relative_to_root

# Module names that mark tests and their helpers at any depth, besides a ``test_`` prefix and
# a ``_test`` suffix (pytest's default ``python_files``).
TEST_MODULES = ("test", "tests", "conftest")
TEST_PREFIX = "test_"
TEST_SUFFIX = "_test"

# Directory names that hold installed packages wherever they are (another virtual environment).
_INSTALLED_DIRECTORIES = frozenset({"site-packages", "dist-packages"})


def is_project_module(name: str) -> bool:
    """Whether module ``name`` is project code; a name not loaded is judged by its parents."""
    # The file test first: it is a cached lookup, and most modules loaded are not the project's.
    return is_project_file(_file_of_nearest_loaded(name)) and not is_test_module(name)


def is_kit_module(name: str) -> bool:
    """Whether module ``name`` is this kit or part of it."""
    return name == KIT_PACKAGE or name.startswith(f"{KIT_PACKAGE}.")


def is_test_module(name: str) -> bool:
    """Whether ``name`` is, or is inside, a test module or package not imported at start-up."""
    return _names_a_test(name.split(".")) and name not in startup_modules()


def startup_modules() -> frozenset[str]:
    """The project modules loaded when Django started (noted at the first call).

    The pytest plugin calls it before collection; ``manage.py`` commands after ``setup()``.
    Conftest modules, which pytest loads, are never among them.
    """
    global _startup
    if _startup is None:
        _startup = frozenset(
            name
            for name, module in list(sys.modules.items())
            if "conftest" not in name.split(".")
            and is_project_file(getattr(module, "__file__", None))
        )
    return _startup


_startup: frozenset[str] | None = None


def is_test_file(filename: str) -> bool:
    """:func:`is_test_module` for a file below a project root, judged by its path there."""
    relative = relative_to_root(Path(filename).resolve())
    if relative is None:
        return False
    return _names_a_test([*relative.parent.parts, relative.stem])


@functools.cache
def is_project_file(filename: str | None) -> bool:
    """Whether ``filename`` is below a project root and outside every installed location.

    Code objects of frozen or generated modules name no real file (``<frozen ...>``): never.
    """
    if not filename or not os.path.isabs(filename):
        return False
    return _is_project_directory(os.path.dirname(filename))


def _names_a_test(parts: list[str]) -> bool:
    """Whether one of a module's dotted-name parts marks tests."""
    return any(
        part in TEST_MODULES or part.startswith(TEST_PREFIX) or part.endswith(TEST_SUFFIX)
        for part in parts
    )


def _file_of_nearest_loaded(name: str) -> str | None:
    """The file of module ``name`` or, if it is not loaded, of its nearest loaded parent."""
    while name:
        module = sys.modules.get(name)
        if module is not None:
            return getattr(module, "__file__", None)
        name = name.rpartition(".")[0]
    return None


@functools.cache
def _is_project_directory(directory: str) -> bool:
    """:func:`is_project_file` for every file of a directory (far fewer than files)."""
    path = Path(directory).resolve()
    if relative_to_root(path) is None or _INSTALLED_DIRECTORIES.intersection(path.parts):
        return False
    return not any(path.is_relative_to(place) for place in _installed_locations())


def forget_project_roots() -> None:
    """Read ``SIDE_EFFECTS_PROJECT_ROOTS`` again, for a test that changes it."""
    forget_roots()
    is_project_file.cache_clear()
    _is_project_directory.cache_clear()


@functools.cache
def _installed_locations() -> tuple[Path, ...]:
    """Where installed packages live: this interpreter's prefix and its site-packages."""
    paths = sysconfig.get_paths()
    places = {sys.prefix, sys.exec_prefix, paths["purelib"], paths["platlib"]}
    return tuple(Path(place).resolve() for place in places)
