"""The environment of a fresh Python process that runs this project's code under these tests'
settings, whatever module they are (a generated project's ``config.settings.test`` or a project
that adopted the kit)."""

from __future__ import annotations

import os
from importlib import import_module
from pathlib import Path

from django.conf import settings

from ..runtime.conf import KIT_PACKAGE


def process_env(*extra_paths: Path, settings_module: str | None = None) -> dict[str, str]:
    """This environment, minus pytest's variables, able to import the kit and the settings.

    ``settings_module`` replaces the running one (which ``extra_paths`` may hold).
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    running = str(settings.SETTINGS_MODULE)
    places = [*map(str, extra_paths), *(str(_import_root(name)) for name in (KIT_PACKAGE, running))]
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module or running,
        PYTHONPATH=os.pathsep.join(dict.fromkeys(filter(None, [*places, env.get("PYTHONPATH")]))),
        DATABASE_URL="sqlite://:memory:",  # never the database server the outer run may use
    )
    return env


def _import_root(module: str) -> Path:
    """The directory that ``module`` (a dotted name) is imported from, a ``sys.path`` entry."""
    filename = Path(str(import_module(module).__file__)).resolve()
    return filename.parents[module.count(".") + (filename.stem == "__init__")]
