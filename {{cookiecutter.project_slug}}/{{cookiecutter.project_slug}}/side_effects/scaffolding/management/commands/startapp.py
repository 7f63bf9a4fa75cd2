"""``python manage.py startapp NAME``: a new app with the project's layout, inside the project.

Replaces Django's command of the same name, never a project's own (see :mod:`...host`). The
app is created as ``<project>/NAME`` from the kit's ``app_template/`` (``apps.py`` whose
``ready()`` imports ``.signals``, ``services/``, ``selectors.py``, ``tasks.py``, ``events.py``
for the app's own signals, ``signals.py``, ``tests/`` ...); its ``AppConfig.name`` is
``<project>.NAME``. Once listed in ``INSTALLED_APPS`` it passes the import contracts, the checks
and its tests without edits.
"""

from __future__ import annotations

from argparse import ArgumentParser
from importlib import import_module
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.core.management.templates import TemplateCommand

from ....runtime.conf import PROJECT_PACKAGE
from ...host import yield_to_host

APP_TEMPLATE = Path(__file__).resolve().parents[2] / "app_template"


class LayoutCommand(TemplateCommand):
    """Create ``<project>/NAME`` from the project's app template."""

    help = (
        f"Create an app with the project's layout in the {PROJECT_PACKAGE} package "
        "(services, selectors, tasks, events, receivers in signals.py, tests)."
    )
    missing_args_message = "Give the app's name, e.g. python manage.py startapp billing."

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Only the app's name: where it goes and what it looks like are the project's."""
        parser.add_argument("name", help="The app's name, a Python identifier (e.g. billing).")

    def handle(self, *args: object, **options: object) -> None:
        """Render the app template into ``<project>/NAME`` and say what to do next."""
        name = str(options.pop("name"))
        target = self.package_directory() / name
        if target.exists():
            raise CommandError(f"{target} already exists; choose another name.")
        app_package = f"{PROJECT_PACKAGE}.{name}"
        super().handle(
            "app",
            name,
            str(target),
            template=str(APP_TEMPLATE),
            extensions=["py"],
            files=[],
            app_package=app_package,
            project_package=PROJECT_PACKAGE,
            verbose_name=name.replace("_", " ").capitalize(),
            **options,
        )
        self.stdout.write(
            f'Created {PROJECT_PACKAGE}/{name}/. Add "{app_package}" to INSTALLED_APPS in '
            "config/settings/base.py; the import contracts, checks and signal map cover it."
        )

    def package_directory(self) -> Path:
        """The project package's directory, where apps live."""
        return Path(import_module(PROJECT_PACKAGE).__path__[0])


Command: type[BaseCommand] = yield_to_host("startapp", LayoutCommand)
