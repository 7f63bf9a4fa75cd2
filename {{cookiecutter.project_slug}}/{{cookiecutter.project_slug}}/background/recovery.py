"""Recovery rules django-tasks-db lacks: abandoned tasks run again, failed ones are retried.

django-tasks-db's worker claims ``READY`` tasks only, so a task whose worker was killed stays
``RUNNING`` forever, and a failing task ends ``FAILED`` after one run. This module adds both
rules on top of its tables, without changing them:

- a task ``RUNNING`` for longer than the lease (``BACKGROUND_TASK_LEASE``) is presumed abandoned
  and made ``READY`` again (the lease works like Celery's visibility timeout: keep it longer
  than the longest task, or a slow task is run twice);
- a failed run is retried after an exponentially growing delay, up to
  ``BACKGROUND_MAX_ATTEMPTS`` runs; after the last one the task stays ``FAILED``: dead work,
  listed by ``python manage.py dead_tasks`` and in the admin, and requeued from there.

A task's attempts are its ``worker_ids``: django-tasks-db appends one on every claim.
"""

import logging
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from . import policy

logger = logging.getLogger(__name__)

type TaskRow = DBTaskResult[..., Any]  # a stored task, whatever its arguments and result


def reclaim_abandoned_tasks() -> int:
    """Make tasks past their lease ``READY`` again (dead if out of attempts); return how many."""
    cutoff = timezone.now() - policy.task_lease()
    reclaimed = 0
    with transaction.atomic():
        stale = DBTaskResult.objects.running().filter(started_at__lt=cutoff)
        for task in stale.select_for_update(skip_locked=True):
            logger.warning(
                "Task %s (%s) ran past its lease of %s: its worker is presumed dead.",
                task.id, task.task_path, policy.task_lease(),
            )  # fmt: skip
            if _retry_or_bury(task, error="abandoned by its worker"):
                reclaimed += 1
    return reclaimed


def retry_if_failed(task: TaskRow) -> None:
    """After a run: schedule a failed task's next attempt, or leave it dead."""
    if task.status == TaskResultStatus.FAILED:
        _retry_or_bury(task, error=task.exception_class_path)


def _retry_or_bury(task: TaskRow, *, error: str) -> bool:
    """Make ``task`` ``READY`` after a backoff if it has attempts left; return whether it has."""
    attempts = len(task.worker_ids)
    if attempts >= policy.max_attempts():
        task.status = TaskResultStatus.FAILED
        task.finished_at = timezone.now()
        task.exception_class_path = task.exception_class_path or error
        task.save(update_fields=["status", "finished_at", "exception_class_path"])
        logger.error(
            "Task %s (%s) failed for good after %d attempt(s) (%s); "
            "`python manage.py dead_tasks --requeue %s` runs it again.",
            task.id, task.task_path, attempts, error, task.id,
        )  # fmt: skip
        return False
    delay = policy.retry_delay(attempts)
    task.status = TaskResultStatus.READY
    task.run_after = timezone.now() + delay
    task.finished_at = None
    task.save(update_fields=["status", "run_after", "finished_at"])
    logger.warning(
        "Task %s (%s) failed on attempt %d of %d (%s); retrying in %s.",
        task.id, task.task_path, attempts, policy.max_attempts(), error, delay,
    )  # fmt: skip
    return True


def dead_tasks() -> QuerySet[TaskRow]:
    """Tasks that failed for good, newest first."""
    return DBTaskResult.objects.failed().order_by("-finished_at")


def requeue(task_ids: Iterable[uuid.UUID] | None = None) -> int:
    """Give dead tasks (all of them, or those of ``task_ids``) a fresh set of attempts."""
    tasks = dead_tasks() if task_ids is None else dead_tasks().filter(id__in=list(task_ids))
    return tasks.update(
        status=TaskResultStatus.READY,
        run_after=get_date_max(),
        started_at=None,
        finished_at=None,
        worker_ids=[],
        exception_class_path="",
        traceback="",
    )
