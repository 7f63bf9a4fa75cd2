"""The background-work app's configuration."""

from django.apps import AppConfig


class BackgroundConfig(AppConfig):
    """Hand-off, recovery and retries of background tasks."""

    name = "{{ cookiecutter.project_slug }}.background"
    verbose_name = "Background work"
