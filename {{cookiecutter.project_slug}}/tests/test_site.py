"""The site's own entry points: the landing redirect and the CSRF token for API clients."""

import pytest
from django.test import Client
from django.urls import reverse


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
