"""The kit's app: the ``signals`` system checks, ``manage.py signalmap``, the receivers' spans."""

from collections.abc import Sequence

from django.apps import AppConfig
from django.core import checks

from ..runtime.conf import setting
from ..runtime.observers import observe


class SideEffectsConfig(AppConfig):
    """Registers the receiver checks; it has no models. Its label names the checks' ids."""

    name = __package__
    label = "side_effects"
    verbose_name = "Side effects: receiver checks and signal map"

    def ready(self) -> None:
        """Register the receiver checks; make receiver calls OpenTelemetry spans (if enabled)."""
        checks.register(check_receivers, "signals")
        if setting("SIDE_EFFECTS_OPENTELEMETRY"):
            from ..runtime.telemetry import ReceiverSpans, sdk_configured

            if sdk_configured():  # else nothing to record: receiver calls stay unobserved
                observe(ReceiverSpans())


def check_receivers(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[checks.CheckMessage]:
    """The receiver checks, imported when Django first runs checks, never by a web process."""
    from .checks import check_receivers as run_checks

    return run_checks(app_configs, **kwargs)
