"""Production settings refuse to start half-configured and pass Django's deployment checks."""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_KEY = "a-long-random-production-secret-key-0123456789-abcdefghijklmnop"
HOST = "shop.example.com"

# Each run below: the ``manage.py`` arguments, and the only variables set besides the settings.
RUNS: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "without a secret key": (("check",), {"ALLOWED_HOSTS": HOST}),
    "without allowed hosts": (("check",), {"SECRET_KEY": PRODUCTION_KEY}),
    "deployment checks": (
        ("check", "--deploy", "--fail-level", "WARNING"),
        {"SECRET_KEY": PRODUCTION_KEY, "ALLOWED_HOSTS": HOST},
    ),
}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py`` with production settings and only the given variables set.

    A developer's ``.env`` may sit in the project's root: production settings must ignore it.
    """
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": "sqlite:///:memory:",
        **env,
    }
    return subprocess.run(  # noqa: S603 - a fixed command line, run by the test suite
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def runs() -> dict[str, subprocess.CompletedProcess[str]]:
    """Every run in :data:`RUNS`, by name, started together: each mostly waits on its start-up."""
    with ThreadPoolExecutor(max_workers=len(RUNS)) as pool:
        started = {
            name: pool.submit(run_manage, *args, **env) for name, (args, env) in RUNS.items()
        }
        return {name: future.result() for name, future in started.items()}


def test_production_refuses_to_start_without_a_secret_key(
    runs: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    result = runs["without a secret key"]

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(
    runs: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    result = runs["without allowed hosts"]

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_passes_the_deployment_checks(
    runs: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    result = runs["deployment checks"]

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
