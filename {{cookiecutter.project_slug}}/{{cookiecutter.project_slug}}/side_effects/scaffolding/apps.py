"""The app of the kit's scaffolding commands; it has no models and registers nothing."""

from django.apps import AppConfig


class ScaffoldingConfig(AppConfig):
    """Provides ``startapp`` (the project's app layout) and a ruff-formatting ``makemigrations``."""

    name = __package__
    label = "side_effects_scaffolding"
    verbose_name = "Side effects: project scaffolding"
