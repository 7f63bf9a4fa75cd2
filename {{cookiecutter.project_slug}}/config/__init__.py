"""Project configuration: settings, URLs and the WSGI/ASGI entry points."""
{%- if cookiecutter.background_tasks == "celery" %}

from .celery import app as celery_app

__all__ = ["celery_app"]
{%- endif %}
