"""The app of the kit's inspection: the ``signals`` system checks and ``manage.py signalmap``."""

from collections.abc import Sequence

from django.apps import AppConfig
from django.core import checks


class SideEffectsConfig(AppConfig):
    """Registers the receiver checks; it has no models. Its label names the checks' ids."""

    name = __package__
    label = "side_effects"
    verbose_name = "Side effects: receiver checks and signal map"

    def ready(self) -> None:
        """Register the receiver checks under the ``signals`` tag."""
        checks.register(check_receivers, "signals")


def check_receivers(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[checks.CheckMessage]:
    """The receiver checks, imported when Django first runs checks, never by a web process."""
    from .checks import check_receivers as run_checks

    return run_checks(app_configs, **kwargs)
