"""The checks of a project app (W003, E005), of a module the kit could not import (W004) and of
where the project's code lives (E008).

E005 and every mention of ``startapp`` apply to the template's layout only
(``SIDE_EFFECTS_TEMPLATE_LAYOUT``): a project that adopted the kit keeps its apps where they are.
"""

from __future__ import annotations

from importlib.util import find_spec

from django.apps import AppConfig, apps
from django.core import checks

from ...runtime.conf import PROJECT_PACKAGE, project_roots, setting
from ..loading import ImportProblem, load_project_modules
from ..scope import is_project_module


def check_app(config: AppConfig) -> list[checks.CheckMessage]:
    """Every check of one project app."""
    return [*check_ready(config), *check_inside_package(config)]


W003 = "side_effects.W003"


def check_ready(config: AppConfig) -> list[checks.CheckMessage]:
    """An app has a ``signals`` module that its ``ready()`` did not import."""
    module = f"{config.name}.signals"
    if module in load_project_modules().at_startup or find_spec(module) is None:
        return []
    hint = f"Import it in {type(config).__name__}.ready(): `from . import signals  # noqa: F401`"
    if setting("SIDE_EFFECTS_TEMPLATE_LAYOUT"):
        hint += " (python manage.py startapp does this)"
    return [
        checks.Warning(
            f"{module} is never imported at startup, so its receivers are not connected.",
            hint=f"{hint}.",
            obj=module,
            id=W003,
        )
    ]


E005 = "side_effects.E005"


def check_inside_package(config: AppConfig) -> list[checks.CheckMessage]:
    """An app lives outside the project package, where the import contracts do not look."""
    if not setting("SIDE_EFFECTS_TEMPLATE_LAYOUT") or config.name.startswith(f"{PROJECT_PACKAGE}."):
        return []
    name = config.name.rpartition(".")[2]
    return [
        checks.Error(
            f"App {config.name} lives outside the {PROJECT_PACKAGE} package, where the import "
            "contracts (pyproject.toml) do not look.",
            hint=(
                f"Move it to {PROJECT_PACKAGE}/{name}/ and set its AppConfig.name = "
                f'"{PROJECT_PACKAGE}.{name}" (python manage.py startapp creates apps there).'
            ),
            obj=config.name,
            id=E005,
        )
    ]


W004 = "side_effects.W004"


def check_unimportable(problem: ImportProblem) -> checks.CheckMessage:
    """A project module the kit could not import, so its receivers are not judged."""
    return checks.Warning(
        f"{problem.module} cannot be imported ({problem.error}), so receivers connected there "
        "are not judged.",
        hint=(
            "Install what it needs, or fix the import. A module for an optional package "
            "should import that package inside the function that uses it."
        ),
        obj=problem.module,
        id=W004,
    )


E008 = "side_effects.E008"
_ROOTS_HINT = (
    "List the directories that hold the project's code, e.g. SIDE_EFFECTS_PROJECT_ROOTS = "
    "[Path(__file__).resolve().parents[1]] in the settings, or remove the setting to judge the "
    "repository root."
)


def check_project_roots() -> list[checks.CheckMessage]:
    """``SIDE_EFFECTS_PROJECT_ROOTS`` names directories, and some installed app is below one:
    a wrong root would leave the project's receivers unjudged, without a word."""
    missing = [root for root in project_roots() if not root.is_dir()]
    if missing:
        return [_roots_error(f"names {root}, which is not a directory") for root in missing]
    if not any(is_project_module(config.name) for config in apps.get_app_configs()):
        return [_roots_error("holds none of the installed apps")]
    return []


def _roots_error(problem: str) -> checks.CheckMessage:
    """E008 for one problem of the roots setting."""
    return checks.Error(
        f"SIDE_EFFECTS_PROJECT_ROOTS {problem}, so no receiver there is judged.",
        hint=_ROOTS_HINT,
        obj="SIDE_EFFECTS_PROJECT_ROOTS",
        id=E008,
    )
