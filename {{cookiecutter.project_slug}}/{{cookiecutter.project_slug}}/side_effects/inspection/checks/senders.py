"""What a receiver listens to: signals and senders that never reach it, or reach it too often.

``side_effects.E003`` (a sender the signal is never sent with), ``E004`` (a framework signal a
project receiver should not hear) and ``W002`` (a model signal of every model).
"""

from __future__ import annotations

from django.core import checks
from django.core.signals import setting_changed
from django.db.models import Model
from django.db.models.signals import class_prepared

from ..connections import Connection
from .wording import listened_to, signal_attribute

E003 = "side_effects.E003"


def check_never_runs(path: str, its_connections: list[Connection]) -> list[checks.CheckMessage]:
    """A sender that the signal is never (or only by accident) sent with."""
    dead = [each for each in its_connections if _never_sent_by(each)]
    if not dead:
        return []
    return [
        checks.Error(
            f"Receiver {path} is connected to {listened_to(dead)}, a sender the signal is never "
            "(or only by accident) sent with.",
            hint=(
                "Django matches a sender by identity and resolves 'app_label.Model' strings "
                "only for model signals (save, delete, init, m2m), which are sent with concrete "
                "model classes. Pass the object the code sends the signal with (a class both "
                f"sides import), or no sender: @side_effect({signal_attribute(dead[0])}, ...)."
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


W002 = "side_effects.W002"


def check_sender(path: str, its_connections: list[Connection]) -> list[checks.CheckMessage]:
    """A model-signal receiver names the model it is about."""
    every = [each for each in its_connections if each.is_model_signal and each.sender is None]
    if not every:
        return []
    signals = ", ".join(dict.fromkeys(each.signal_name for each in every))
    signal = signal_attribute(every[0])
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
