"""How long background work may take and how often it is tried: read from settings.

``BACKGROUND_TASK_LEASE``: seconds a started task may run before it is presumed abandoned (its
worker died) and run again; keep it longer than the longest task. ``BACKGROUND_MAX_ATTEMPTS``:
runs of a failing task before it is dead. ``BACKGROUND_RETRY_DELAY`` and
``BACKGROUND_RETRY_MAX_DELAY``: the wait before the first retry, doubled for each further one,
and its ceiling (seconds). ``BACKGROUND_RECONNECT_MAX_DELAY``: the ceiling of the same doubling
wait of a worker or relay whose database or broker is unavailable.
{%- if cookiecutter.background_tasks == "celery" %}
``BACKGROUND_DELIVERY_LEASE``: seconds after publishing a task with no outcome recorded before
the relay publishes it again.
{%- endif %}
"""

from datetime import timedelta

from django.conf import settings


def task_lease() -> timedelta:
    """How long a running task may go unfinished before another worker runs it again."""
    return timedelta(seconds=settings.BACKGROUND_TASK_LEASE)


def max_attempts() -> int:
    """How many times a failing task runs before it is recorded as dead."""
    return int(settings.BACKGROUND_MAX_ATTEMPTS)


def retry_delay(attempt: int) -> timedelta:
    """The wait before running a task again after its ``attempt``-th run failed (1-based)."""
    delay = settings.BACKGROUND_RETRY_DELAY * 2 ** (attempt - 1)
    return timedelta(seconds=min(delay, settings.BACKGROUND_RETRY_MAX_DELAY))


def reconnect_delay(failures: int) -> float:
    """Seconds to wait after ``failures`` consecutive failures to reach the database or broker."""
    delay = settings.BACKGROUND_RETRY_DELAY * 2 ** (failures - 1)
    return float(min(delay, settings.BACKGROUND_RECONNECT_MAX_DELAY))
{%- if cookiecutter.background_tasks == "celery" %}


def delivery_lease() -> timedelta:
    """How long a published task may go without a recorded outcome before it is republished."""
    return timedelta(seconds=settings.BACKGROUND_DELIVERY_LEASE)
{%- endif %}
