"""Production settings refuse to start half-configured and pass Django's deployment checks."""

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_KEY = "a-long-random-production-secret-key-0123456789-abcdefghijklmnop"
HOST = "shop.example.com"


@pytest.mark.parametrize(
    ("env", "refusal"),
    [
        pytest.param({"ALLOWED_HOSTS": HOST}, "SECRET_KEY is not set", id="no-secret-key"),
        pytest.param(
            {"ALLOWED_HOSTS": HOST, "SECRET_KEY": f"django-insecure-{PRODUCTION_KEY}"},
            "SECRET_KEY is a development key",
            id="development-key",
        ),
        pytest.param(
            {"ALLOWED_HOSTS": HOST, "SECRET_KEY": "short"},
            "SECRET_KEY is too weak",
            id="weak-key",
        ),
        pytest.param({"SECRET_KEY": PRODUCTION_KEY}, "Set ALLOWED_HOSTS", id="no-allowed-hosts"),
    ],
)
def test_production_refuses_to_start_half_configured(
    load_settings: Callable[..., object], env: dict[str, str], refusal: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=refusal):
        load_settings("config.settings.production", **env)


def test_production_passes_the_deployment_checks() -> None:
    """A real start with production settings and nothing but its required variables set.

    A developer's ``.env`` may sit in the project's root: production settings must ignore it.
    """
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_ROOT,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DATABASE_URL": "sqlite:///:memory:",
            "SECRET_KEY": PRODUCTION_KEY,
            "ALLOWED_HOSTS": HOST,
        },
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
