"""The transactional outbox: queue Celery tasks in the caller's transaction, relay them later.

:func:`enqueue` writes an :class:`OutboxMessage` with the caller's database connection, so the
task is queued if and only if the caller's transaction commits, and the request never waits on
the broker. :func:`relay_due` (run in a loop by ``python manage.py relay_outbox``) publishes
due rows and marks them published, with a lease, in one transaction: a relay killed after
publishing but before the commit publishes those rows again (at least once, never zero times).
The row stays until a worker records the task's outcome (:func:`record_done`,
:func:`record_dead`); a row whose lease passes without one (the broker lost the message: a
restart without persistence, a flush, an eviction) is published again. Rows are claimed with
``SELECT ... FOR UPDATE SKIP LOCKED`` where the database has it (PostgreSQL), so relays can run
side by side; SQLite ignores the lock (run one relay there).

Why not a library: django-celery-outbox requires structlog, sentry-sdk and datadog, which a
template must not force on its users; django-jaiminho pickles functions and publishes on commit
by default. What is needed here fits in this module.
"""

import logging
import threading
import uuid
from collections.abc import Iterable
from contextlib import suppress
from typing import Any

from celery import Task, current_app
from celery.exceptions import NotRegistered
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from . import policy
from .inserts import insert_row
from .models import OutboxMessage
from .tracing import split_trace_context, with_trace_context

logger = logging.getLogger(__name__)

# What a broker that refuses, drops or stalls the connection raises (with bounded timeouts).
BROKER_ERRORS = (KombuOperationalError, OSError)
RELAY_BATCH_SIZE = 100


class BrokerUnavailableError(Exception):
    """The broker could not take a message; the relay backs off and tries again."""


def enqueue(task: Task[..., Any], /, *args: object, **kwargs: object) -> OutboxMessage:
    """Queue ``task(*args, **kwargs)`` in the current transaction (arguments must be JSON).

    One INSERT (:func:`.inserts.insert_row`): every change that queues work pays for it.
    """
    message = OutboxMessage(task_path=task.name, args=list(args), kwargs=with_trace_context(kwargs))
    insert_row(message)
    return message


def relay_due(limit: int = RELAY_BATCH_SIZE, *, stop: threading.Event | None = None) -> int:
    """Publish up to ``limit`` due messages to the broker; return how many were published.

    Due are pending rows and published ones whose lease has passed with no outcome recorded.
    Once ``stop`` is set (checked before each message), the rest of the batch is left for
    later and what was published is marked as such: a relay told to stop hands back the rest
    of its batch instead of publishing it twice. Raises :class:`BrokerUnavailableError` when the
    broker fails; what was published before that is still marked published.
    """
    published: list[uuid.UUID] = []
    failure: Exception | None = None
    now = timezone.now()
    with transaction.atomic():
        due = OutboxMessage.objects.filter(
            status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.PUBLISHED],
            available_at__lte=now,
        )
        for message in due.select_for_update(skip_locked=True)[:limit]:
            if stop is not None and stop.is_set():
                break
            try:
                _publish(message)
            except NotRegistered as error:
                _bury(message, error)
                continue
            except BROKER_ERRORS as error:
                failure = error
                break
            published.append(message.id)
        # Not yet finished: a task that already ran (eager) is gone, or kept dead.
        OutboxMessage.objects.filter(id__in=published).exclude(
            status=OutboxMessage.Status.DEAD
        ).update(
            status=OutboxMessage.Status.PUBLISHED,
            available_at=now + policy.delivery_lease(),
            publications=F("publications") + 1,
        )
    if failure is not None:
        raise BrokerUnavailableError(str(failure)) from failure
    return len(published)


def _publish(message: OutboxMessage) -> None:
    """Hand one message to the broker, once (the relay, not kombu, decides about retrying)."""
    task = current_app.tasks[message.task_path]
    if message.status == OutboxMessage.Status.PUBLISHED:
        logger.warning(
            "Task %s (%s) was published %d time(s) and no outcome was recorded within its lease "
            "of %s; publishing it again.",
            message.id, message.task_path, message.publications, policy.delivery_lease(),
        )  # fmt: skip
    kwargs, trace_context = split_trace_context(message.kwargs)
    headers: dict[str, Any] = {"headers": trace_context} if trace_context else {}
    task.apply_async(message.args, kwargs, task_id=str(message.id), retry=False, **headers)


def _bury(message: OutboxMessage, error: Exception) -> None:
    message.status = OutboxMessage.Status.DEAD
    message.exception_class_path = f"{type(error).__module__}.{type(error).__qualname__}"
    message.traceback = str(error)
    message.save(update_fields=["status", "exception_class_path", "traceback"])
    logger.error("Outbox message %s names no Celery task: %s", message.id, error)


def record_done(task_id: str | None) -> None:
    """Record that a task has finished: its row leaves the outbox (nothing to publish again).

    A task that was not queued through the outbox (no id, or one that is not a UUID) has none.
    """
    with suppress(TypeError, ValueError):
        OutboxMessage.objects.filter(id=uuid.UUID(task_id)).delete()


def record_dead(
    *, task_id: str | None, task_path: str, args: Iterable[object], kwargs: dict[str, object],
    error: BaseException, traceback: str,
) -> None:  # fmt: skip
    """Keep a task that failed for good as a dead outbox row (its id kept when it is a UUID)."""
    try:
        message_id = uuid.UUID(task_id)
    except (TypeError, ValueError):  # not queued through the outbox
        message_id = uuid.uuid4()
    OutboxMessage.objects.update_or_create(
        id=message_id,
        defaults={
            "task_path": task_path,
            "args": list(args),
            "kwargs": kwargs,
            "status": OutboxMessage.Status.DEAD,
            "exception_class_path": f"{type(error).__module__}.{type(error).__qualname__}",
            "traceback": traceback,
        },
    )
    logger.error(
        "Task %s (%s) failed for good; `python manage.py dead_tasks --requeue %s` runs it again.",
        message_id, task_path, message_id,
    )  # fmt: skip


def dead_tasks() -> QuerySet[OutboxMessage]:
    """Tasks that failed for good, newest first."""
    return OutboxMessage.objects.filter(status=OutboxMessage.Status.DEAD).order_by("-created_at")


def requeue(task_ids: Iterable[uuid.UUID] | None = None) -> int:
    """Put dead tasks (all of them, or those of ``task_ids``) back in the outbox."""
    tasks = dead_tasks() if task_ids is None else dead_tasks().filter(id__in=list(task_ids))
    return tasks.update(
        status=OutboxMessage.Status.PENDING,
        available_at=timezone.now(),
        publications=0,
        exception_class_path="",
        traceback="",
    )
