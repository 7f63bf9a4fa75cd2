"""The Celery application: configured from Django settings, tasks found in every app.

Start a worker with ``celery -A config worker --loglevel INFO`` and the relay that feeds the
broker from the outbox with ``python manage.py relay_outbox``.

Like ``wsgi.py``, a worker runs the production settings unless ``DJANGO_SETTINGS_MODULE`` says
otherwise: a worker started without it on a server must not fall back to the local settings
(their console e-mail backend marks every notification sent and delivers none). On a
developer's machine, start it with ``DJANGO_SETTINGS_MODULE=config.settings.local``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

# Every task retries with backoff and is recorded as dead work after its last attempt.
app = Celery(
    "{{ cookiecutter.project_slug }}",
    task_cls="{{ cookiecutter.project_slug }}.background.base_task:RecordedTask",
)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
