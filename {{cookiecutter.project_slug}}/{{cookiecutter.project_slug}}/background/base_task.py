"""The base class of every Celery task in the project (``task_cls`` in ``config/celery.py``).

A task that raises is retried with exponential backoff (``BACKGROUND_RETRY_DELAY``, doubled per
retry up to ``BACKGROUND_RETRY_MAX_DELAY``) until it has run
``BACKGROUND_MAX_ATTEMPTS`` times; then it is recorded as a dead outbox row that
``python manage.py dead_tasks`` lists and requeues. Override ``autoretry_for`` on a task whose
failures are never transient. Each run is a unit of work of the receivers' observers (an
OpenTelemetry span linked to the one that queued the task, through the message's headers).
"""

from typing import Any

from celery import Task
from celery.utils.log import get_task_logger
from django.conf import settings

from ..side_effects.runtime.observers import working

logger = get_task_logger(__name__)
# The headers of W3C trace context that a message carries from the outbox's relay.
TRACE_HEADERS = ("traceparent", "tracestate")


class RecordedTask(Task[..., Any]):
    """Retried on failure; recorded as dead work after the last attempt."""

    autoretry_for = (Exception,)
    retry_backoff = settings.BACKGROUND_RETRY_DELAY
    retry_backoff_max = settings.BACKGROUND_RETRY_MAX_DELAY
    retry_jitter = False  # Celery's jitter needs whole seconds; the delays here may be fractions
    # Celery takes fractions of a second here; celery-types declares an int.
    default_retry_delay = settings.BACKGROUND_RETRY_DELAY  # type: ignore[assignment]
    max_retries = settings.BACKGROUND_MAX_ATTEMPTS - 1

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the task inside its observers' unit of work."""
        with working("task", self.name, _trace_context(self.request)):
            return super().__call__(*args, **kwargs)

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        """Keep the task as a dead outbox row, with its traceback."""
        from .outbox import record_dead  # needs the app registry, ready once tasks run

        record_dead(
            task_id=task_id, task_path=self.name, args=args, kwargs=kwargs,
            error=exc, traceback=str(einfo),
        )  # fmt: skip


def _trace_context(request: Any) -> dict[str, str]:
    """The W3C trace headers of the task's message.

    A worker makes a message's custom headers attributes of the request; an eager run (tests)
    keeps them in ``request.headers``.
    """
    headers = getattr(request, "headers", None) or {}
    found = {key: getattr(request, key, None) or headers.get(key) for key in TRACE_HEADERS}
    return {key: value for key, value in found.items() if isinstance(value, str)}
