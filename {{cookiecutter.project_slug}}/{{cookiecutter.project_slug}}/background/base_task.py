"""The base class of every Celery task in the project (``task_cls`` in ``config/celery.py``).

A task that raises is retried with exponential backoff (``BACKGROUND_RETRY_DELAY``, doubled per
retry up to ``BACKGROUND_RETRY_MAX_DELAY``) until it has run
``BACKGROUND_MAX_ATTEMPTS`` times; then it is recorded as a dead outbox row that
``python manage.py dead_tasks`` lists and requeues. Override ``autoretry_for`` on a task whose
failures are never transient.
"""

from typing import Any

from celery import Task
from celery.utils.log import get_task_logger
from django.conf import settings

logger = get_task_logger(__name__)


class RecordedTask(Task[..., Any]):
    """Retried on failure; recorded as dead work after the last attempt."""

    autoretry_for = (Exception,)
    retry_backoff = settings.BACKGROUND_RETRY_DELAY
    retry_backoff_max = settings.BACKGROUND_RETRY_MAX_DELAY
    retry_jitter = False  # Celery's jitter needs whole seconds; the delays here may be fractions
    # Celery takes fractions of a second here; celery-types declares an int.
    default_retry_delay = settings.BACKGROUND_RETRY_DELAY  # type: ignore[assignment]
    max_retries = settings.BACKGROUND_MAX_ATTEMPTS - 1

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        """Keep the task as a dead outbox row, with its traceback."""
        from .outbox import record_dead  # needs the app registry, ready once tasks run

        record_dead(
            task_id=task_id, task_path=self.name, args=args, kwargs=kwargs,
            error=exc, traceback=str(einfo),
        )  # fmt: skip
