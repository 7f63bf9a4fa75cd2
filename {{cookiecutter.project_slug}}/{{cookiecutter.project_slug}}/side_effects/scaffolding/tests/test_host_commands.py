"""The scaffolding never shadows a project's own command: the kit is a guest, not a landlord."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ...tests.processes import process_env
from ..host import host_app, yield_to_host
from ..management.commands.makemigrations import FormattingCommand
from ..management.commands.startapp import LayoutCommand

# A host project's own makemigrations, which refuses to run outside development.
REFUSING_MAKEMIGRATIONS = """
from django.core.management.base import CommandError
from django.core.management.commands import makemigrations


class Command(makemigrations.Command):
    help = "Write migrations, in development only."

    def handle(self, *args, **options):
        raise CommandError("makemigrations runs in development only (the host's guard).")
"""


def test_a_generated_project_gets_the_template_scaffolding() -> None:
    assert host_app("makemigrations") is None
    assert host_app("startapp") is None
    assert yield_to_host("makemigrations", FormattingCommand) is FormattingCommand
    assert yield_to_host("startapp", LayoutCommand) is LayoutCommand


def test_a_host_apps_own_makemigrations_wins_over_the_kits(tmp_path: Path) -> None:
    commands = tmp_path / "host_app" / "management" / "commands"
    commands.mkdir(parents=True)
    for package in (commands, commands.parent, commands.parent.parent):
        (package / "__init__.py").write_text("")
    (commands / "makemigrations.py").write_text(REFUSING_MAKEMIGRATIONS)
    # The host app comes after the kit's scaffolding app, whose command Django would pick.
    (tmp_path / "host_settings.py").write_text(
        f"from {process_env()['DJANGO_SETTINGS_MODULE']} import *  # noqa: F403\n\n"
        'INSTALLED_APPS = [*INSTALLED_APPS, "host_app"]  # noqa: F405\n'
    )
    env = process_env(tmp_path, settings_module="host_settings")

    run = manage(env, "makemigrations")
    help_text = " ".join(manage(env, "help", "makemigrations").stdout.split())  # unwrapped

    assert run.returncode == 1, run.stdout + run.stderr
    assert "makemigrations runs in development only (the host's guard)." in run.stderr
    assert "Write migrations, in development only." in help_text
    assert "The host_app app's own makemigrations: the receiver kit's scaffolding" in help_text


def manage(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    """``django-admin ARGUMENTS`` in a fresh process with ``env``."""
    return subprocess.run(  # noqa: S603 - this interpreter running Django's own command line
        [sys.executable, "-m", "django", *arguments],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
