"""The base class of every Celery task in the project (``task_cls`` in ``config/celery.py``).

A task's outcome is recorded in its outbox row, which stays the source of truth until then: a
success deletes the row; a task that raises is retried with exponential backoff
(``BACKGROUND_RETRY_DELAY``, doubled per retry up to ``BACKGROUND_RETRY_MAX_DELAY``) until it
has run ``BACKGROUND_MAX_ATTEMPTS`` times, and is then recorded as a dead row that
``python manage.py dead_tasks`` lists and requeues. Override ``autoretry_for`` on a task whose
failures are never transient.

A worker that cannot reach the database does not run the task and does not count an attempt:
it waits (bounded backoff, ``BACKGROUND_RECONNECT_MAX_DELAY``) and hands the message back to the
broker (rejected and requeued, never acknowledged), and so does a worker that ran the task but
cannot record its outcome. Messages are acknowledged only after that (``task_acks_late``), so a
database outage longer than the retry window loses nothing. Each run is a unit of work of the
receivers' observers (an OpenTelemetry span linked to the one that queued the task, through the
message's headers).
"""

import time
import traceback
from collections.abc import Callable
from functools import partial
from typing import Any

from celery import Task
from celery.exceptions import Reject, Retry
from celery.utils.log import get_task_logger
from django import db
from django.conf import settings
from django.db import connection

from ..side_effects.runtime.observers import working
from . import policy

logger = get_task_logger(__name__)
# The headers of W3C trace context that a message carries from the outbox's relay.
TRACE_HEADERS = ("traceparent", "tracestate")


class RecordedTask(Task[..., Any]):
    """Retried on failure; its success or death recorded in the database before the ack."""

    autoretry_for = (Exception,)
    retry_backoff = settings.BACKGROUND_RETRY_DELAY
    retry_backoff_max = settings.BACKGROUND_RETRY_MAX_DELAY
    retry_jitter = False  # Celery's jitter needs whole seconds; the delays here may be fractions
    # Celery takes fractions of a second here; celery-types declares an int.
    default_retry_delay = settings.BACKGROUND_RETRY_DELAY  # type: ignore[assignment]
    max_retries = settings.BACKGROUND_MAX_ATTEMPTS - 1
    # Consecutive times this worker process found the database unavailable: its backoff.
    database_failures = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the task once the database answers, inside its observers' unit of work; record
        its outcome, or hand it back."""
        from . import outbox  # needs the app registry, ready once tasks run

        with working("task", self.name, _trace_context(self.request)):
            self._record_or_hand_back(_connect)
            try:
                result = super().__call__(*args, **kwargs)
            except Retry:  # a new message for the next attempt is with the broker already
                raise
            except Exception as error:  # the last attempt failed: the task is dead
                self._record_or_hand_back(partial(
                    outbox.record_dead, task_id=self.request.id, task_path=self.name, args=args,
                    kwargs=kwargs, error=error,
                    traceback="".join(traceback.format_exception(error)),
                ))  # fmt: skip
                raise
            self._record_or_hand_back(partial(outbox.record_done, self.request.id))
            return result

    def _record_or_hand_back(self, use_the_database: Callable[[], None]) -> None:
        """Run ``use_the_database``; if the database fails, wait and give the message back.

        The message is rejected with requeue, so the broker delivers it again; after
        ``database_failures`` consecutive failures the wait has doubled that many times.
        """
        try:
            use_the_database()
        except db.Error as error:
            RecordedTask.database_failures += 1
            connection.close()
            delay = policy.reconnect_delay(RecordedTask.database_failures)
            logger.warning(
                "Database unavailable (%s); task %s goes back to the broker in %.1fs.",
                str(error).strip(), self.request.id, delay,
            )  # fmt: skip
            time.sleep(delay)
            raise Reject(f"database unavailable: {error}", requeue=True) from error
        RecordedTask.database_failures = 0


def _connect() -> None:
    """Make sure the database answers, replacing a connection a server restart has broken."""
    if connection.connection is not None and not connection.is_usable():
        connection.close()
    connection.ensure_connection()


def _trace_context(request: Any) -> dict[str, str]:
    """The W3C trace headers of the task's message.

    A worker makes a message's custom headers attributes of the request; an eager run (tests)
    keeps them in ``request.headers``.
    """
    headers = getattr(request, "headers", None) or {}
    found = {key: getattr(request, key, None) or headers.get(key) for key in TRACE_HEADERS}
    return {key: value for key, value in found.items() if isinstance(value, str)}
