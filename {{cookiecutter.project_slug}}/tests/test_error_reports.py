"""An error report that cannot be e-mailed never breaks the response it reports on."""

import logging
import socket
from collections.abc import Iterator

import pytest
from django.test import override_settings
from django.utils.log import AdminEmailHandler as DjangoAdminEmailHandler

from config.error_reports import AdminEmailHandler

REPORT = logging.LogRecord(
    "django.request", logging.ERROR, __file__, 1, "Internal Server Error: /", None, None
)


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
