"""The deploy check of the broker's durability (``python manage.py check --deploy``)."""

from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register

from .broker import BrokerUnreachableError, durability_problems

# The check's id for each Redis setting that durability_problems() examines.
CHECK_IDS = {"appendonly": "background.W001", "maxmemory-policy": "background.W002"}


@register(Tags.compatibility, deploy=True)
def check_broker_durability(**kwargs: Any) -> list[CheckMessage]:
    """Warn when the Redis broker may lose queued tasks (no append-only file, eviction on).

    A broker that cannot be reached is not reported here: deploy checks often run where the
    broker is not (a build machine); the relay reports it at start-up.
    """
    try:
        problems = durability_problems()
    except BrokerUnreachableError:
        return []
    return [
        Warning(
            problem,
            hint="What the broker must provide: the README, Background work: what is guaranteed.",
            id=CHECK_IDS[setting],
        )
        for setting, problem in problems.items()
    ]
