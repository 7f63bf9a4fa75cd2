"""Where a receiver lives: its app's ``signals`` module (``side_effects.E001``)."""

from __future__ import annotations

from django.core import checks

from ...runtime.conf import setting
from ..connections import Connection, app_of
from ..loading import load_project_modules

E001 = "side_effects.E001"


def check_location(path: str, connection: Connection) -> list[checks.CheckMessage]:
    """Receivers live in their app's ``signals`` module (or ``signals/`` package).

    Outside the template's layout a project package that is not an installed app (``common``)
    may hold receivers too, in its ``signals`` module, provided something imports that module
    when Django starts (an app's ``ready()``): else its receivers are connected only in the
    processes that happen to import it, and ``manage.py check`` saw them because it imports
    every module.
    """
    module = connection.module
    app = app_of(module)
    template_layout = setting("SIDE_EFFECTS_TEMPLATE_LAYOUT")
    if app is None and not template_layout and _in_signals_module(module):
        return _check_imported_at_startup(path, module)
    home = f"{app.name}.signals" if app else "<app>.signals"
    if module == home or module.startswith(f"{home}."):
        return []
    why = " and the import contracts cover it" if template_layout else ""
    return [
        checks.Error(
            f"Receiver {path} is defined in {module}, outside an app's signals module.",
            hint=(
                f"Move it to {home} (imported by the app's AppConfig.ready()) so that every "
                f"receiver is where readers look for it{why}."
            ),
            obj=path,
            id=E001,
        )
    ]


def _in_signals_module(module: str) -> bool:
    """Whether ``module`` is a ``signals`` module or inside a ``signals`` package."""
    return "signals" in module.split(".")[1:]


def _check_imported_at_startup(path: str, module: str) -> list[checks.CheckMessage]:
    """A receiver in a non-app package's ``signals`` module, which start-up must import."""
    parts = module.split(".")
    signals_module = ".".join(parts[: parts.index("signals", 1) + 1])
    at_startup = load_project_modules().at_startup
    if module in at_startup or signals_module in at_startup:
        return []
    return [
        checks.Error(
            f"Receiver {path} is defined in {module}, which nothing imports at startup, so it "
            "is connected only in the processes that happen to import that module.",
            hint=(
                f"Import {signals_module} in the ready() of the AppConfig whose models it "
                "listens to, or move the receiver to that app's signals module."
            ),
            obj=path,
            id=E001,
        )
    ]
