"""Production settings refuse to start half-configured and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_KEY = "a-long-random-production-secret-key-0123456789-abcdefghijklmnop"


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


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = run_manage("check", ALLOWED_HOSTS="shop.example.com")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts() -> None:
    result = run_manage("check", SECRET_KEY=PRODUCTION_KEY)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_passes_the_deployment_checks() -> None:
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=PRODUCTION_KEY,
        ALLOWED_HOSTS="shop.example.com",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
