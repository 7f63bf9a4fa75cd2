"""The receiver kit's app configuration: registers the ``signals`` system checks."""

from django.apps import AppConfig
from django.core import checks

from .checks import check_receivers


class SideEffectsConfig(AppConfig):
    """Installed before the project's own apps; it has no models."""

    name = __package__
    label = "side_effects"
    verbose_name = "Side effects (signal receivers)"

    def ready(self) -> None:
        """Register the receiver checks under the ``signals`` tag."""
        checks.register(check_receivers, "signals")
