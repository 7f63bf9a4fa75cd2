"""For tests: see and run the background work that committed changes have queued.

``run_background_work()`` runs it as the workers would, closing the database connection between
tasks as they do: call it from ``django_db(transaction=True)`` tests.
"""

from django.core.management import call_command
{%- if cookiecutter.background_tasks == "database" %}
from django_tasks_db.models import DBTaskResult
{%- else %}

from .models import OutboxMessage
{%- endif %}


def queued_tasks() -> int:
    """How many tasks wait to be run."""
{%- if cookiecutter.background_tasks == "database" %}
    return DBTaskResult.objects.filter(status="READY").count()
{%- else %}
    return OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count()
{%- endif %}


def run_background_work() -> None:
    """Run every queued task that is due, in this process, and return when none is left."""
{%- if cookiecutter.background_tasks == "database" %}
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
{%- else %}
    call_command("relay_outbox", "--batch")  # eager Celery (test settings) runs each task
{%- endif %}
