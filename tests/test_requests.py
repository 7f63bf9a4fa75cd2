"""The request path on real servers: database outages, error e-mails, login throttling, writes.

One deployment per module and option (database with the example app, celery without it): a
baked project on the session's PostgreSQL, with production settings, served by gunicorn (two
sync workers, persistent connections), mailing its error reports to an SMTP sink, its cache
(which the error-mail throttle shares between workers) on Redis. The tests break the database
on purpose — restarted, stopped, frozen with SIGSTOP — and always bring it back, even when
they fail (``PostgreSQL.stopped()`` and ``.frozen()``), so the next test finds it answering.
The project's waits are shrunk through its environment so that each outage lasts seconds.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from .helpers import (
    API_PASSWORD,
    API_USER,
    bake_project,
    create_api_user,
    database_name,
    https_headers,
    log_in,
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
    Response,
    SmtpSink,
    http_request,
    running_smtp_sink,
    start_process,
    wait_for,
)

pytestmark = pytest.mark.slow

WORKERS = 2
FAILURE_LIMIT = 3
# Passwords in URL-style settings, which no error report may show.
BROKER_PASSWORD = "broker-secret-in-the-url"  # noqa: S105
DATABASE_PASSWORD = "database-secret-in-the-url"  # noqa: S105 (trust authentication ignores it)

# A view with a bug, added to the baked project's URLs: every request to it is a 500.
FAILING_VIEW = '''

def fail(request: object) -> None:
    """A bug: raises on every request."""
    raise RuntimeError("a bug in a view")


urlpatterns.append(path("fail/", fail))
'''

# A request that reads the database in either option (the session named in its cookie, for
# the admin to see who asks) and is answered with a redirect to the login page when it can.
PROBE = "/admin/"
PROBE_ANSWERED = 302
SESSION_READ = {"X-Forwarded-Proto": "https", "Cookie": f"sessionid={'a' * 32}"}

_redis_databases = itertools.count(15, -1)  # of 16; test_faults takes its brokers from 1 up


@dataclass
class Site:
    """A deployed project served by gunicorn."""

    project: Path
    env: dict[str, str]
    web: ManagedProcess
    port: int
    mail: SmtpSink
    postgresql: PostgreSQL

    def get(self, path: str = PROBE, *, timeout: float = 10, **headers: str) -> Response:
        return http_request(self.port, path, headers={**SESSION_READ, **headers}, timeout=timeout)

    def burst(self, count: int, path: str = PROBE) -> list[Response]:
        """``count`` concurrent GETs, so that every worker answers some."""
        with ThreadPoolExecutor(max_workers=count) as pool:
            return list(pool.map(lambda _: self.get(path), range(count)))

    def connections(self) -> int:
        """How many connections the site's workers hold to its database."""
        name = database_name(self.env["DATABASE_URL"])
        return self.postgresql.query(
            "postgres", "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", name
        )[0][0]

    def every_worker_connected(self) -> None:
        wait_for(
            lambda: self.burst(2 * WORKERS) and self.connections() == WORKERS,
            what=f"each of the {WORKERS} workers to hold a database connection", process=self.web,
        )  # fmt: skip

    def mails_about(self, subject: str) -> list[str]:
        return [
            mail.message.get_content()
            for mail in self.mail.messages
            if subject in mail.message["Subject"]
        ]


# The deployments: (background_tasks, include_example_app). A test that applies to one only
# names it with only_on(); the others run on both.
DATABASE_EXAMPLE = pytest.param(("database", True), id="database-example")
CELERY_BARE = pytest.param(("celery", False), id="celery-bare")


def only_on(deployment: object) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("site", [deployment], indirect=True)


@pytest.fixture(scope="module", params=[DATABASE_EXAMPLE, CELERY_BARE])
def site(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgresql: PostgreSQL,
    redis_server: Redis,
) -> Iterator[Site]:
    background_tasks, include_example_app = request.param
    base = tmp_path_factory.mktemp(f"requests-{background_tasks}")
    project = bake_project(
        base, background_tasks=background_tasks, include_example_app=include_example_app
    )
    urls = project / "config" / "urls.py"
    urls.write_text(urls.read_text() + FAILING_VIEW)
    database_url = postgresql.create_database(f"requests_{background_tasks}")
    with running_smtp_sink() as mail:
        env = production_env(
            DATABASE_URL=database_url.replace("postgres@", f"postgres:{DATABASE_PASSWORD}@"),
            CACHE_URL=redis_server.url(next(_redis_databases)),
            ADMINS="ops@example.com",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(mail.port),
            DATABASE_CONNECT_TIMEOUT="2",
            DATABASE_STATEMENT_TIMEOUT="1",
            DATABASE_REQUEST_TIMEOUT="2",
            AXES_FAILURE_LIMIT=str(FAILURE_LIMIT),
        )
        if background_tasks == "celery":  # never contacted by a request: only its URL matters
            env["CELERY_BROKER_URL"] = f"redis://:{BROKER_PASSWORD}@127.0.0.1:1/0"
        manage(project, "migrate", "--no-input", **env)
        manage(project, "collectstatic", "--no-input", **env)  # the login page links them
        create_api_user(project, env)
        with start_process(
            "gunicorn", "gunicorn", "config.wsgi", "--bind", "127.0.0.1:0",
            "--workers", str(WORKERS), "--graceful-timeout", "1",
            cwd=project, env=project_env(**env), log_dir=base,
        ) as web:  # fmt: skip
            listening = r"Listening at: http://127\.0\.0\.1:(\d+)"
            port = int(web.wait_for_log(listening, what="gunicorn")[1])
            yield Site(project, env, web, port, mail, postgresql)


# --- the database restarted, stopped, frozen ----------------------------------------------------


def test_requests_after_a_postgresql_restart_all_succeed(site: Site) -> None:
    """Every worker's kept connection dies with the restart; its next request must not."""
    site.every_worker_connected()

    site.postgresql.restart()
    responses = site.burst(4 * WORKERS)

    assert [response.status for response in responses] == [PROBE_ANSWERED] * len(responses), [
        response.text[:200] for response in responses if response.status != PROBE_ANSWERED
    ]
    assert site.connections() == WORKERS  # every worker answered, each on a fresh connection


def test_a_stopped_database_is_a_fast_503_mailed_once(site: Site) -> None:
    site.every_worker_connected()

    with site.postgresql.stopped():
        responses = site.burst(10)
        after_the_first = site.burst(10)  # connections are gone now: refused at once

    assert {response.status for response in responses + after_the_first} == {503}
    [response, *_] = responses
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Retry-After"] == "5"
    assert "try again in a few seconds" in response.text
    assert f"Database unavailable for GET {PROBE}" in site.web.log_text()
    assert len(site.mails_about(f"Service Unavailable: {PROBE}")) == 1
    assert site.get().status == PROBE_ANSWERED  # back as soon as the database is


def test_a_hung_database_is_a_503_within_the_request_timeout(site: Site) -> None:
    site.every_worker_connected()

    with site.postgresql.frozen():
        # Without the deadline, gunicorn would kill the worker after 30 s and drop the
        # connection: this request would fail with a timeout instead of an answer.
        hung = site.get(timeout=10)

    assert hung.status == 503, hung.text
    assert f"The database did not answer GET {PROBE} within 2.0 s" in site.web.log_text()
    wait_for(
        lambda: site.get().status == PROBE_ANSWERED, what="the site to answer again", timeout=10
    )


def test_a_query_stuck_behind_a_lock_is_cancelled_and_answered_503(site: Site) -> None:
    locker = site.postgresql.connect(database_name(site.env["DATABASE_URL"]))
    with locker, locker.transaction():
        locker.execute("LOCK TABLE django_session IN ACCESS EXCLUSIVE MODE")
        stuck = site.get(timeout=10)

    assert stuck.status == 503, stuck.text
    assert "canceling statement due to statement timeout" in site.web.log_text()
    assert site.get().status == PROBE_ANSWERED


# --- error e-mails ------------------------------------------------------------------------------


def test_a_burst_of_identical_500s_is_one_e_mail_without_secrets(site: Site) -> None:
    responses = site.burst(12, "/fail/")

    assert {response.status for response in responses} == {500}
    [report] = site.mails_about("Internal Server Error: /fail/")
    assert "RuntimeError at /fail/\r\na bug in a view" in report
    assert DATABASE_PASSWORD not in report
    assert BROKER_PASSWORD not in report
    if "CELERY_BROKER_URL" in site.env:
        assert "CELERY_BROKER_URL = 'redis://:********************@127.0.0.1:1/0'" in report


def test_a_bad_host_header_is_logged_not_mailed(site: Site) -> None:
    mailed = len(site.mail.messages)

    response = site.get("/", Host="attacker.example")

    assert response.status == 400
    wait_for(
        lambda: "Invalid HTTP_HOST header: 'attacker.example'" in site.web.log_text(),
        what="the bad host to be logged", process=site.web,
    )  # fmt: skip
    assert len(site.mail.messages) == mailed


# --- access -------------------------------------------------------------------------------------


def test_the_admin_login_locks_out_after_the_failure_limit(site: Site) -> None:
    def attempt(password: str) -> Response:
        return http_request(
            site.port, "/admin/login/", method="POST", headers=https_headers(site.port),
            body=f"username=locked-{site.port}&password={password}".encode(),
        )  # fmt: skip

    manage(
        site.project, "createsuperuser", "--no-input", "--username", f"locked-{site.port}",
        "--email", "locked@example.com", DJANGO_SUPERUSER_PASSWORD=API_PASSWORD, **site.env,
    )  # fmt: skip

    failures = [attempt("wrong").status for _ in range(FAILURE_LIMIT)]
    right_password = attempt(API_PASSWORD)

    # The form again with its error, until the last allowed failure locks the account out.
    assert failures == [200] * (FAILURE_LIMIT - 1) + [429]
    assert right_password.status == 429, right_password.text
    assert "too many login attempts" in right_password.text
    assert log_in(site.port, API_USER, API_PASSWORD)  # another account is not locked out


@only_on(DATABASE_EXAMPLE)  # the bare project has no API
def test_writes_need_a_login_with_the_permission(site: Site) -> None:
    form = b"name=Lamp&price=19.90"

    anonymous = http_request(
        site.port, "/products/", method="POST", headers=https_headers(site.port), body=form
    )
    logged_in = http_request(
        site.port, "/products/", method="POST", body=form,
        headers=https_headers(site.port, Cookie=log_in(site.port)),
    )  # fmt: skip

    assert anonymous.status == 403, anonymous.text
    assert logged_in.status == 201, logged_in.text
    public = http_request(site.port, "/products/", headers={"X-Forwarded-Proto": "https"})
    assert public.status == 200 and "Lamp" in public.text


# --- settings of the other processes ------------------------------------------------------------


@only_on(CELERY_BARE)  # the other option has no Celery app
def test_a_celery_worker_without_settings_runs_production_not_local(site: Site) -> None:
    # As a worker is started on a server: the variables it needs, DJANGO_SETTINGS_MODULE not.
    without = {key: value for key, value in site.env.items() if key != "DJANGO_SETTINGS_MODULE"}

    started = run_in_project(site.project, "celery", "-A", "config", "report", **without)
    refused = run_in_project(
        site.project, "celery", "-A", "config", "report", **{**without, "SECRET_KEY": ""}
    )

    assert started.returncode == 0, output_of(started)
    assert "SETTINGS_MODULE: 'config.settings.production'" in started.stdout
    assert refused.returncode != 0
    assert "SECRET_KEY is not set" in output_of(refused)
    assert not (site.project / ".env").exists()  # the local settings would have written it
