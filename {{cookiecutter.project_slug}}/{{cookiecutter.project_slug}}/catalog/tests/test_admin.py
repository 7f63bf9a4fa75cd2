"""Admin saves go through the services: the audit trail cannot be bypassed."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from {{ cookiecutter.project_slug }}.catalog.models import AuditLog, Product
from {{ cookiecutter.project_slug }}.catalog.services import create_product

pytestmark = pytest.mark.django_db


def test_adding_a_product_in_the_admin_writes_the_audit_entry(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:catalog_product_add"), {"name": "Lamp", "price": "19.90"}
    )

    assert response.status_code == 302
    assert Product.objects.get().price == Decimal("19.90")
    assert AuditLog.objects.get().message == "Created product 'Lamp' at 19.90."


def test_changing_a_product_in_the_admin_writes_the_audit_entry(admin_client: Client) -> None:
    product = create_product(name="Lamp", price=Decimal("19.90"))

    response = admin_client.post(
        reverse("admin:catalog_product_change", args=[product.pk]),
        {"name": "Lamp", "price": "24.50"},
    )

    assert response.status_code == 302
    assert AuditLog.objects.values_list("message", flat=True).first() == (
        f"Updated product #{product.pk}: price 19.90 -> 24.50."
    )


def test_the_audit_trail_is_read_only_in_the_admin(admin_client: Client) -> None:
    response = admin_client.get(reverse("admin:catalog_auditlog_add"))

    assert response.status_code == 403
