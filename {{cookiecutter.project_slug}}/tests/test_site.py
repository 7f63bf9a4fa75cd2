"""The site's own entry points: the landing redirect, the CSRF token for API clients, and the
answer to a request whose database is unavailable."""

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from config.database_outages import DatabaseOutageMiddleware
from config.views import server_error


def test_the_landing_page_redirects_to_the_site(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 302
{%- if cookiecutter.include_example_app %}
    assert response["Location"] == reverse("catalog:products")
{%- else %}
    assert response["Location"] == reverse("admin:index")
{%- endif %}


@pytest.mark.django_db
def test_an_api_client_posts_with_the_token_from_the_csrf_endpoint() -> None:
    api_client = Client(enforce_csrf_checks=True)
    login = reverse("admin:login")

    token = api_client.get(reverse("csrf-token")).json()["csrfToken"]

    assert api_client.post(login, {}).status_code == 403
    assert api_client.post(login, {}, headers={"X-CSRFToken": token}).status_code == 200


def answer_to_a_request_that_failed_with(error: Exception) -> tuple[int, str]:
    """What the site's 500 handler answers while ``error`` is being handled, as Django calls it."""
    try:
        raise error
    except Exception:
        response = server_error(RequestFactory().get("/"))
    return response.status_code, response.content.decode()


def test_a_database_outage_is_a_plain_503(caplog: pytest.LogCaptureFixture) -> None:
    status, text = answer_to_a_request_that_failed_with(OperationalError("connection refused"))

    assert (status, text) == (
        503,
        "Service temporarily unavailable; try again in a few seconds.\n",
    )
    assert "Database unavailable for GET / (OperationalError: connection refused)" in caplog.text


def test_any_other_error_is_djangos_500() -> None:
    status, text = answer_to_a_request_that_failed_with(RuntimeError("a bug"))

    assert status == 500
    assert "Server Error (500)" in text


def test_a_view_s_database_outage_is_a_503_from_the_middleware() -> None:
    middleware = DatabaseOutageMiddleware(lambda request: HttpResponse())
    request = RequestFactory().get("/")

    outage = middleware.process_exception(request, OperationalError("server closed"))
    bug = middleware.process_exception(request, RuntimeError("a bug"))

    assert outage is not None
    assert outage.status_code == 503
    assert bug is None  # left to Django: a 500, and a report with its traceback
