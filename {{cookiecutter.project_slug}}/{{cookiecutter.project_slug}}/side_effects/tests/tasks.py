"""A task for the guard tests: what a receiver may enqueue but must not run inline."""

{% if cookiecutter.get("background_tasks") == "celery" %}from celery import shared_task
{% endif %}from django.contrib.auth.models import Group
from django.tasks import task


@task
def count_groups() -> int:
    """Count the groups: one query, the task's own work."""
    return Group.objects.count()
{%- if cookiecutter.get("background_tasks") == "celery" %}


@shared_task
def count_groups_on_celery() -> int:
    """:func:`count_groups` as a Celery task."""
    return Group.objects.count()
{%- endif %}
