"""``python manage.py makemigrations``: Django's command, then ``ruff format`` on what it wrote.

Django formats new migrations with black when black is installed; this project formats with
ruff, and CI runs ``ruff format --check``, so the written files are formatted with ruff (the
project's configuration) before the command returns. Without ruff (a production install) the
files are left as Django wrote them.

A ``makemigrations`` of another installed app (the project's own, or a third party's) runs
instead of this one: see :mod:`...host`.
"""

from __future__ import annotations

import subprocess
import sys
from importlib.util import find_spec

from django.core.management.base import BaseCommand
from django.core.management.commands import makemigrations

from ...host import yield_to_host


class FormattingCommand(makemigrations.Command):
    """Django's ``makemigrations``, whose new files pass ``ruff format --check``."""

    written_files: list[str]  # set by Django's handle(): the migration files it wrote

    def handle(self, *app_labels: str, **options: object) -> None:
        """Write the migrations as Django does, then format them."""
        super().handle(*app_labels, **options)
        if self.written_files and find_spec("ruff") is not None:
            # Our own interpreter, on the files Django just wrote.
            subprocess.run(  # noqa: S603
                [sys.executable, "-m", "ruff", "format", "--quiet", *self.written_files],
                check=False,
            )


Command: type[BaseCommand] = yield_to_host("makemigrations", FormattingCommand)
