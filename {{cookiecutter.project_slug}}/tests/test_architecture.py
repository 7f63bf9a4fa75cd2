"""The project's architecture rules, run as tests so that ``pytest`` is the whole gate.

Each test fails with the tool's own explanation: the broken import contract and its guidance,
the system check and its hint, the missing migration, or the stale signal map and its diff.
"""

from pathlib import Path

import pytest
from django.core.management import call_command
from importlinter.cli import lint_imports

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept(capsys: pytest.CaptureFixture[str]) -> None:
    exit_code = lint_imports(
        config_filename=str(PROJECT_ROOT / "pyproject.toml"), no_cache=True, no_logo=True
    )

    if exit_code != 0:
        pytest.fail(capsys.readouterr().out, pytrace=False)


def test_system_checks_pass_without_warnings() -> None:
    call_command("check", "--fail-level", "WARNING")


@pytest.mark.django_db
def test_migrations_are_up_to_date() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_signal_map_is_fresh() -> None:
    call_command("signalmap", "--check", str(PROJECT_ROOT / "docs" / "signals.md"))
