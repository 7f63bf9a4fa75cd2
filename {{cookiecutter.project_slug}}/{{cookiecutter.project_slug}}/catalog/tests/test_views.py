"""The catalog's HTTP views read through selectors and write through services.

Reading is public; adding a product takes a logged-in user with the ``catalog.add_product``
permission (anyone else gets a 403 saying which of the two is missing).
"""

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from {{ cookiecutter.project_slug }}.catalog import views
from {{ cookiecutter.project_slug }}.catalog.models import AuditLog, Product
from {{ cookiecutter.project_slug }}.catalog.services import create_product

pytestmark = pytest.mark.django_db

NEW_PRODUCT = {"name": "Lamp", "price": "19.90"}


@pytest.fixture
def writer(client: Client, django_user_model: type[User]) -> Client:
    """``client`` logged in as a user who may add products (and nothing else)."""
    user = django_user_model.objects.create_user(username="writer", password="unused")
    user.user_permissions.add(Permission.objects.get(codename="add_product"))
    client.force_login(user)
    return client


def test_list_shows_products(client: Client) -> None:
    create_product(name="Lamp", price=Decimal("19.90"))

    response = client.get(reverse("catalog:products"))

    assert response.status_code == 200
    assert response.json()["products"][0] | {"id": None} == {
        "id": None,
        "name": "Lamp",
        "price": "19.90",
    }


def test_create_goes_through_the_service(writer: Client) -> None:
    response = writer.post(reverse("catalog:products"), NEW_PRODUCT)

    assert response.status_code == 201
    assert Product.objects.get().name == "Lamp"
    assert AuditLog.objects.get().message == "Created product 'Lamp' at 19.90."


def test_an_anonymous_client_cannot_create(client: Client) -> None:
    response = client.post(reverse("catalog:products"), NEW_PRODUCT)

    assert response.status_code == 403
    assert response.json()["errors"]["__all__"][0]["code"] == "not_authenticated"
    assert not Product.objects.exists()


def test_a_user_without_the_add_permission_cannot_create(
    client: Client, django_user_model: type[User]
) -> None:
    user = django_user_model.objects.create_user(username="reader", password="unused")
    user.user_permissions.add(Permission.objects.get(codename="change_product"))
    client.force_login(user)

    response = client.post(reverse("catalog:products"), NEW_PRODUCT)

    assert response.status_code == 403
    assert response.json()["errors"]["__all__"][0]["code"] == "permission_denied"
    assert not Product.objects.exists()


def test_an_api_client_logs_in_and_creates_with_the_csrf_token(
    django_user_model: type[User],
) -> None:
    """The README's flow: the token from /csrf/, a session from the login page, then the POST."""
    staff = django_user_model.objects.create_user(
        username="clerk", password="a-long-test-password", is_staff=True
    )
    staff.user_permissions.add(Permission.objects.get(codename="add_product"))
    api_client = Client(enforce_csrf_checks=True)
    token = api_client.get(reverse("csrf-token")).json()["csrfToken"]

    login = api_client.post(
        reverse("admin:login"),
        {"username": "clerk", "password": "a-long-test-password"},
        headers={"X-CSRFToken": token},
    )
    token = api_client.cookies["csrftoken"].value  # logging in rotates the token
    response = api_client.post(
        reverse("catalog:products"), NEW_PRODUCT, headers={"X-CSRFToken": token}
    )

    assert login.status_code == 302, login.content
    assert response.status_code == 201, response.content
    assert Product.objects.get().name == "Lamp"


def test_create_rejects_invalid_input(writer: Client) -> None:
    response = writer.post(reverse("catalog:products"), {"name": "Lamp", "price": "-3"})

    assert response.status_code == 400
    assert "price" in response.json()["errors"]
    assert not Product.objects.exists()


def test_create_rejects_a_taken_name(writer: Client) -> None:
    create_product(name="Lamp", price=Decimal("19.90"))

    response = writer.post(reverse("catalog:products"), {"name": "Lamp", "price": "5"})

    assert response.status_code == 400
    assert response.json()["errors"]["name"][0]["code"] == "unique"


def test_a_name_taken_by_a_concurrent_request_is_a_400_not_a_500(
    writer: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def create_after_a_concurrent_request(**fields: object) -> None:
        create_product(name="Lamp", price=Decimal("19.90"))  # the other request commits first
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(views, "create_product", create_after_a_concurrent_request)

    response = writer.post(reverse("catalog:products"), {"name": "Lamp", "price": "5"})

    assert response.status_code == 400
    assert response.json()["errors"]["name"][0]["code"] == "unique"


def test_a_name_taken_before_the_service_validates_is_a_400_not_a_500(
    writer: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def create_after_a_concurrent_request(**fields: Any) -> Product:
        create_product(name="Lamp", price=Decimal("19.90"))  # the other request commits first
        return create_product(**fields)  # its full_clean() now finds the name taken

    monkeypatch.setattr(views, "create_product", create_after_a_concurrent_request)

    response = writer.post(reverse("catalog:products"), {"name": "Lamp", "price": "5"})

    assert response.status_code == 400
    assert response.json()["errors"]["name"][0]["code"] == "unique"
