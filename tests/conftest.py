"""Fixtures that render the template in-process and run a baked project's own tools.

Every bake goes into pytest's ``tmp_path``; cookiecutter's replay and cache directories are
pointed there too, so the template's tests never write to the home directory. The plain helpers
behind these fixtures, which test modules import, are in ``tests/helpers.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import bake_project

# Fixtures of the real-server tests (PostgreSQL, Redis, SMTP, processes): tests/servers.py.
pytest_plugins = ["tests.servers"]


@pytest.fixture
def bake(tmp_path: Path) -> Callable[..., Path]:
    """Bake a fresh project into this test's ``tmp_path``: ``bake(include_example_app=False)``."""

    def _bake(**answers: object) -> Path:
        return bake_project(tmp_path, **answers)

    return _bake


@pytest.fixture(scope="module")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One project baked with the default answers, shared by a module's tests: read, never edit."""
    return bake_project(tmp_path_factory.mktemp("default"))
