"""The services write a product, its audit entry and its notification task together, or nothing."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.test import override_settings

from {{ cookiecutter.project_slug }}.background.testing import queued_tasks, run_background_work
from {{ cookiecutter.project_slug }}.catalog.models import AuditLog, Product
from {{ cookiecutter.project_slug }}.catalog.services import create_product, products, update_product

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


def test_create_product_queues_the_watchers_notification() -> None:
    create_product(name="Lamp", price=Decimal("19.90"))

    assert queued_tasks() == 1


def test_a_failed_enqueue_fails_the_change_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def full_disk(product: Product) -> None:
        raise DatabaseError("could not extend file: No space left on device")

    monkeypatch.setattr(products, "_queue_notification", full_disk)

    with pytest.raises(DatabaseError, match="No space left on device"):
        create_product(name="Lamp", price=Decimal("19.90"))

    assert not Product.objects.exists()
    assert not AuditLog.objects.exists()
    assert queued_tasks() == 0


@pytest.mark.django_db(transaction=True)
@override_settings(CATALOG_PRICE_WATCHERS=["watcher@example.com"])
def test_watchers_are_notified_once_per_committed_change() -> None:
    product = create_product(name="Lamp", price=Decimal("19.90"))
    run_background_work()
    update_product(product, price=Decimal("24.50"))
    run_background_work()

    assert [message.subject for message in mail.outbox] == [
        "Lamp now costs 19.90",
        "Lamp now costs 24.50",
    ]
    assert mail.outbox[0].to == ["watcher@example.com"]


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
    assert queued_tasks() == 1
