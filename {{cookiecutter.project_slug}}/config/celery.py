"""The Celery application: configured from Django settings, tasks found in every app.

Start a worker with ``celery -A config worker --loglevel INFO`` and the relay that feeds the
broker from the outbox with ``python manage.py relay_outbox``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

# Every task retries with backoff and is recorded as dead work after its last attempt.
app = Celery(
    "{{ cookiecutter.project_slug }}",
    task_cls="{{ cookiecutter.project_slug }}.background.base_task:RecordedTask",
)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
