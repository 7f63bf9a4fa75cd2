"""How long background work may take and how often it is tried: read from settings.

``BACKGROUND_TASK_LEASE``: seconds a started task may run before it is presumed abandoned (its
worker died) and run again; keep it longer than the longest task. ``BACKGROUND_MAX_ATTEMPTS``:
runs of a failing task before it is dead. ``BACKGROUND_RETRY_DELAY`` and
``BACKGROUND_RETRY_MAX_DELAY``: the wait before the first retry, doubled for each further one,
and its ceiling (seconds).
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
