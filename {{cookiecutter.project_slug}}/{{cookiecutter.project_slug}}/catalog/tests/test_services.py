"""The services write a product and its audit entry together, or not at all."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from {{ cookiecutter.project_slug }}.catalog.models import AuditLog, Product
from {{ cookiecutter.project_slug }}.catalog.services import create_product, update_product

pytestmark = pytest.mark.django_db


def test_create_product_writes_product_and_audit_entry() -> None:
    product = create_product(name="Lamp", price=Decimal("19.90"))

    assert Product.objects.get().pk == product.pk
    assert AuditLog.objects.get().message == "Created product 'Lamp' at 19.90."


def test_create_product_rolls_back_the_product_when_the_audit_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken_audit(**kwargs: object) -> None:
        raise RuntimeError("audit storage unavailable")

    monkeypatch.setattr(AuditLog.objects, "create", broken_audit)

    with pytest.raises(RuntimeError, match="audit storage unavailable"):
        create_product(name="Lamp", price=Decimal("19.90"))

    assert not Product.objects.exists()


def test_create_product_rejects_invalid_data_and_writes_nothing() -> None:
    with pytest.raises(ValidationError, match="price"):
        create_product(name="Lamp", price=Decimal("-1"))

    assert not Product.objects.exists()
    assert not AuditLog.objects.exists()


def test_update_product_records_what_changed() -> None:
    product = create_product(name="Lamp", price=Decimal("19.90"))

    update_product(product, price=Decimal("24.50"))

    product.refresh_from_db()
    assert product.price == Decimal("24.50")
    assert AuditLog.objects.values_list("message", flat=True).first() == (
        f"Updated product #{product.pk}: price 19.90 -> 24.50."
    )


def test_update_product_without_changes_writes_nothing() -> None:
    product = create_product(name="Lamp", price=Decimal("19.90"))

    update_product(product, name="Lamp", price=Decimal("19.90"))

    assert AuditLog.objects.count() == 1
