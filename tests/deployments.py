"""A baked project deployed on the real servers of ``servers.py``, for the fault-injection tests.

``FAST`` shrinks the project's recovery timeouts to fractions of a second; ``background_workers``
starts what runs the option's background work (the relay and a Celery worker, or ``db_worker``);
``query``/``count`` read the project's database; ``private_redis`` is a Redis a test may stop;
``create_over_http`` posts a product as a logged-in browser behind the TLS proxy.
"""

from __future__ import annotations

import contextlib
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from .helpers import database_name, https_headers, project_env
from .servers import (
    ManagedProcess,
    PostgreSQL,
    Redis,
    Response,
    http_request,
    redis_command,
    start_process,
    wait_for,
)

# The project's recovery settings, shrunk from minutes to fractions of a second.
FAST = {
    "BACKGROUND_TASK_LEASE": "2",
    "BACKGROUND_RECLAIM_INTERVAL": "0.3",
    "BACKGROUND_MAX_ATTEMPTS": "3",
    "BACKGROUND_RETRY_DELAY": "0.2",
    "BACKGROUND_RETRY_MAX_DELAY": "1",
    "BACKGROUND_RELAY_INTERVAL": "0.1",
    "CELERY_BROKER_TIMEOUT": "1",
    "EMAIL_TIMEOUT": "2",
    "BACKGROUND_EMAIL_TIMEOUT": "2",
}


@contextlib.contextmanager
def background_workers(
    project: Path, env: dict[str, str], log_dir: Path, *, name: str = "worker", relays: int = 1
) -> Iterator[ManagedProcess]:
    """What runs the background work of the project's option; yields the task-running worker."""
    with contextlib.ExitStack() as stack:
        if "CELERY_BROKER_URL" in env:
            for number in range(relays):
                relay = manage_process(
                    project, env, log_dir, f"relay-{name}-{number}", "relay_outbox"
                )
                stack.enter_context(relay)
            worker = stack.enter_context(start_process(
                name, "celery", "-A", "config", "worker", "--loglevel", "INFO",
                "--concurrency", "1", "--without-heartbeat", "--without-gossip",
                "--without-mingle", cwd=project, env=project_env(**env), log_dir=log_dir,
            ))  # fmt: skip
        else:
            worker = stack.enter_context(manage_process(
                project, env, log_dir, name, "db_worker", "--interval", "0.1", "--no-startup-delay"
            ))  # fmt: skip
        yield worker


def manage_process(
    project: Path, env: dict[str, str], log_dir: Path, name: str, *command: str
) -> contextlib.AbstractContextManager[ManagedProcess]:
    """``python manage.py COMMAND`` as a long-lived process of the test (stopped on exit)."""
    return start_process(
        name, sys.executable, "manage.py", *command,
        cwd=project, env=project_env(**env), log_dir=log_dir,
    )  # fmt: skip


def query(postgresql: PostgreSQL, env: dict[str, str], sql: str) -> list[tuple]:
    """The rows ``sql`` returns from the database of the project deployed with ``env``."""
    return postgresql.query(database_name(env["DATABASE_URL"]), sql)


def count(postgresql: PostgreSQL, env: dict[str, str], table: str) -> int:
    """How many rows ``table`` of that database holds."""
    return query(postgresql, env, f"SELECT count(*) FROM {table}")[0][0]  # noqa: S608


@contextlib.contextmanager
def private_redis(port: int, log_dir: Path) -> Iterator[ManagedProcess]:
    """A Redis server on ``port`` for one test, so that it can be stopped and paused."""
    with start_process(f"redis-{port}", *redis_command(port, log_dir), log_dir=log_dir) as redis:
        wait_for(lambda: Redis(port).ping(), what=f"redis on port {port}", process=redis)
        yield redis


def create_over_http(port: int, name: str, session: str, *, timeout: float = 5) -> Response:
    """POST a product through the view (as a browser behind the TLS proxy, logged in with the
    ``session`` cookies from :func:`log_in`); fails if it hangs."""
    return http_request(
        port, "/products/", method="POST", timeout=timeout,
        headers=https_headers(port, Cookie=session),
        body=urllib.parse.urlencode({"name": name, "price": "19.90"}).encode(),
    )  # fmt: skip
