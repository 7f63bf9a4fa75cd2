"""The catalog's HTTP views read through selectors and write through services."""

from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from {{ cookiecutter.project_slug }}.catalog import views
from {{ cookiecutter.project_slug }}.catalog.models import AuditLog, Product
from {{ cookiecutter.project_slug }}.catalog.services import create_product

pytestmark = pytest.mark.django_db


def test_list_shows_products(client: Client) -> None:
    create_product(name="Lamp", price=Decimal("19.90"))

    response = client.get(reverse("catalog:products"))

    assert response.status_code == 200
    assert response.json()["products"][0] | {"id": None} == {
        "id": None,
        "name": "Lamp",
        "price": "19.90",
    }


def test_create_goes_through_the_service(client: Client) -> None:
    response = client.post(reverse("catalog:products"), {"name": "Lamp", "price": "19.90"})

    assert response.status_code == 201
    assert Product.objects.get().name == "Lamp"
    assert AuditLog.objects.get().message == "Created product 'Lamp' at 19.90."


def test_create_rejects_invalid_input(client: Client) -> None:
    response = client.post(reverse("catalog:products"), {"name": "Lamp", "price": "-3"})

    assert response.status_code == 400
    assert "price" in response.json()["errors"]
    assert not Product.objects.exists()


def test_create_rejects_a_taken_name(client: Client) -> None:
    create_product(name="Lamp", price=Decimal("19.90"))

    response = client.post(reverse("catalog:products"), {"name": "Lamp", "price": "5"})

    assert response.status_code == 400
    assert response.json()["errors"]["name"][0]["code"] == "unique"


def test_a_name_taken_by_a_concurrent_request_is_a_400_not_a_500(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def create_after_a_concurrent_request(**fields: object) -> None:
        create_product(name="Lamp", price=Decimal("19.90"))  # the other request commits first
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(views, "create_product", create_after_a_concurrent_request)

    response = client.post(reverse("catalog:products"), {"name": "Lamp", "price": "5"})

    assert response.status_code == 400
    assert response.json()["errors"]["name"][0]["code"] == "unique"


def test_a_name_taken_before_the_service_validates_is_a_400_not_a_500(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def create_after_a_concurrent_request(**fields: Any) -> Product:
        create_product(name="Lamp", price=Decimal("19.90"))  # the other request commits first
        return create_product(**fields)  # its full_clean() now finds the name taken

    monkeypatch.setattr(views, "create_product", create_after_a_concurrent_request)

    response = client.post(reverse("catalog:products"), {"name": "Lamp", "price": "5"})

    assert response.status_code == 400
    assert response.json()["errors"]["name"][0]["code"] == "unique"
