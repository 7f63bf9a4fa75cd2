"""System checks (tag ``signals``) that keep the project's receivers findable and documented.

Each fires once per receiver of project code (see :func:`~.registry.is_project_module`), naming
every signal and sender it is connected to:

- ``side_effects.E001`` (error): it is defined outside an ``<app>.signals`` module (or a
  ``signals/`` package).
- ``side_effects.E002`` (error): it is connected without ``@side_effect`` (``@receiver``,
  ``Signal.connect()``).
- ``side_effects.E003`` (error): it never runs, or only by accident: a string or number sender
  on a signal that is not a model signal (Django matches senders by identity, and resolves
  ``"app_label.Model"`` only for model signals), or an abstract model as sender.
- ``side_effects.E004`` (error): it listens to a framework signal that a project receiver has
  no business with: ``class_prepared`` (sent before any ``ready()`` connects it) or
  ``setting_changed`` (sent only by tests).
- ``side_effects.W001`` (warning): it has no docstring.
- ``side_effects.W002`` (warning): it listens to a model signal (save, delete, init, m2m) of
  every model, having no sender.

And once per app or module:

- ``side_effects.W003`` (warning): an app has a ``signals`` module that ``AppConfig.ready()``
  never imports, so none of its receivers is connected.
- ``side_effects.W004`` (warning): a project module cannot be imported, so its receivers are
  not judged.
- ``side_effects.E005`` (error): a project app lives outside the project package, where the
  import contracts do not look.

Django's and third-party receivers are not judged. Run only these checks with
``python manage.py check --tag signals``. There is no off-switch: the architecture tests fail
when one of these ids is in ``SILENCED_SYSTEM_CHECKS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.util import find_spec

from django.apps import AppConfig, apps
from django.core import checks
from django.core.signals import setting_changed
from django.db.models import Model
from django.db.models.signals import class_prepared

from .inventory import (
    KIT_PACKAGE,
    Connection,
    ImportProblem,
    app_of,
    connections,
    load_project_modules,
    modules_loaded_at_startup,
)
from .registry import PROJECT_PACKAGE, is_project_module

# Framework signals a project receiver should not listen to: why, and what to do instead.
_FRAMEWORK_SIGNALS = {
    class_prepared: (
        "is sent while models load, before any AppConfig.ready() connects receivers, so it "
        "never runs for the project's models",
        "Do the work in AppConfig.ready(), over apps.get_models().",
    ),
    setting_changed: (
        "is sent only by override_settings() in tests",
        "Connect it in the test code that needs it (a conftest.py fixture), which the kit does "
        "not judge.",
    ),
}


def check_receivers(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[checks.CheckMessage]:
    """Judge every project receiver, or those of ``app_configs`` when Django passes some."""
    found = connections()
    judged_apps = apps.get_app_configs() if app_configs is None else app_configs
    project_apps = [config for config in judged_apps if _is_project_app(config)]
    if app_configs is not None:
        prefixes = tuple(f"{config.name}." for config in app_configs)
        found = [connection for connection in found if connection.module.startswith(prefixes)]
    messages = [message for config in project_apps for message in _check_app(config)]
    if app_configs is None:
        messages += [_unimportable(problem) for problem in load_project_modules().problems]
    by_path: dict[str, list[Connection]] = {}
    for connection in found:
        by_path.setdefault(connection.path, []).append(connection)
    for path, its_connections in sorted(by_path.items()):
        messages += _check_receiver(path, its_connections)
    return messages


def _is_project_app(config: AppConfig) -> bool:
    """A project app other than this kit."""
    return config.name != KIT_PACKAGE and is_project_module(config.name)


def _check_app(config: AppConfig) -> list[checks.CheckMessage]:
    """W003 and E005 for one project app."""
    return [*_check_ready(config), *_check_inside_package(config)]


def _check_ready(config: AppConfig) -> list[checks.CheckMessage]:
    """W003: an app has a ``signals`` module that its ``ready()`` did not import."""
    module = f"{config.name}.signals"
    if module in modules_loaded_at_startup() or find_spec(module) is None:
        return []
    return [
        checks.Warning(
            f"{module} is never imported at startup, so its receivers are not connected.",
            hint=(
                f"Import it in {type(config).__name__}.ready() with "
                "`from . import signals  # noqa: F401` (python manage.py startapp does this)."
            ),
            obj=module,
            id="side_effects.W003",
        )
    ]


def _check_inside_package(config: AppConfig) -> list[checks.CheckMessage]:
    """E005: a project app lives in the project package, which the import contracts cover."""
    if config.name.startswith(f"{PROJECT_PACKAGE}."):
        return []
    return [
        checks.Error(
            f"App {config.name} lives outside the {PROJECT_PACKAGE} package, where the import "
            "contracts (pyproject.toml) do not look.",
            hint=(
                f"Move it to {PROJECT_PACKAGE}/{config.name.rpartition('.')[2]}/ and set its "
                f'AppConfig.name = "{PROJECT_PACKAGE}.{config.name.rpartition(".")[2]}" '
                "(python manage.py startapp creates apps there)."
            ),
            obj=config.name,
            id="side_effects.E005",
        )
    ]


def _unimportable(problem: ImportProblem) -> checks.CheckMessage:
    """W004: a project module the kit could not import."""
    return checks.Warning(
        f"{problem.module} cannot be imported ({problem.error}), so receivers connected there "
        "are not judged.",
        hint=(
            "Install what it needs, or fix the import. A module for an optional package "
            "should import that package inside the function that uses it."
        ),
        obj=problem.module,
        id="side_effects.W004",
    )


def _check_receiver(path: str, its_connections: list[Connection]) -> list[checks.CheckMessage]:
    """Every check of one receiver, each at most once, over all its connections."""
    return [
        *_check_location(path, its_connections[0]),
        *_check_docstring(path, its_connections[0]),
        *_check_decorator(path, its_connections),
        *_check_never_runs(path, its_connections),
        *_check_framework_signal(path, its_connections),
        *_check_sender(path, its_connections),
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


def _check_location(path: str, connection: Connection) -> list[checks.CheckMessage]:
    """E001: receivers live in their app's ``signals`` module (or ``signals/`` package)."""
    module = connection.module
    app = app_of(module)
    home = f"{app.name}.signals" if app else "<app>.signals"
    if module == home or module.startswith(f"{home}."):
        return []
    return [
        checks.Error(
            f"Receiver {path} is defined in {module}, outside an app's signals module.",
            hint=(
                f"Move it to {home} (imported by the app's AppConfig.ready()) so that every "
                "receiver is where readers look for it and the import contracts cover it."
            ),
            obj=path,
            id="side_effects.E001",
        )
    ]


def _check_docstring(path: str, connection: Connection) -> list[checks.CheckMessage]:
    """W001: a receiver says what it does."""
    if connection.summary:
        return []
    return [
        checks.Warning(
            f"Receiver {path} has no docstring.",
            hint=(
                "Add one whose first line says what the side effect does; the signal map "
                "(python manage.py signalmap, docs/signals.md) shows it."
            ),
            obj=path,
            id="side_effects.W001",
        )
    ]


def _check_decorator(path: str, its_connections: list[Connection]) -> list[checks.CheckMessage]:
    """E002: a receiver is connected with ``@side_effect``."""
    plain = [each for each in its_connections if each.registration is None]
    if not plain:
        return []
    signal = _short(plain[0])
    if plain[0].is_plain_function:
        hint = (
            f"Replace @receiver / {signal}.connect() with "
            f"@side_effect({signal}, sender=..., max_queries=...) from {KIT_PACKAGE}: it "
            "connects once, skips raw saves, isolates failures and records a query budget."
        )
    else:
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
            id="side_effects.E002",
        )
    ]


def _check_never_runs(path: str, its_connections: list[Connection]) -> list[checks.CheckMessage]:
    """E003: a sender that the signal is never sent with."""
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
            id="side_effects.E003",
        )
    ]


def _never_sent_by(connection: Connection) -> bool:
    """A value sender (model signals resolve model labels to classes), or an abstract model."""
    sender = connection.sender
    if isinstance(sender, str | int | float | bytes):
        return True
    return isinstance(sender, type) and issubclass(sender, Model) and sender._meta.abstract


def _check_framework_signal(
    path: str, its_connections: list[Connection]
) -> list[checks.CheckMessage]:
    """E004: a project receiver of ``class_prepared`` or ``setting_changed``."""
    for connection in its_connections:
        if connection.signal in _FRAMEWORK_SIGNALS:
            why, fix = _FRAMEWORK_SIGNALS[connection.signal]
            return [
                checks.Error(
                    f"Receiver {path} listens to {connection.signal_name}, which {why}.",
                    hint=fix,
                    obj=path,
                    id="side_effects.E004",
                )
            ]
    return []


def _check_sender(path: str, its_connections: list[Connection]) -> list[checks.CheckMessage]:
    """W002: a model-signal receiver names the model it is about."""
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
            id="side_effects.W002",
        )
    ]
