"""Fault injection on real servers: background work queued by a committed change is never lost.

Each test bakes a project, runs it with production settings on a private PostgreSQL (and Redis
for the celery option), breaks something on purpose, and checks the promise of the README's
"Background work: what is guaranteed": a process killed right after COMMIT, a broker that
refuses or hangs, a worker killed in the middle of a task, an SMTP server that refuses for a
while or for good, a receiver whose SQL fails, and concurrent requests with duplicate names.
Every timeout of the project is made small through its environment (``FAST``), so that recovery
happens in seconds; every process is stopped by its process group even when a test fails.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .deployments import (
    FAST,
    background_workers,
    count,
    create_over_http,
    private_redis,
    query,
)
from .helpers import (
    bake_project,
    create_api_user,
    log_in,
    mailing_env,
    manage,
    output_of,
    production_env,
    project_env,
    run_in_project,
)
from .servers import (
    ManagedProcess,
    PostgreSQL,
    Redis,
    SmtpSink,
    free_port,
    start_process,
    wait_for,
)

pytestmark = pytest.mark.slow

OPTIONS = ["database", "celery"]

# Creates a product and dies by SIGKILL right after the COMMIT: the first on-commit callback
# kills the process before any later one (such as an on-commit enqueue) could run.
CREATE_AND_DIE_AFTER_COMMIT = """
import os, signal
from decimal import Decimal
from django.db import transaction
from acme_shop.catalog.services import create_product
with transaction.atomic():
    transaction.on_commit(lambda: os.kill(os.getpid(), signal.SIGKILL))
    create_product(name="Lamp", price=Decimal("19.90"))
"""

CREATE_PRODUCT = """
from decimal import Decimal
from acme_shop.catalog.services import create_product
create_product(name="Lamp", price=Decimal("19.90"))
"""

# A receiver whose SQL fails, added to the example app's receivers.
FAILING_RECEIVER = '''

@side_effect(post_save, sender=Product, max_queries=1)
def count_in_a_missing_table(sender: type[Product], **kwargs: object) -> None:
    """Count the save in a table that does not exist (its SQL fails)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE no_such_table SET saves = saves + 1")
'''


# --- helpers ------------------------------------------------------------------------------------


def deployed_project(
    tmp_path: Path, postgresql: PostgreSQL, background_tasks: str, **env: str
) -> tuple[Path, dict[str, str]]:
    """Bake a project, give it a fresh database, migrate it; return it and its environment."""
    project = bake_project(tmp_path / "bake", background_tasks=background_tasks)
    environment = production_env(
        DATABASE_URL=postgresql.create_database(f"faults_{background_tasks}"), **{**FAST, **env}
    )
    manage(project, "migrate", "--no-input", **environment)
    return project, environment


# Redis databases for the brokers of deploy(): one per test, so no test sees another's messages
# (database 0 is test_servers').
_broker_databases = itertools.count(1)


@pytest.fixture
def deploy(
    tmp_path: Path, postgresql: PostgreSQL, redis_server: Redis, smtp_server: SmtpSink
) -> Callable[..., tuple[Path, dict[str, str]]]:
    """``deploy(option, **env)``: :func:`deployed_project`, mailing to ``smtp_server``; with
    Celery, its broker is a database of ``redis_server`` that no other test uses."""

    def deploy_option(background_tasks: str, **env: str) -> tuple[Path, dict[str, str]]:
        if background_tasks == "celery":
            env.setdefault("CELERY_BROKER_URL", redis_server.url(next(_broker_databases)))
        return deployed_project(
            tmp_path, postgresql, background_tasks, **mailing_env(smtp_server), **env
        )

    return deploy_option


def task_table(background_tasks: str) -> str:
    """Where the option records each queued task (pending, or relayed and run)."""
    if background_tasks == "database":
        return "django_tasks_database_dbtaskresult"
    return "catalog_pricenotification"  # one row per task run: the outbox row is gone by then


# --- a process killed right after COMMIT --------------------------------------------------------


@pytest.mark.parametrize("background_tasks", OPTIONS)
def test_work_committed_by_a_process_killed_right_after_commit_is_delivered(
    tmp_path: Path,
    postgresql: PostgreSQL,
    smtp_server: SmtpSink,
    deploy: Callable[..., tuple[Path, dict[str, str]]],
    background_tasks: str,
) -> None:
    project, env = deploy(background_tasks)

    killed = run_in_project(
        project, sys.executable, "manage.py", "shell", "-c", CREATE_AND_DIE_AFTER_COMMIT, **env
    )
    assert killed.returncode == -signal.SIGKILL, output_of(killed)
    assert count(postgresql, env, "catalog_product") == 1

    with background_workers(project, env, tmp_path) as worker:
        [mail] = smtp_server.wait_for_messages(1, process=worker)

    assert mail.message["Subject"] == "Lamp now costs 19.90"


# --- the broker refusing, then hanging (celery) ------------------------------------------------


def test_requests_succeed_while_the_broker_is_down_or_hung_and_deliveries_follow(
    tmp_path: Path, postgresql: PostgreSQL, smtp_server: SmtpSink
) -> None:
    broker_port = free_port()
    project, env = deployed_project(
        tmp_path, postgresql, "celery",
        CELERY_BROKER_URL=f"redis://127.0.0.1:{broker_port}/0", **mailing_env(smtp_server),
    )  # fmt: skip
    create_api_user(project, env)

    with (
        start_process(
            "gunicorn", "gunicorn", "config.wsgi", "--bind", "127.0.0.1:0", "--workers", "2",
            "--graceful-timeout", "1",
            cwd=project, env=project_env(**env), log_dir=tmp_path,
        ) as web,
        background_workers(project, env, tmp_path) as worker,
    ):  # fmt: skip
        port = int(web.wait_for_log(r"Listening at: http://127\.0\.0\.1:(\d+)", what="gunicorn")[1])
        session = log_in(port)
        # Refused: nothing listens on the broker's port yet.
        assert create_over_http(port, "Lamp", session).status == 201
        worker.wait_for_log(r"Cannot connect to redis|Error 111", what="the worker to fail")
        with private_redis(broker_port, tmp_path) as redis:
            smtp_server.wait_for_messages(1, process=worker)
            # Hung: the broker accepts connections but answers nothing.
            redis.popen.send_signal(signal.SIGSTOP)
            try:
                assert create_over_http(port, "Desk", session).status == 201
                assert create_over_http(port, "Chair", session).status == 201
            finally:
                redis.popen.send_signal(signal.SIGCONT)
            messages = smtp_server.wait_for_messages(3, process=worker)

    assert sorted(mail.message["Subject"] for mail in messages) == [
        "Chair now costs 19.90",
        "Desk now costs 19.90",
        "Lamp now costs 19.90",
    ]


# --- a worker killed in the middle of a task ----------------------------------------------------


@pytest.mark.parametrize("background_tasks", OPTIONS)
def test_a_task_whose_worker_is_killed_mid_run_completes_later(
    tmp_path: Path,
    postgresql: PostgreSQL,
    smtp_server: SmtpSink,
    blackhole: int,
    deploy: Callable[..., tuple[Path, dict[str, str]]],
    background_tasks: str,
) -> None:
    project, env = deploy(background_tasks)
    # The first worker's SMTP server never answers: the task hangs in the middle of its run.
    hanging = {**env, "EMAIL_PORT": str(blackhole), "BACKGROUND_EMAIL_TIMEOUT": "60"}
    with background_workers(project, hanging, tmp_path, name="doomed") as doomed:
        manage(project, "shell", "-c", CREATE_PRODUCT, **env)
        wait_for(
            lambda: task_started(postgresql, env, doomed),
            what="the task to start on the doomed worker", process=doomed,
        )  # fmt: skip
        doomed.kill()

    with background_workers(project, env, tmp_path, name="successor") as successor:
        [mail] = smtp_server.wait_for_messages(1, process=successor)

    assert mail.message["Subject"] == "Lamp now costs 19.90"


def test_a_celery_task_whose_pool_process_dies_is_given_back_at_once(
    tmp_path: Path, postgresql: PostgreSQL, redis_server: Redis, blackhole: int
) -> None:
    project, env = deployed_project(
        tmp_path, postgresql, "celery",
        CELERY_BROKER_URL=redis_server.url(next(_broker_databases)),
        CATALOG_PRICE_WATCHERS="watcher@example.com",
        EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(blackhole), BACKGROUND_EMAIL_TIMEOUT="60",
        BACKGROUND_TASK_LEASE="600",  # a redelivery within the test cannot come from the lease
    )  # fmt: skip
    received = r"Task acme_shop\.catalog\.tasks\.notify_price_watchers\[([0-9a-f-]+)\] received"

    with background_workers(project, env, tmp_path) as worker:
        manage(project, "shell", "-c", CREATE_PRODUCT, **env)
        task_id = worker.wait_for_log(received, what="the task to start")[1]
        [child] = children_of(worker.popen.pid)
        os.kill(child, signal.SIGKILL)
        worker.wait_for_log(r"WorkerLostError", what="the worker to notice its lost child")
        wait_for(
            lambda: len(re.findall(received, worker.log_text())) == 2,
            what="the task to be delivered again", process=worker,
        )  # fmt: skip
        worker.kill()  # it hangs on the SMTP server again: no warm shutdown to wait for

    assert re.findall(received, worker.log_text()) == [task_id, task_id]


def children_of(pid: int) -> list[int]:
    """The ids of the processes whose parent is ``pid`` (from /proc)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                children.append(int(stat.parent.name))
    return children


def task_started(postgresql: PostgreSQL, env: dict[str, str], worker: ManagedProcess) -> bool:
    if "CELERY_BROKER_URL" in env:  # the worker's banner names the task too: wait for "received"
        return (
            re.search(r"notify_price_watchers\[[0-9a-f-]+\] received", worker.log_text())
            is not None
        )
    rows = query(postgresql, env, "SELECT status FROM django_tasks_database_dbtaskresult")
    return rows == [("RUNNING",)]


# --- failing SMTP: retried, then dead and requeued -----------------------------------------------


@pytest.mark.parametrize("background_tasks", OPTIONS)
def test_failures_are_retried_then_dead_and_requeueable(
    tmp_path: Path,
    postgresql: PostgreSQL,
    smtp_server: SmtpSink,
    deploy: Callable[..., tuple[Path, dict[str, str]]],
    background_tasks: str,
) -> None:
    # No error e-mails to the refusing SMTP server: it counts task attempts.
    project, env = deploy(background_tasks, ADMINS="")

    with background_workers(project, env, tmp_path) as worker:
        # Transient: the SMTP server refuses twice, the third attempt (the last allowed) succeeds.
        smtp_server.refuse_sessions = 2
        manage(project, "shell", "-c", CREATE_PRODUCT, **env)
        smtp_server.wait_for_messages(1, process=worker)
        assert smtp_server.refused == 2

        # Permanent: refused on every attempt, the task is dead and listed as such.
        smtp_server.refuse_sessions = 10**6
        manage(project, "shell", "-c", CREATE_PRODUCT.replace("Lamp", "Desk"), **env)
        wait_for(
            lambda: count(postgresql, env, DEAD_TASKS[background_tasks]) == 1,
            what="the task to be dead", process=worker,
        )  # fmt: skip
        assert smtp_server.refused == 2 + 3
        dead = dead_task_lines(project, env)
        assert "notify_price_watchers" in dead[0]

        # Fixed: requeued, it runs again and is delivered.
        smtp_server.refuse_sessions = 0
        task_id = dead[0].split()[0]
        requeued = manage(project, "dead_tasks", "--requeue", task_id, **env)
        assert "Requeued 1 task(s)." in requeued.stdout
        messages = smtp_server.wait_for_messages(2, process=worker)

    assert messages[1].message["Subject"] == "Desk now costs 19.90"
    assert dead_task_lines(project, env) == []


DEAD_TASKS = {
    "database": "django_tasks_database_dbtaskresult WHERE status = 'FAILED'",
    "celery": "background_outboxmessage WHERE status = 'DEAD'",
}


def dead_task_lines(project: Path, env: dict[str, str]) -> list[str]:
    output = manage(project, "dead_tasks", **env).stdout
    return [line for line in output.splitlines() if "dead task(s)" not in line]


# --- a receiver whose SQL fails -----------------------------------------------------------------


def test_a_receiver_sql_error_leaves_the_change_and_its_audit_committed(
    tmp_path: Path, postgresql: PostgreSQL
) -> None:
    project, env = deployed_project(tmp_path, postgresql, "database")
    signals = project / "acme_shop" / "catalog" / "signals.py"
    signals.write_text(signals.read_text() + FAILING_RECEIVER)

    created = run_in_project(
        project, sys.executable, "manage.py", "shell", "-c", CREATE_PRODUCT, **env
    )

    assert created.returncode == 0, output_of(created)
    assert "Receiver acme_shop.catalog.signals.count_in_a_missing_table failed." in created.stderr
    assert 'relation "no_such_table" does not exist' in created.stderr
    assert query(postgresql, env, "SELECT name FROM catalog_product") == [("Lamp",)]
    assert count(postgresql, env, "catalog_auditlog") == 1
    assert count(postgresql, env, "django_tasks_database_dbtaskresult") == 1  # the service's task


# --- concurrent requests with duplicate names ---------------------------------------------------


@pytest.mark.parametrize("background_tasks", OPTIONS)
def test_concurrent_duplicate_posts_get_201_or_400_and_every_product_one_e_mail(
    tmp_path: Path,
    postgresql: PostgreSQL,
    smtp_server: SmtpSink,
    deploy: Callable[..., tuple[Path, dict[str, str]]],
    background_tasks: str,
) -> None:
    project, env = deploy(background_tasks)
    create_api_user(project, env)
    names = [f"Product {number % 20}" for number in range(50)]  # 30 duplicates

    with (
        start_process(
            "gunicorn", "gunicorn", "config.wsgi", "--bind", "127.0.0.1:0", "--workers", "3",
            "--threads", "4", "--graceful-timeout", "1",
            cwd=project, env=project_env(**env), log_dir=tmp_path,
        ) as web,
        background_workers(project, env, tmp_path, relays=2) as worker,  # relays side by side
    ):  # fmt: skip
        port = int(web.wait_for_log(r"Listening at: http://127\.0\.0\.1:(\d+)", what="gunicorn")[1])
        session = log_in(port)
        with ThreadPoolExecutor(max_workers=25) as pool:
            # A generous timeout: 50 requests queue up on two shared cores.
            responses = list(
                pool.map(lambda name: create_over_http(port, name, session, timeout=60), names)
            )
        products = count(postgresql, env, "catalog_product")
        messages = smtp_server.wait_for_messages(products, process=worker)
        wait_for(
            lambda: count(postgresql, env, task_table(background_tasks)) == products,
            what="every task to be recorded", process=worker,
        )  # fmt: skip

    statuses = [response.status for response in responses]
    assert set(statuses) <= {201, 400}, [r.text for r in responses if r.status not in (201, 400)]
    assert statuses.count(201) == products == 20
    for response in responses:
        if response.status == 400:
            assert json.loads(response.body)["errors"]["name"][0]["code"] == "unique"
    assert count(postgresql, env, "catalog_auditlog") == products
    assert len(messages) == len(smtp_server.messages) == products
    assert len({mail.message["Subject"] for mail in messages}) == products
    if background_tasks == "celery":  # two relays, yet each task was published once
        assert (
            len(re.findall(r"notify_price_watchers\[[0-9a-f-]+\] received", worker.log_text()))
            == products
        )
