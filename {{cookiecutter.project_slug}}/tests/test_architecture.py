"""The project's architecture rules, run as tests so that ``pytest`` is the whole gate.

Each test fails with the tool's own explanation: the broken import contract and its guidance,
the system check and its hint, the missing migration, or the stale signal map and its diff.
Neither the receiver checks nor the receiver guards can be switched off: silencing a check,
disabling the pytest plugin or leaving tests out of every run (addopts) fails the gate.
"""

import logging
import pkgutil
import secrets
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from importlinter.cli import lint_imports

import config.settings
from {{ cookiecutter.project_slug }}.side_effects.testing.advice import CONTRACT_GUIDANCE
from {{ cookiecutter.project_slug }}.side_effects.testing.pytest_plugin import guards_off_reason

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KIT_CHECKS = "side_effects."
SETTINGS_MODULES = [
    f"config.settings.{module.name}" for module in pkgutil.iter_modules(config.settings.__path__)
]


@contextmanager
def existing_loggers_kept() -> Iterator[None]:
    """Undo import-linter's logging setup, which disables every logger that exists already."""
    loggers = [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    disabled = [logger.disabled for logger in loggers]
    try:
        yield
    finally:
        for logger, was_disabled in zip(loggers, disabled, strict=True):
            logger.disabled = was_disabled


def test_import_contracts_are_kept(capsys: pytest.CaptureFixture[str]) -> None:
    with existing_loggers_kept():
        exit_code = lint_imports(
            config_filename=str(PROJECT_ROOT / "pyproject.toml"), no_cache=True, no_logo=True
        )

    if exit_code != 0:
        pytest.fail(capsys.readouterr().out, pytrace=False)


def test_contract_guidance_is_the_kits_advice() -> None:
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = {each["id"]: each for each in pyproject["tool"]["importlinter"]["contracts"]}
    problems = [
        f"Contract {contract_id}: "
        + ("missing" if contract_id not in contracts else "broken_contract_guidance differs")
        for contract_id, guidance in CONTRACT_GUIDANCE.items()
        if contracts.get(contract_id, {}).get("broken_contract_guidance") != guidance
    ]

    if problems:
        pytest.fail(
            "\n".join(problems) + "\nWrite each one in pyproject.toml as CONTRACT_GUIDANCE in "
            "side_effects/testing/advice.py has it (one text per line ending with a backslash).",
            pytrace=False,
        )


def test_receiver_checks_are_not_silenced(load_settings: Callable[..., dict[str, Any]]) -> None:
    variables = {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "localhost"}
    silenced_in = {settings.SETTINGS_MODULE: settings.SILENCED_SYSTEM_CHECKS}
    for module in SETTINGS_MODULES:
        if module not in silenced_in:
            loaded = load_settings(module, **variables)
            silenced_in[module] = loaded.get("SILENCED_SYSTEM_CHECKS", [])
    problems = [
        f"SILENCED_SYSTEM_CHECKS switches off the receiver checks {', '.join(kit)} in {where}."
        for where, checks in silenced_in.items()
        if (kit := [check for check in checks if check.startswith(KIT_CHECKS)])
    ]

    if problems:
        pytest.fail(
            "\n".join(problems)
            + "\nRemove them from the setting and fix the receivers the checks name instead.",
            pytrace=False,
        )


def test_receiver_guards_are_on(pytestconfig: pytest.Config) -> None:
    reason = guards_off_reason(pytestconfig)

    if reason:
        pytest.fail(reason, pytrace=False)


@pytest.mark.django_db  # some checks (django-tasks-db's JSONField) ask the database's features
def test_system_checks_pass_without_warnings() -> None:
    call_command("check", "--fail-level", "WARNING")


@pytest.mark.django_db
def test_migrations_are_up_to_date() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_signal_map_is_fresh() -> None:
    call_command("signalmap", "--check", str(PROJECT_ROOT / "docs" / "signals.md"))
