"""Baked projects against real servers: PostgreSQL, Redis, gunicorn, the background workers.

Each test starts what it needs on 127.0.0.1 (``tests/servers.py``) and runs the project the way
its README says to run it in production: ``config.settings.production``, settings from the
environment only, ``migrate``, ``collectstatic``, ``gunicorn config.wsgi``, ``manage.py
db_worker`` or ``celery -A config worker``. Mail goes over SMTP (``EMAIL_HOST``/``EMAIL_PORT``)
to a sink that records it, so a test sees the e-mail the worker really sent.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import urllib.parse
from pathlib import Path

import pytest

from .helpers import (
    SENDER,
    WATCHERS,
    bake_project,
    create_api_user,
    database_name,
    https_headers,
    log_in,
    mailing_env,
    manage,
    output_of,
    production_env,
    project_env,
    run_gate,
)
from .servers import PostgreSQL, Redis, SmtpSink, http_request, start_process, wait_for

pytestmark = pytest.mark.slow

# A product created through the app's service, as any caller would (the view and the admin do).
CREATE_PRODUCT = """
from decimal import Decimal
from acme_shop.catalog.services import create_product
print("product_id=%d" % create_product(name="Lamp", price=Decimal("19.90")).pk)
"""


def create_product_through_the_service(project: Path, env: dict[str, str]) -> int:
    """Create the product "Lamp" with ``manage.py shell``; return its id."""
    output = manage(project, "shell", "-c", CREATE_PRODUCT, **env).stdout
    match = re.search(r"^product_id=(\d+)$", output, re.MULTILINE)
    assert match, output
    return int(match[1])


def assert_price_watchers_were_mailed(mail_sink: SmtpSink, messages: list) -> None:
    [mail] = messages
    assert mail.sender == SENDER
    assert mail.recipients == WATCHERS
    assert mail.message["Subject"] == "Lamp now costs 19.90"
    assert mail.message["To"] == ", ".join(WATCHERS)
    assert mail.message.get_content().strip() == "The price of Lamp is now 19.90."
    assert len(mail_sink.messages) == 1, "the task ran more than once"


# --- (1) the whole gate on PostgreSQL ----------------------------------------------------------


@pytest.mark.parametrize("background_tasks", ["database", "celery"])
def test_gate_passes_against_postgresql(
    tmp_path: Path, postgresql: PostgreSQL, background_tasks: str
) -> None:
    project = bake_project(tmp_path, background_tasks=background_tasks)
    url = postgresql.create_database(f"gate_{background_tasks}")

    # --reuse-db keeps pytest-django's test database afterwards, as evidence of where it ran;
    # the options that show what fired must leave the gate passing too.
    gate = run_gate(
        project, "--reuse-db", "--side-effects-trace", "--receiver-durations=3", DATABASE_URL=url
    )

    assert gate.returncode == 0, output_of(gate)
    assert re.search(r"\d+ passed", gate.stdout), output_of(gate)
    assert "side effects of each test" in gate.stdout, output_of(gate)
    assert "slowest 3 receivers" in gate.stdout, output_of(gate)
    test_database = f"test_{database_name(url)}"
    assert test_database in postgresql.databases(), "the gate did not use PostgreSQL"
    tables = {
        name
        for (name,) in postgresql.query(
            test_database, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        )
    }
    assert {"catalog_product", "catalog_auditlog", "auth_user"} <= tables
    assert ("django_tasks_database_dbtaskresult" in tables) == (background_tasks == "database")


# --- (2) database option: a real db_worker -----------------------------------------------------


def test_db_worker_runs_a_task_enqueued_through_the_app(
    tmp_path: Path, postgresql: PostgreSQL, smtp_server: SmtpSink
) -> None:
    project = bake_project(tmp_path / "bake", background_tasks="database")
    url = postgresql.create_database("db_worker")
    env = production_env(
        DATABASE_URL=url,
        **mailing_env(smtp_server),
    )
    manage(project, "migrate", "--no-input", **env)

    with start_process(
        "db_worker", sys.executable, "manage.py", "db_worker",
        cwd=project, env=project_env(**env), log_dir=tmp_path,
    ) as worker:  # fmt: skip
        product_id = create_product_through_the_service(project, env)
        messages = smtp_server.wait_for_messages(1, process=worker)

        def task_result() -> list[tuple] | None:
            rows = postgresql.query(
                database_name(url),
                "SELECT status, task_path, args_kwargs, return_value "
                "FROM django_tasks_database_dbtaskresult",
            )
            return rows if rows and rows[0][0] == "SUCCESSFUL" else None

        [(_status, task_path, args_kwargs, return_value)] = wait_for(
            task_result, what="the task to be recorded as SUCCESSFUL", process=worker
        )

    assert_price_watchers_were_mailed(smtp_server, messages)
    assert task_path == "acme_shop.catalog.tasks.notify_price_watchers"
    assert args_kwargs["kwargs"] == {"product_id": product_id}
    assert return_value == 1  # send_mail() sends one message to all the watchers


# --- (3) celery option: a real Celery worker and a real Redis broker ---------------------------


def test_celery_worker_runs_a_task_sent_through_redis(
    tmp_path: Path, postgresql: PostgreSQL, redis_server: Redis, smtp_server: SmtpSink
) -> None:
    project = bake_project(tmp_path / "bake", background_tasks="celery")
    env = production_env(
        DATABASE_URL=postgresql.create_database("celery"),
        CELERY_BROKER_URL=redis_server.url(),
        **mailing_env(smtp_server),
    )
    manage(project, "migrate", "--no-input", **env)

    with (
        start_process(
            "relay", sys.executable, "manage.py", "relay_outbox",
            cwd=project, env=project_env(**env), log_dir=tmp_path,
        ),
        start_process(
            "celery", "celery", "-A", "config", "worker", "--loglevel", "INFO",
            "--concurrency", "1", cwd=project, env=project_env(**env), log_dir=tmp_path,
        ) as worker,
    ):  # fmt: skip
        create_product_through_the_service(project, env)
        messages = smtp_server.wait_for_messages(1, process=worker)
        succeeded = worker.wait_for_log(
            r"Task acme_shop\.catalog\.tasks\.notify_price_watchers\[[0-9a-f-]+\] "
            r"succeeded in [\d.e-]+s: (\d+)",
            what="the worker to report the task's success",
        )
        log = worker.log_text()

    assert_price_watchers_were_mailed(smtp_server, messages)
    assert succeeded[1] == "1"
    assert f"Connected to redis://:**@127.0.0.1:{redis_server.port}/0" in log
    assert re.search(
        r"Task acme_shop\.catalog\.tasks\.notify_price_watchers\[[0-9a-f-]+\] received", log
    )


# --- (4) gunicorn with production settings -----------------------------------------------------


def test_gunicorn_serves_the_project_with_production_settings(
    tmp_path: Path, postgresql: PostgreSQL
) -> None:
    project = bake_project(tmp_path / "bake")
    env = production_env(DATABASE_URL=postgresql.create_database("web"))
    manage(project, "migrate", "--no-input", **env)
    manage(project, "collectstatic", "--no-input", **env)
    create_api_user(project, env)

    with start_process(
        "gunicorn", "gunicorn", "config.wsgi", "--bind", "127.0.0.1:0", "--workers", "2",
        cwd=project, env=project_env(**env), log_dir=tmp_path,
    ) as web:  # fmt: skip
        port = int(web.wait_for_log(r"Listening at: http://127\.0\.0\.1:(\d+)", what="gunicorn")[1])
        origin = f"https://127.0.0.1:{port}"
        https = {"X-Forwarded-Proto": "https"}  # what the TLS-terminating proxy sends

        # Plain HTTP is redirected to HTTPS: the production settings are in force.
        plain = http_request(port, "/admin/login/")
        assert plain.status == 301, plain.text
        assert plain.headers["Location"] == f"{origin}/admin/login/"

        login = http_request(port, "/admin/login/", headers=https)
        assert login.status == 200, login.text
        assert "Django administration" in login.text
        assert 'name="password"' in login.text
        assert login.headers["Strict-Transport-Security"].startswith("max-age=31536000")

        empty = http_request(port, "/products/", headers=https)
        assert empty.status == 200, empty.text
        assert json.loads(empty.body) == {"products": []}

        # Writing takes a login: anonymous is refused, a user with the permission may.
        product_form = urllib.parse.urlencode({"name": "Lamp", "price": "19.90"}).encode()
        anonymous = http_request(
            port, "/products/", method="POST", headers=https_headers(port), body=product_form
        )
        assert anonymous.status == 403, anonymous.text
        # A POST goes through CSRF protection and the service, like a browser's would.
        created = http_request(
            port, "/products/", method="POST", body=product_form,
            headers=https_headers(port, Cookie=log_in(port)),
        )  # fmt: skip
        assert created.status == 201, created.text
        product = json.loads(created.body)
        assert product | {"id": None} == {"id": None, "name": "Lamp", "price": "19.90"}

        listed = http_request(port, "/products/", headers=https)
        assert json.loads(listed.body) == {"products": [product]}

        # Static files: collected, hashed, compressed and served by WhiteNoise.
        stylesheet = re.search(r'href="(/static/admin/css/base\.[0-9a-f]+\.css)"', login.text)
        assert stylesheet, "the admin page does not link its hashed stylesheet"
        static = http_request(port, stylesheet[1], headers={**https, "Accept-Encoding": "gzip"})
        assert static.status == 200, static.text
        assert static.headers["Content-Type"].startswith("text/css")
        assert static.headers["Content-Encoding"] == "gzip"
        assert "immutable" in static.headers["Cache-Control"]
        collected = project / "staticfiles" / stylesheet[1].removeprefix("/static/")
        assert gzip.decompress(static.body) == collected.read_bytes()
