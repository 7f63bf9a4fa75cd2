"""System checks (tag ``signals``) that keep the project's receivers findable and documented.

Each fires for a receiver defined in the project package:

- ``side_effects.E001`` (error): it is defined outside an ``<app>.signals`` module.
- ``side_effects.E002`` (error): it is connected without ``@side_effect`` (``@receiver``,
  ``Signal.connect()``).
- ``side_effects.W001`` (warning): it has no docstring.
- ``side_effects.W002`` (warning): it listens to a model signal (save, delete, init, m2m) of
  every model, having no sender.
- ``side_effects.W003`` (warning): its app has a ``signals`` module that ``AppConfig.ready()``
  never imports, so none of its receivers is connected.

Receivers of Django and third-party packages are not judged. Run only these checks with
``python manage.py check --tag signals``. To accept a case on purpose, silence the id in
settings, e.g. ``SILENCED_SYSTEM_CHECKS = ["side_effects.W002"]``; that silences it for every
receiver, so prefer fixing the receiver.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.util import find_spec

from django.apps import AppConfig, apps
from django.core import checks

from .inventory import KIT_PACKAGE, Connection, connections, modules_loaded_at_startup
from .registry import PROJECT_PACKAGE


def check_receivers(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[checks.CheckMessage]:
    """Judge every project receiver, or those of ``app_configs`` when Django passes some."""
    found = connections()
    if app_configs is not None:
        prefixes = tuple(f"{config.name}." for config in app_configs)
        found = [connection for connection in found if connection.module.startswith(prefixes)]
    judged_apps = apps.get_app_configs() if app_configs is None else app_configs
    messages = [
        message
        for config in judged_apps
        if config.name.startswith(f"{PROJECT_PACKAGE}.") and config.name != KIT_PACKAGE
        for message in _check_ready(config)
    ]
    by_path: dict[str, list[Connection]] = {}
    for connection in found:
        by_path.setdefault(connection.path, []).append(connection)
    for its_connections in by_path.values():
        messages += _check_receiver(its_connections)
    return messages


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


def _check_receiver(its_connections: list[Connection]) -> list[checks.CheckMessage]:
    """E001 and W001 once per receiver; E002 and W002 for each signal it is connected to."""
    first = its_connections[0]
    messages = [*_check_location(first), *_check_docstring(first)]
    for connection in its_connections:
        messages += [*_check_decorator(connection), *_check_sender(connection)]
    return messages


def _check_location(connection: Connection) -> list[checks.CheckMessage]:
    """E001: receivers live in their app's ``signals`` module."""
    home_modules = {f"{config.name}.signals" for config in apps.get_app_configs()}
    if connection.module in home_modules:
        return []
    app = apps.get_containing_app_config(connection.module)
    home = f"{app.name}.signals" if app else "<app>.signals"
    return [
        checks.Error(
            f"Receiver {connection.path} is defined in {connection.module}, outside an app's "
            "signals module.",
            hint=(
                f"Move it to {home} (imported by the app's AppConfig.ready()) so that every "
                "receiver is where readers look for it and the import contracts cover it."
            ),
            obj=connection.path,
            id="side_effects.E001",
        )
    ]


def _check_docstring(connection: Connection) -> list[checks.CheckMessage]:
    """W001: a receiver says what it does."""
    if connection.summary:
        return []
    return [
        checks.Warning(
            f"Receiver {connection.path} has no docstring.",
            hint=(
                "Add one whose first line says what the side effect does; the signal map "
                "(python manage.py signalmap, docs/signals.md) shows it."
            ),
            obj=connection.path,
            id="side_effects.W001",
        )
    ]


def _check_decorator(connection: Connection) -> list[checks.CheckMessage]:
    """E002: a receiver is connected with ``@side_effect``."""
    if connection.registration:
        return []
    signal = connection.signal_name.rpartition(".")[2]
    return [
        checks.Error(
            f"Receiver {connection.path} is connected to {connection.signal_name} without "
            "@side_effect.",
            hint=(
                f"Replace @receiver / {signal}.connect() with "
                f"@side_effect({signal}, sender=..., max_queries=...) from {KIT_PACKAGE}: it "
                "connects once, skips raw saves, isolates failures and records a query budget."
            ),
            obj=connection.path,
            id="side_effects.E002",
        )
    ]


def _check_sender(connection: Connection) -> list[checks.CheckMessage]:
    """W002: a model-signal receiver names the model it is about."""
    if not connection.is_model_signal or connection.sender is not None:
        return []
    signal = connection.signal_name.rpartition(".")[2]
    return [
        checks.Warning(
            f"Receiver {connection.path} listens to {connection.signal_name} of every model "
            "(no sender).",
            hint=(
                f"Pass the model: @side_effect({signal}, sender=MyModel). Without a sender it "
                f"runs on every {signal} of every model, third-party ones included."
            ),
            obj=connection.path,
            id="side_effects.W002",
        )
    ]
