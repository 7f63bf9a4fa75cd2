"""What the broker must provide so that published tasks survive it, and how to tell.

The outbox republishes a task whose outcome was not recorded within ``BACKGROUND_DELIVERY_LEASE``,
so a broker that loses messages delays them rather than losing them; a broker that keeps them
delivers them at once. Redis keeps them through a restart only with its append-only file on
(``appendonly yes``), and never drops them under memory pressure only with
``maxmemory-policy noeviction``. :func:`durability_problems` asks a Redis broker (``INFO``, which
managed Redis services allow where ``CONFIG`` is refused) and says what is missing; the deploy
check (``manage.py check --deploy``) and the relay at start-up report it.
"""

from urllib.parse import urlsplit

import redis
from django.conf import settings

REDIS_SCHEMES = ("redis", "rediss")
# Seconds to wait for the broker's answer: a check must not hang a deployment.
ANSWER_TIMEOUT = 2.0


class BrokerUnreachableError(Exception):
    """The broker did not answer the durability question."""


def durability_problems(url: str | None = None) -> dict[str, str]:
    """What the Redis broker at ``url`` (default ``CELERY_BROKER_URL``) lacks, by setting.

    Empty when nothing is missing; brokers other than Redis are not examined. Raises
    :class:`BrokerUnreachableError` when Redis does not answer.
    """
    url = url or settings.CELERY_BROKER_URL
    if urlsplit(url).scheme not in REDIS_SCHEMES:
        return {}
    client = redis.Redis.from_url(
        url, socket_timeout=ANSWER_TIMEOUT, socket_connect_timeout=ANSWER_TIMEOUT
    )
    try:
        persistence = client.info("persistence")
        memory = client.info("memory")
    except redis.RedisError as error:
        raise BrokerUnreachableError(str(error)) from error
    finally:
        client.close()
    problems = {}
    if not persistence.get("aof_enabled"):
        problems["appendonly"] = (
            "Redis runs with appendonly no: a restart loses every queued task until the outbox "
            "republishes it after BACKGROUND_DELIVERY_LEASE; set appendonly yes."
        )
    policy = memory.get("maxmemory_policy", "noeviction")
    if policy != "noeviction":
        problems["maxmemory-policy"] = (
            f"Redis runs with maxmemory-policy {policy}: under memory pressure it drops queued "
            "tasks until the outbox republishes them after BACKGROUND_DELIVERY_LEASE; set "
            "maxmemory-policy noeviction."
        )
    return problems
