"""The checks of one project receiver, each given at most once over all its connections.

Hints name the template's files (``config/settings/base.py``, ``docs/signals.md``, the import
contracts) only in the template's layout (``SIDE_EFFECTS_TEMPLATE_LAYOUT``).
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.signals import setting_changed
from django.db.models import Model
from django.db.models.signals import class_prepared, post_migrate, pre_migrate

from ...runtime.conf import setting
from ..connections import Connection, app_of
from ..loading import load_project_modules
from .conversion import check_vetoes, conversion_hint, vetoes_of


def check_receiver(path: str, its_connections: list[Connection]) -> list[checks.CheckMessage]:
    """Every check of the receiver ``path``."""
    return [
        *check_location(path, its_connections[0]),
        *check_docstring(path, its_connections[0]),
        *check_decorator(path, its_connections),
        *check_vetoes(path, its_connections),
        *check_never_runs(path, its_connections),
        *check_framework_signal(path, its_connections),
        *check_sender(path, its_connections),
        *check_ceiling(path, its_connections),
    ]


def _where(its_connections: list[Connection]) -> str:
    """What a receiver listens to: ``<signal> (sender: catalog.Product), ...``."""
    listed = dict.fromkeys(
        f"{each.signal_name} (sender: {each.sender_label})" for each in its_connections
    )
    return ", ".join(listed)


def _short(connection: Connection) -> str:
    """The signal's attribute name, as written in ``@side_effect(...)``."""
    return connection.signal_name.rpartition(".")[2]


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


E002 = "side_effects.E002"


def check_decorator(path: str, its_connections: list[Connection]) -> list[checks.CheckMessage]:
    """A receiver is connected with ``@side_effect`` (one that vetoes is E007's instead).

    The hint depends on the receiver's weight (:func:`.conversion.conversion_hint`).
    """
    plain = [each for each in its_connections if each.registration is None]
    if not plain or vetoes_of(plain[0]):
        return []
    signal = _short(plain[0])
    hint = conversion_hint(plain[0])
    if hint is None:
        hint = (
            "@side_effect decorates module-level functions, and this receiver is a method, a "
            "callable object or a partial. Connect a module-level function in the app's "
            f"signals.py with @side_effect({signal}, sender=..., max_queries=...) that calls it "
            "with the signal's arguments, and remove the connect() call."
        )
    return [
        checks.Error(
            f"Receiver {path} is connected to {_where(plain)} without @side_effect.",
            hint=hint,
            obj=path,
            id=E002,
        )
    ]


E003 = "side_effects.E003"


def check_never_runs(path: str, its_connections: list[Connection]) -> list[checks.CheckMessage]:
    """A sender that the signal is never (or only by accident) sent with."""
    dead = [each for each in its_connections if _never_sent_by(each)]
    if not dead:
        return []
    return [
        checks.Error(
            f"Receiver {path} is connected to {_where(dead)}, a sender the signal is never "
            "(or only by accident) sent with.",
            hint=(
                "Django matches a sender by identity and resolves 'app_label.Model' strings "
                "only for model signals (save, delete, init, m2m), which are sent with concrete "
                "model classes. Pass the object the code sends the signal with (a class both "
                f"sides import), or no sender: @side_effect({_short(dead[0])}, ...)."
            ),
            obj=path,
            id=E003,
        )
    ]


def _never_sent_by(connection: Connection) -> bool:
    """A value sender (model signals resolve model labels to classes), or an abstract model."""
    sender = connection.sender
    if isinstance(sender, str | int | float | bytes):
        return True
    return isinstance(sender, type) and issubclass(sender, Model) and sender._meta.abstract


E004 = "side_effects.E004"
# Framework signals a project receiver should not listen to: why, and what to do instead.
_FRAMEWORK_SIGNALS = {
    class_prepared: (
        "is sent while models load, before any AppConfig.ready() connects receivers, so it "
        "never runs for the project's models",
        "Do the work in AppConfig.ready(), over apps.get_models().",
    ),
    setting_changed: (
        "is sent only by override_settings() in tests, and this receiver may query",
        "A setting_changed receiver may only drop what the project caches from settings (the "
        "reload pattern): @side_effect(setting_changed, max_queries=0) whose body checks the "
        "setting's name and clears the cache, tested with override_settings(). Anything else "
        "belongs in the test code that needs it (a conftest.py fixture).",
    ),
}


def check_framework_signal(
    path: str, its_connections: list[Connection]
) -> list[checks.CheckMessage]:
    """A project receiver of ``class_prepared``, or of ``setting_changed`` that may query."""
    for connection in its_connections:
        if connection.signal is setting_changed and _is_settings_reload(connection):
            continue
        if connection.signal in _FRAMEWORK_SIGNALS:
            why, fix = _FRAMEWORK_SIGNALS[connection.signal]
            return [
                checks.Error(
                    f"Receiver {path} listens to {connection.signal_name}, which {why}.",
                    hint=fix,
                    obj=path,
                    id=E004,
                )
            ]
    return []


def _is_settings_reload(connection: Connection) -> bool:
    """The sanctioned form of a ``setting_changed`` receiver: ``@side_effect``, no queries."""
    registration = connection.registration
    return registration is not None and registration.max_queries == 0


E006 = "side_effects.E006"


def check_ceiling(path: str, its_connections: list[Connection]) -> list[checks.CheckMessage]:
    """A receiver's budgets are within the project's ceilings (migration signals aside)."""
    registration = its_connections[0].registration
    migration_only = all(each.signal in (pre_migrate, post_migrate) for each in its_connections)
    if registration is None or migration_only:
        return []
    over = [
        f"{budget}={value:g} over SIDE_EFFECTS_{budget.upper()}_CEILING={ceiling:g}"
        for budget, value in (
            ("max_queries", registration.max_queries),
            ("max_seconds", registration.max_seconds),
        )
        if value > (ceiling := setting(f"SIDE_EFFECTS_{budget.upper()}_CEILING"))
    ]
    if not over:
        return []
    where = (
        "config/settings/base.py"
        if setting("SIDE_EFFECTS_TEMPLATE_LAYOUT")
        else f"the settings ({settings.SETTINGS_MODULE})"
    )
    return [
        checks.Error(
            f"Receiver {path} asks for {' and '.join(over)}.",
            hint=(
                "A receiver that needs that much does a task's work: move it into a task that "
                "the receiver enqueues. The ceilings are set once for the project, in "
                f"{where}, where raising one is a change reviewers see."
            ),
            obj=path,
            id=E006,
        )
    ]


W001 = "side_effects.W001"


def check_docstring(path: str, connection: Connection) -> list[checks.CheckMessage]:
    """A receiver says what it does."""
    if connection.summary:
        return []
    document = ", docs/signals.md" if setting("SIDE_EFFECTS_TEMPLATE_LAYOUT") else ""
    return [
        checks.Warning(
            f"Receiver {path} has no docstring.",
            hint=(
                "Add one whose first line says what the side effect does; the signal map "
                f"(python manage.py signalmap{document}) shows it."
            ),
            obj=path,
            id=W001,
        )
    ]


W002 = "side_effects.W002"


def check_sender(path: str, its_connections: list[Connection]) -> list[checks.CheckMessage]:
    """A model-signal receiver names the model it is about."""
    every = [each for each in its_connections if each.is_model_signal and each.sender is None]
    if not every:
        return []
    signals = ", ".join(dict.fromkeys(each.signal_name for each in every))
    signal = _short(every[0])
    return [
        checks.Warning(
            f"Receiver {path} listens to {signals} of every model (no sender).",
            hint=(
                f"Pass the model: @side_effect({signal}, sender=MyModel). Without a sender it "
                f"runs on every {signal} of every model, third-party ones included."
            ),
            obj=path,
            id=W002,
        )
    ]
