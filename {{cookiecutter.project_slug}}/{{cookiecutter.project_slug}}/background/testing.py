"""For tests: run the background work that committed changes have queued, as the workers would."""

from django.core.management import call_command


def run_background_work() -> None:
    """Run every queued task that is due, in this process, and return when none is left."""
{%- if cookiecutter.background_tasks == "database" %}
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
{%- else %}
    call_command("relay_outbox", "--batch")  # eager Celery (test settings) runs each task
{%- endif %}
