"""A task for the guard tests: what a receiver may enqueue but must not run inline."""

from django.contrib.auth.models import Group
from django.tasks import task


@task
def count_groups() -> int:
    """Count the groups: one query, the task's own work."""
    return Group.objects.count()
