"""``python manage.py signalmap``: print the signal map, or check a committed copy of it.

    python manage.py signalmap                                   # text, for a terminal
    python manage.py signalmap --all                             # ...with Django's receivers,
                                                                 # and what migrate connects
    python manage.py signalmap --format markdown > docs/signals.md   # regenerate the docs
    python manage.py signalmap --check docs/signals.md           # exit 1 with a diff if stale

With ``--all`` the map also shows what only ``migrate`` connects (receivers connected by
migration modules or by ``pre_migrate``/``post_migrate`` receivers), found without querying the
database (:mod:`...migrate_wiring`). With ``--check`` the format defaults to ``markdown``. A
project module that cannot be imported is named on standard error; the map is still printed.
"""

from __future__ import annotations

import difflib
import os
from argparse import ArgumentParser
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...loading import load_project_modules
from ...migrate_wiring import connect_as_migrate_does
from ...signal_map import RENDERERS, build, render


class Command(BaseCommand):
    """Print or check the map of every signal the project listens to."""

    help = (
        "Print every signal the project listens to, its senders and receivers (dotted path, "
        "docstring, on_commit, query budget); with --check, fail if a file is out of date."
    )
    # The map is a diagnostic: it must work while the checks report a broken receiver.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        """``--format``, ``--all`` and ``--check PATH``."""
        parser.add_argument(
            "--format",
            choices=sorted(RENDERERS),
            help="Output format (default: text; markdown with --check).",
        )
        parser.add_argument(
            "--all",
            action="store_true",
            help=(
                "Also list Django's and third-party receivers (hidden behaviour), and those "
                "that only migrate connects."
            ),
        )
        parser.add_argument(
            "--check",
            metavar="PATH",
            help="Compare PATH with the map instead of printing it; exit 1 with a diff if stale.",
        )

    def handle(self, *args: object, **options: object) -> None:
        """Print the map, or compare it with ``--check PATH``."""
        output_format = str(options["format"] or ("markdown" if options["check"] else "text"))
        if options["all"]:
            connect_as_migrate_does()
        expected = render(build(project_only=not options["all"]), output_format)
        for problem in load_project_modules().problems:
            self.stderr.write(
                f"warning: {problem.module} cannot be imported ({problem.error}); "
                "receivers connected there are not in the map."
            )
        if not options["check"]:
            self.stdout.write(expected, ending="")
            return
        path = Path(str(options["check"]))
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        shown = _shown(path)
        if current != expected:
            raise CommandError(_stale_message(shown, current, expected, output_format, options))
        self.stdout.write(f"{shown} is up to date.")


def _shown(path: Path) -> str:
    """The path as the user would type it: relative to the working directory when inside it."""
    resolved = path.resolve()
    cwd = Path.cwd()
    return os.path.relpath(resolved, cwd) if resolved.is_relative_to(cwd) else str(path)


def _stale_message(
    shown: str, current: str, expected: str, output_format: str, options: dict[str, object]
) -> str:
    """The diff from the file to the code, and the one command that fixes it."""
    diff = "".join(
        difflib.unified_diff(
            current.splitlines(keepends=True),
            expected.splitlines(keepends=True),
            fromfile=f"{shown} (committed)",
            tofile="signalmap (from the code)",
        )
    )
    everything = " --all" if options["all"] else ""
    problem = "is out of date with the receivers in the code" if current else "is missing or empty"
    return (
        f"{shown} {problem}.\n{diff}\n"
        f"Regenerate it: python manage.py signalmap --format {output_format}{everything}"
        f" > {shown}"
    )
