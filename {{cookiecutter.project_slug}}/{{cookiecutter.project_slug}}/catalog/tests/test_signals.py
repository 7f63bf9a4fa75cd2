"""The catalog's receivers: each fires once, after commit where deferred, never for fixtures."""

import logging
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from {{ cookiecutter.project_slug }}.background.testing import queued_tasks
from {{ cookiecutter.project_slug }}.catalog.models import Product
from {{ cookiecutter.project_slug }}.catalog.selectors import get_product, product_cache_key
from {{ cookiecutter.project_slug }}.catalog.services import create_product, update_product

pytestmark = pytest.mark.django_db


def test_saving_a_product_drops_its_cache_entry(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    product = create_product(name="Lamp", price=Decimal("19.90"))
    get_product(product_id=product.pk)
    assert cache.get(product_cache_key(product.pk)) is not None

    with django_capture_on_commit_callbacks(execute=True):
        update_product(product, price=Decimal("24.50"))

    assert cache.get(product_cache_key(product.pk)) is None
    assert get_product(product_id=product.pk).price == Decimal("24.50")


def test_deleting_a_product_in_the_admin_drops_its_cache_entry(
    admin_client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    product = create_product(name="Lamp", price=Decimal("19.90"))
    get_product(product_id=product.pk)
    assert cache.get(product_cache_key(product.pk)) is not None

    with django_capture_on_commit_callbacks(execute=True):  # the admin deletes in a transaction
        response = admin_client.post(
            reverse("admin:catalog_product_delete", args=[product.pk]), {"post": "yes"}
        )

    assert response.status_code == 302
    assert not Product.objects.exists()
    assert cache.get(product_cache_key(product.pk)) is None


def test_saving_a_product_logs_one_line(
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with (
        caplog.at_level(logging.INFO, logger="{{ cookiecutter.project_slug }}.catalog.signals"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        product = create_product(name="Lamp", price=Decimal("19.90"))

    assert [record.getMessage() for record in caplog.records] == [f"Product {product.pk} created."]


def test_a_rolled_back_change_queues_nothing_and_logs_nothing(
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with (
        caplog.at_level(logging.INFO, logger="{{ cookiecutter.project_slug }}.catalog.signals"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        transaction.atomic(),
    ):
        create_product(name="Lamp", price=Decimal("19.90"))
        transaction.set_rollback(True)

    assert callbacks == []
    assert caplog.records == []
    assert queued_tasks() == 0
    assert not Product.objects.exists()


def test_receivers_skip_fixture_loading(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    fixture = tmp_path / "products.json"
    fixture.write_text(
        '[{"model": "catalog.product", "pk": 7,'
        ' "fields": {"name": "Lamp", "price": "19.90",'
        ' "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}}]'
    )
    cache.set(product_cache_key(7), "stale")

    with (
        caplog.at_level(logging.INFO, logger="{{ cookiecutter.project_slug }}.catalog.signals"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        call_command("loaddata", str(fixture), verbosity=0)

    assert Product.objects.get().name == "Lamp"
    assert cache.get(product_cache_key(7)) == "stale"
    assert caplog.records == []
    assert callbacks == []
    assert queued_tasks() == 0
