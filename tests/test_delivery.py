"""Fault injection on real servers: committed means queued, and queued means delivered.

A change whose task cannot be written (the task table missing, the disk full, the table locked
past the statement timeout) fails fast and commits nothing. A task the broker loses after the
relay published it (a Redis restart without persistence, FLUSHALL, eviction) is published again
after its lease and delivered; one that waits in Redis while the database is down longer than
the retry window is delivered once the database is back. The relay, ``db_worker`` and the Celery
worker survive a PostgreSQL restart by themselves; a relay stopped with SIGTERM mid-batch
publishes nothing twice; a slow SMTP server gives exactly the documented number of messages;
``check --deploy`` reports a Redis broker that may lose tasks.

The projects are baked once per module and each test gets its own database; the tests that stop
PostgreSQL share a server of their own (``restartable``), never the session's.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from .deployments import (
    FAST,
    background_workers,
    count,
    create_over_http,
    manage_process,
    private_redis,
    query,
)
from .helpers import (
    bake_project,
    create_api_user,
    database_name,
    log_in,
    mailing_env,
    manage,
    output_of,
    production_env,
    project_env,
)
from .servers import (
    ManagedProcess,
    PostgreSQL,
    Redis,
    Response,
    SmtpSink,
    free_port,
    redis_command,
    running_postgresql,
    start_process,
    wait_for,
)

pytestmark = pytest.mark.slow

FAST_DELIVERY = {
    **FAST,
    "BACKGROUND_RECONNECT_MAX_DELAY": "1",
    "BACKGROUND_DELIVERY_LEASE": "3",
    "ADMINS": "",  # no error e-mails to the SMTP sink: it counts the tasks' messages
}

# Where each option writes a queued task.
TASK_TABLE = {
    "database": "django_tasks_database_dbtaskresult",
    "celery": "background_outboxmessage",
}

# Redis databases of the shared redis_server for this module's brokers (test_faults' use 1-...).
_broker_databases = itertools.count(10)


def create_products(*names: str) -> str:
    """The ``manage.py shell`` code that creates a product of each name through the service."""
    return (
        "from decimal import Decimal\n"
        "from acme_shop.catalog.services import create_product\n"
        f"for name in {list(names)!r}:\n"
        "    create_product(name=name, price=Decimal('19.90'))\n"
    )


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One baked project per option, shared by the module's tests (each with its own database)."""
    return {
        option: bake_project(tmp_path_factory.mktemp(option), background_tasks=option)
        for option in ("database", "celery")
    }


@pytest.fixture(scope="module")
def restartable() -> Iterator[PostgreSQL]:
    """A PostgreSQL server that this module's tests stop and start again."""
    with running_postgresql() as server:
        yield server


def deploy(
    project: Path, server: PostgreSQL, smtp_server: SmtpSink | None = None, **env: str
) -> dict[str, str]:
    """Give ``project`` a fresh database on ``server``, migrate it; return its environment."""
    mailing = mailing_env(smtp_server) if smtp_server is not None else {}
    environment = production_env(
        DATABASE_URL=server.create_database(f"delivery_{project.parent.name}"),
        **{**FAST_DELIVERY, **mailing, **env},
    )
    manage(project, "migrate", "--no-input", **environment)
    return environment


@contextlib.contextmanager
def gunicorn(project: Path, env: dict[str, str], log_dir: Path) -> Iterator[int]:
    """The project's web process with production settings; yields its port."""
    with start_process(
        "gunicorn", "gunicorn", "config.wsgi", "--bind", "127.0.0.1:0", "--workers", "1",
        "--graceful-timeout", "1", cwd=project, env=project_env(**env), log_dir=log_dir,
    ) as web:  # fmt: skip
        yield int(web.wait_for_log(r"Listening at: http://127\.0\.0\.1:(\d+)", what="gunicorn")[1])


def execute(server: PostgreSQL, env: dict[str, str], statement: str, *params: object) -> None:
    """Run ``statement`` (no result) in the project's database."""
    with server.connect(database_name(env["DATABASE_URL"])) as connection:
        connection.execute(statement, params or None)


# --- a failed enqueue fails the change ---------------------------------------------------------


def full_disk_trigger(table: str) -> tuple[str, str]:
    """SQL that makes every INSERT into ``table`` fail as a full disk does, and its undoing."""
    return (
        "CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = '53100';"
        f" END $$; CREATE TRIGGER full_disk BEFORE INSERT ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION full_disk()",
        f"DROP TRIGGER full_disk ON {table}; DROP FUNCTION full_disk()",
    )


@pytest.mark.parametrize("background_tasks", ["database", "celery"])
def test_a_change_whose_task_cannot_be_written_fails_fast_and_commits_nothing(
    tmp_path: Path, postgresql: PostgreSQL, projects: dict[str, Path], background_tasks: str
) -> None:
    project = projects[background_tasks]
    table = TASK_TABLE[background_tasks]
    # The production statement timeout (15 s by default), shortened for the test.
    env = deploy(project, postgresql, DATABASE_STATEMENT_TIMEOUT="1")
    create_api_user(project, env)
    faults = {
        "disk full": full_disk_trigger(table),
        "table missing": (
            f"ALTER TABLE {table} RENAME TO moved_away",
            f"ALTER TABLE moved_away RENAME TO {table}",
        ),
    }

    with gunicorn(project, env, tmp_path) as port:
        session = log_in(port)

        def post() -> Response:
            return create_over_http(port, "Lamp", session, timeout=10)

        responses = {}
        for fault, (break_it, repair_it) in faults.items():
            execute(postgresql, env, break_it)
            try:
                responses[fault] = timed(post)
            finally:
                execute(postgresql, env, repair_it)
        with (
            postgresql.connect(database_name(env["DATABASE_URL"])) as locker,
            locker.transaction(),
        ):
            locker.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            responses["table locked"] = timed(post)
        tables = ("catalog_product", "catalog_auditlog", table)
        after_faults = {name: count(postgresql, env, name) for name in tables}
        working = create_over_http(port, "Lamp", session)

    for fault, (response, seconds) in responses.items():
        assert 500 <= response.status < 600, (fault, response.status, response.text[:200])
        assert seconds < 5, (fault, seconds)
    assert after_faults == dict.fromkeys(tables, 0)
    assert working.status == 201, working.text
    assert {name: count(postgresql, env, name) for name in tables} == dict.fromkeys(tables, 1)


def timed[T](call: Callable[[], T]) -> tuple[T, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


# --- the broker loses what was published (celery) ---------------------------------------------


def outbox_statuses(server: PostgreSQL, env: dict[str, str]) -> dict[str, int]:
    rows = query(server, env, "SELECT status, count(*) FROM background_outboxmessage GROUP BY 1")
    return dict(rows)


def names_for(fault: str) -> list[str]:
    """Three product names for the tasks of one fault."""
    return [f"{fault} {number}" for number in range(3)]


def evict_everything(port: int) -> None:
    """Make Redis evict every key, as ``allkeys-lru`` does when memory runs out."""
    client = redis.Redis(port=port)
    try:
        client.config_set("maxmemory-policy", "allkeys-lru")
        client.config_set("maxmemory", 1)
        with contextlib.suppress(redis.ResponseError):  # OOM once nothing is left to evict
            client.set("a-write-that-makes-room", "x")
        assert client.dbsize() == 0
        client.config_set("maxmemory", 0)
        client.config_set("maxmemory-policy", "noeviction")
    finally:
        client.close()


def test_tasks_the_broker_loses_after_publishing_are_published_again_and_delivered(
    tmp_path: Path, postgresql: PostgreSQL, projects: dict[str, Path], smtp_server: SmtpSink
) -> None:
    project = projects["celery"]
    port = free_port()
    env = deploy(project, postgresql, smtp_server, CELERY_BROKER_URL=f"redis://127.0.0.1:{port}/0")
    log_dir = tmp_path / "first"
    log_dir.mkdir()

    with contextlib.ExitStack() as stack:
        broker = stack.enter_context(private_redis(port, log_dir))
        relay = stack.enter_context(manage_process(project, env, tmp_path, "relay", "relay_outbox"))
        relay.wait_for_log(r"Redis runs with appendonly no", what="the durability warning")

        def restart_without_persistence() -> None:
            broker.stop()
            restarted = tmp_path / "restarted"
            restarted.mkdir()
            stack.enter_context(private_redis(port, restarted))

        losses = {
            "restart": restart_without_persistence,
            "flush": lambda: redis.Redis(port=port).flushall(),
            "eviction": lambda: evict_everything(port),
        }
        for published, (loss, lose_the_messages) in enumerate(losses.items(), start=1):
            manage(project, "shell", "-c", create_products(*names_for(loss)), **env)
            expected = {"PUBLISHED": 3 * published}
            wait_for(
                lambda expected=expected: outbox_statuses(postgresql, env) == expected,
                what=f"the tasks to be published before the {loss}", process=relay,
            )  # fmt: skip
            lose_the_messages()
        assert redis.Redis(port=port).dbsize() == 0  # nothing is left in the broker

        # No second relay: the one watched here must be the one that publishes them again.
        worker = stack.enter_context(background_workers(project, env, tmp_path, relays=0))
        messages = smtp_server.wait_for_messages(9, process=worker)
        wait_for(
            lambda: outbox_statuses(postgresql, env) == {}, what="every outcome to be recorded",
            process=worker,
        )  # fmt: skip

    subjects = sorted(mail.message["Subject"] for mail in messages)
    assert len(smtp_server.messages) == 9
    assert subjects == sorted(
        f"{name} now costs 19.90" for loss in losses for name in names_for(loss)
    )
    assert "publishing it again" in relay.log_text()


# --- PostgreSQL restarted or down under running workers ----------------------------------------


def signal_group(process: ManagedProcess, signum: int) -> None:
    """Send ``signum`` to the process and its children (a Celery worker and its pool)."""
    os.killpg(process.popen.pid, signum)


def test_celery_tasks_in_redis_outlive_a_database_outage_longer_than_the_retry_window(
    tmp_path: Path,
    restartable: PostgreSQL,
    redis_server: Redis,
    projects: dict[str, Path],
    smtp_server: SmtpSink,
) -> None:
    project = projects["celery"]
    env = deploy(
        project, restartable, smtp_server,
        CELERY_BROKER_URL=redis_server.url(next(_broker_databases)),
        BACKGROUND_DELIVERY_LEASE="600",  # delivered from Redis itself, not republished
    )  # fmt: skip

    with (
        manage_process(project, env, tmp_path, "relay", "relay_outbox") as relay,
        background_workers(project, env, tmp_path, relays=0) as worker,
    ):
        manage(project, "shell", "-c", create_products("before"), **env)
        smtp_server.wait_for_messages(1, process=worker)
        wait_for(
            lambda: outbox_statuses(restartable, env) == {}, what="the outcome to be recorded",
            process=worker,
        )  # fmt: skip

        signal_group(worker, signal.SIGSTOP)  # the tasks wait in Redis, the worker takes none
        try:
            manage(project, "shell", "-c", create_products(*names_for("outage")), **env)
            wait_for(
                lambda: outbox_statuses(restartable, env) == {"PUBLISHED": 3},
                what="the tasks to be published", process=relay,
            )  # fmt: skip
            with restartable.stopped():
                signal_group(worker, signal.SIGCONT)
                # Far more hand-backs than the 3 attempts a failing task has: none is spent.
                wait_for(
                    lambda: worker.log_text().count("goes back to the broker") >= 6,
                    what="the worker to hand the tasks back", process=worker,
                )  # fmt: skip
                relay.wait_for_log(
                    r"Database unavailable", what="the relay to wait for the database"
                )
        finally:
            signal_group(worker, signal.SIGCONT)
        messages = smtp_server.wait_for_messages(4, process=worker)
        manage(project, "shell", "-c", create_products("after"), **env)
        messages = smtp_server.wait_for_messages(5, process=worker)
        wait_for(
            lambda: outbox_statuses(restartable, env) == {}, what="every outcome recorded",
            process=worker,
        )  # fmt: skip
        assert worker.popen.poll() is None and relay.popen.poll() is None

    assert sorted(mail.message["Subject"] for mail in messages) == sorted(
        f"{name} now costs 19.90" for name in ["before", "after", *names_for("outage")]
    )
    assert "Relaying again after" in relay.log_text()


def test_db_worker_survives_a_postgresql_restart_and_delivers_everything(
    tmp_path: Path,
    restartable: PostgreSQL,
    projects: dict[str, Path],
    smtp_server: SmtpSink,
) -> None:
    project = projects["database"]
    env = deploy(project, restartable, smtp_server)

    with background_workers(project, env, tmp_path) as worker:
        manage(project, "shell", "-c", create_products("before"), **env)
        smtp_server.wait_for_messages(1, process=worker)
        with restartable.stopped():
            worker.wait_for_log(r"Database unavailable", what="the worker to wait for it")
        worker.wait_for_log(r"Database available again", what="the worker to resume")
        manage(project, "shell", "-c", create_products(*names_for("after")), **env)
        messages = smtp_server.wait_for_messages(4, process=worker)
        assert worker.popen.poll() is None

    assert sorted(mail.message["Subject"] for mail in messages) == sorted(
        f"{name} now costs 19.90" for name in ["before", *names_for("after")]
    )


# --- a relay stopped mid-batch (celery) ---------------------------------------------------------

QUEUED_ROWS = 3000


def test_a_relay_stopped_with_sigterm_mid_batch_publishes_nothing_twice(
    tmp_path: Path, postgresql: PostgreSQL, redis_server: Redis, projects: dict[str, Path]
) -> None:
    project = projects["celery"]
    broker_database = next(_broker_databases)
    env = deploy(
        project, postgresql, CELERY_BROKER_URL=redis_server.url(broker_database),
        BACKGROUND_DELIVERY_LEASE="600",  # no republishing within the test: only duplicates
    )  # fmt: skip
    execute(postgresql, env, (
        "INSERT INTO background_outboxmessage (id, task_path, args, kwargs, status, created_at,"
        " available_at, publications, exception_class_path, traceback)"
        " SELECT gen_random_uuid(), 'acme_shop.catalog.tasks.notify_price_watchers', '[]',"
        " json_build_object('product_id', n), 'PENDING', now(), now(), 0, '', ''"
        " FROM generate_series(1, %s) AS n"
    ), QUEUED_ROWS)  # fmt: skip
    broker = redis.Redis(port=redis_server.port, db=broker_database)

    with manage_process(project, env, tmp_path, "stopped", "relay_outbox") as stopped:
        wait_for(
            lambda: outbox_statuses(postgresql, env).get("PUBLISHED"),
            what="the relay to publish", process=stopped, timeout=60,
        )  # fmt: skip
        stopped.popen.send_signal(signal.SIGTERM)
        assert stopped.popen.wait(timeout=30) == 0, stopped.log_tail()
    published_before_the_stop = outbox_statuses(postgresql, env).get("PUBLISHED", 0)
    in_the_broker_after_the_stop = broker.llen("celery")

    with manage_process(project, env, tmp_path, "successor", "relay_outbox") as successor:
        wait_for(
            lambda: outbox_statuses(postgresql, env) == {"PUBLISHED": QUEUED_ROWS},
            what="every row to be published", process=successor, timeout=60,
        )  # fmt: skip

    assert "Relay stopped." in stopped.log_text()
    assert 0 < published_before_the_stop < QUEUED_ROWS  # it was stopped mid-way
    assert in_the_broker_after_the_stop == published_before_the_stop
    assert broker.llen("celery") == QUEUED_ROWS  # each row published once, by either relay
    assert query(postgresql, env, "SELECT max(publications) FROM background_outboxmessage") == [
        (1,)
    ]


# --- an SMTP server that confirms late ----------------------------------------------------------


def test_a_slow_smtp_confirmation_gives_the_documented_number_of_messages(
    tmp_path: Path, postgresql: PostgreSQL, projects: dict[str, Path], smtp_server: SmtpSink
) -> None:
    project = projects["database"]
    # The request path gives up after 1 s; the workers' own timeout is longer than the delay.
    env = deploy(project, postgresql, smtp_server, EMAIL_TIMEOUT="1", BACKGROUND_EMAIL_TIMEOUT="4")
    smtp_server.confirm_delay = 2
    dead = f"{TASK_TABLE['database']} WHERE status = 'FAILED'"
    successful = f"{TASK_TABLE['database']} WHERE status = 'SUCCESSFUL'"

    with background_workers(project, env, tmp_path, name="patient") as worker:
        manage(project, "shell", "-c", create_products(*names_for("slow")), **env)
        wait_for(
            lambda: count(postgresql, env, successful) == 3, what="the tasks to succeed",
            process=worker, timeout=60,
        )  # fmt: skip
    assert len(smtp_server.messages) == 3  # one per task: nothing was retried

    # A server slower than the workers' timeout: each attempt sends, up to the last one.
    impatient = {**env, "BACKGROUND_EMAIL_TIMEOUT": "1"}
    with background_workers(project, impatient, tmp_path, name="impatient") as worker:
        manage(project, "shell", "-c", create_products("slower"), **env)
        wait_for(
            lambda: count(postgresql, env, dead) == 1, what="the task to be dead",
            process=worker, timeout=60,
        )  # fmt: skip
    copies = [mail for mail in smtp_server.messages if mail.message["Subject"].startswith("slower")]
    assert len(copies) == int(FAST_DELIVERY["BACKGROUND_MAX_ATTEMPTS"])


# --- the broker's durability, checked at deploy time (celery) -----------------------------------


def test_check_deploy_warns_about_a_redis_broker_that_may_lose_tasks(
    tmp_path: Path, redis_server: Redis, projects: dict[str, Path]
) -> None:
    project = projects["celery"]

    def deploy_check(broker_url: str) -> str:
        result = manage(
            project, "check", "--deploy", require_success=False,
            **production_env(CELERY_BROKER_URL=broker_url, DJANGO_DATA_DIR=str(tmp_path)),
        )  # fmt: skip
        return output_of(result)

    without_persistence = deploy_check(redis_server.url())
    port = free_port()
    durable_but_evicting = [
        *redis_command(port, tmp_path),
        "--appendonly",
        "yes",
        "--maxmemory-policy",
        "allkeys-lru",
    ]
    with start_process("evicting-redis", *durable_but_evicting, log_dir=tmp_path) as evicting:
        wait_for(lambda: Redis(port).ping(), what="redis", process=evicting)
        evicting_output = deploy_check(f"redis://127.0.0.1:{port}/0")
        redis.Redis(port=port).config_set("maxmemory-policy", "noeviction")
        durable_output = deploy_check(f"redis://127.0.0.1:{port}/0")
    unreachable_output = deploy_check(f"redis://127.0.0.1:{free_port()}/0")

    assert "background.W001" in without_persistence
    assert "Redis runs with appendonly no" in without_persistence
    assert "background.W002" not in without_persistence
    assert "background.W001" not in evicting_output
    assert "(background.W002) Redis runs with maxmemory-policy allkeys-lru" in evicting_output
    assert "set maxmemory-policy noeviction" in evicting_output
    for output in (durable_output, unreachable_output):
        assert "background.W00" not in output, output
        assert "System check identified no issues" in output, output
