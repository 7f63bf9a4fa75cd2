"""The background-work app's configuration."""

from django.apps import AppConfig


class BackgroundConfig(AppConfig):
    """Hand-off, recovery and retries of background tasks."""

    name = "{{ cookiecutter.project_slug }}.background"
    verbose_name = "Background work"
{%- if cookiecutter.background_tasks == "celery" %}

    def ready(self) -> None:
        """Register the deploy check of the broker's durability."""
        from . import checks  # noqa: F401 (registers on import)
{%- endif %}
