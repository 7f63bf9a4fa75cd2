"""The catalog app's configuration: the one place that imports its receivers."""

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """Connects the catalog's receivers when Django starts."""

    name = "{{ cookiecutter.project_slug }}.catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        """Import the receivers so that ``@side_effect`` connects them (once)."""
        from . import signals  # noqa: F401
