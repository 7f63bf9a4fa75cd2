"""The notification task on Celery: queued in the outbox with the change, relayed, run once.

The relay hands tasks to Celery, which runs them in-process in tests
(``CELERY_TASK_ALWAYS_EAGER``): no broker.
"""

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings

from {{ cookiecutter.project_slug }}.background.models import OutboxMessage
from {{ cookiecutter.project_slug }}.background.testing import run_background_work
from {{ cookiecutter.project_slug }}.catalog.services import create_product, update_product
from {{ cookiecutter.project_slug }}.catalog.tasks import notify_price_watchers

WATCHERS = ["watcher@example.com", "buyer@example.com"]

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("watchers")]


@pytest.fixture
def watchers() -> Iterator[None]:
    with override_settings(CATALOG_PRICE_WATCHERS=WATCHERS):
        yield


def test_one_outbox_row_is_written_per_committed_change() -> None:
    product = create_product(name="Lamp", price=Decimal("19.90"))
    update_product(product, price=Decimal("24.50"))

    rows = OutboxMessage.objects.all()
    assert [(row.task_path, row.kwargs) for row in rows] == [
        (notify_price_watchers.name, {"product_id": product.pk})
    ] * 2
    assert mail.outbox == []


def test_no_outbox_row_is_written_for_a_rolled_back_change() -> None:
    with transaction.atomic():
        create_product(name="Lamp", price=Decimal("19.90"))
        transaction.set_rollback(True)

    assert not OutboxMessage.objects.exists()


def test_the_relayed_task_sends_the_e_mail() -> None:
    create_product(name="Lamp", price=Decimal("19.90"))

    run_background_work()

    assert [message.subject for message in mail.outbox] == ["Lamp now costs 19.90"]
    assert mail.outbox[0].to == WATCHERS
    assert not OutboxMessage.objects.exists()


def test_a_repeated_delivery_sends_no_second_e_mail() -> None:
    product = create_product(name="Lamp", price=Decimal("19.90"))
    run_background_work()

    assert notify_price_watchers.run(product_id=product.pk) == 0
    assert len(mail.outbox) == 1


def test_the_task_does_nothing_for_a_deleted_product() -> None:
    product = create_product(name="Lamp", price=Decimal("19.90"))
    product_id = product.pk
    product.delete()

    assert notify_price_watchers.run(product_id=product_id) == 0
