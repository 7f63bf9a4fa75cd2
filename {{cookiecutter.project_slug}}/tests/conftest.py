"""Fixtures of the project's own tests."""

import runpy
import sys
from collections.abc import Callable
from typing import Any

import pytest

import config.settings.base

# Variables some settings modules refuse to start without.
REQUIRED_VARIABLES = ("SECRET_KEY", "ALLOWED_HOSTS")


@pytest.fixture
def load_settings(monkeypatch: pytest.MonkeyPatch) -> Callable[..., dict[str, Any]]:
    """``load_settings("config.settings.production", SECRET_KEY=...)``: its settings, by name.

    The module runs afresh in this process, with only ``env`` set among the variables it
    requires, and with a fresh ``base.py``, so nothing it changes there reaches the test
    settings already loaded.
    """

    def load(module: str, **env: str) -> dict[str, Any]:
        monkeypatch.delitem(sys.modules, "config.settings.base", raising=False)
        monkeypatch.setattr(config.settings, "base", config.settings.base)  # imports rebind it
        for name in REQUIRED_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_module(module)

    return load
