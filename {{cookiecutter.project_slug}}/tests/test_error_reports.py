"""Error reports e-mailed to ADMINS: no secret in them, no flood of them, no broken response.

The reports here are real ones: Django's ``mail_admins`` path renders an exception with its
request and the settings, and the test reads the e-mail it sent.
"""

import logging
import socket
import sys
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings
from django.utils.log import AdminEmailHandler as DjangoAdminEmailHandler

from config import error_reports
from config.error_reports import AdminEmailHandler, mask_passwords

REPORT = logging.LogRecord(
    "django.request", logging.ERROR, __file__, 1, "Internal Server Error: /", None, None
)


MASK = "*" * 20  # what Django's filter shows instead of a secret
# Settings holding passwords the way deployments write them: URLs, nested, in lists, a DSN.
SECRETS = ["broker-pw", "results-pw", "cache-pw", "replica-pw", "mail-pw", "dsn-pw", "token-xyz"]
SECRET_SETTINGS = {
    "CELERY_BROKER_URL": "redis://:broker-pw@broker.internal:6379/0",
    "CELERY_RESULT_BACKEND": "redis://default:results-pw@results.internal:6379/1",
    "CACHES": {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": ["rediss://cache:cache-pw@cache-a.internal", "redis://cache-b.internal"],
        }
    },
    "REPLICA_DATABASE": "postgres://shop:replica-pw@replica.internal:5432/shop",
    "EMAIL_URL": "smtp+tls://mailer:mail-pw@smtp.internal:587",
    "LEGACY_DSN": "host=db.internal port=5432 user=shop password=dsn-pw",
    "WEBHOOK": "https://token-xyz@hooks.internal/notify?channel=ops",
}


@pytest.fixture(autouse=True)
def nothing_mailed_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no report remembered as mailed."""
    monkeypatch.setattr(error_reports, "_mailed_at", {})
    cache.clear()


def report_of(error: Exception, path: str = "/products/") -> logging.LogRecord:
    """The record Django logs for a request that failed with ``error``."""
    try:
        raise error
    except Exception:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", (path,), exc_info
    )
    record.request = RequestFactory().get(path)
    record.status_code = 500
    return record


@override_settings(ADMINS=["ops@example.com"], **SECRET_SETTINGS)
def test_an_error_report_shows_no_password_of_any_setting() -> None:
    AdminEmailHandler().emit(report_of(RuntimeError("boom")))

    [report] = mail.outbox
    shown = [secret for secret in SECRETS if secret in report.body]
    assert shown == [], f"the error report shows {shown}"
    assert f"redis://:{MASK}@broker.internal:6379/0" in report.body
    assert f"postgres://shop:{MASK}@replica.internal" in report.body
    assert f"password={MASK}" in report.body


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("redis://:pw@host:6379/0", f"redis://:{MASK}@host:6379/0"),
        ("amqp://user:p%40ss@host//", f"amqp://user:{MASK}@host//"),
        ("https://token@host/x", f"https://{MASK}@host/x"),
        ("redis://host:6379/0?password=pw&db=1", f"redis://host:6379/0?password={MASK}&db=1"),
        ("dbname=shop password='two words'", f"dbname=shop password={MASK}"),
        ("redis://host:6379/0", "redis://host:6379/0"),
        ("user@example.com", "user@example.com"),
    ],
)
def test_passwords_are_masked_in_urls_and_dsns_alike(text: str, masked: str) -> None:
    assert mask_passwords(text) == masked


@override_settings(ADMINS=["ops@example.com"])
def test_a_burst_of_the_same_error_is_mailed_once() -> None:
    handler = AdminEmailHandler()

    for _ in range(20):
        handler.emit(report_of(RuntimeError("boom")))
    handler.emit(report_of(ValueError("another error")))

    assert [message.subject for message in mail.outbox] == [
        "[Django] ERROR (EXTERNAL IP): Internal Server Error: /products/",
    ] * 2
    assert "ValueError" in mail.outbox[1].body


@override_settings(ADMINS=["ops@example.com"], ERROR_EMAIL_INTERVAL=0)
def test_the_same_error_is_mailed_again_once_the_interval_has_passed() -> None:
    handler = AdminEmailHandler()

    handler.emit(report_of(RuntimeError("boom")))
    handler.emit(report_of(RuntimeError("boom")))

    assert len(mail.outbox) == 2


@pytest.mark.django_db
@override_settings(ADMINS=["ops@example.com"])
def test_a_request_for_an_unknown_host_is_not_mailed(client: Client) -> None:
    response = client.get("/", headers={"host": "attacker.example"})

    assert response.status_code == 400
    assert mail.outbox == []


@pytest.fixture
def unreachable_smtp_server() -> Iterator[None]:
    """Mail settings that point at a loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = {"host": "127.0.0.1", "port": port, "timeout": 1}
    backend = "django.core.mail.backends.smtp.EmailBackend"
    with override_settings(
        ADMINS=["ops@example.com"], MAILERS={"default": {"BACKEND": backend, "OPTIONS": smtp}}
    ):
        yield


@pytest.mark.usefixtures("unreachable_smtp_server")
def test_django_s_own_handler_lets_the_mail_failure_escape() -> None:
    with pytest.raises(ConnectionRefusedError):
        DjangoAdminEmailHandler().emit(REPORT)


@pytest.mark.usefixtures("unreachable_smtp_server")
def test_the_project_s_handler_reports_the_failure_on_stderr_instead(
    capsys: pytest.CaptureFixture[str],
) -> None:
    AdminEmailHandler().emit(REPORT)

    assert "ConnectionRefusedError" in capsys.readouterr().err
