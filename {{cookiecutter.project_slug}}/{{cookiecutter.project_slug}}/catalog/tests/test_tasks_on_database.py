"""The notification task on the database queue: queued with the change, run by the worker.

The task is a row written in the change's own transaction (django-tasks-db), so it exists if and
only if the change was committed; ``db_worker`` runs it, as in production.
"""

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from {{ cookiecutter.project_slug }}.background.testing import run_background_work
from {{ cookiecutter.project_slug }}.catalog.services import create_product, update_product
from {{ cookiecutter.project_slug }}.catalog.tasks import notify_price_watchers

WATCHERS = ["watcher@example.com", "buyer@example.com"]

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("watchers")]


@pytest.fixture
def watchers() -> Iterator[None]:
    with override_settings(CATALOG_PRICE_WATCHERS=WATCHERS):
        yield


def test_one_task_is_queued_per_committed_change() -> None:
    product = create_product(name="Lamp", price=Decimal("19.90"))
    update_product(product, price=Decimal("24.50"))

    assert DBTaskResult.objects.count() == 2
    assert mail.outbox == []


def test_no_task_is_queued_for_a_rolled_back_change() -> None:
    with transaction.atomic():
        create_product(name="Lamp", price=Decimal("19.90"))
        transaction.set_rollback(True)

    assert not DBTaskResult.objects.exists()


def test_the_worker_sends_the_e_mail() -> None:
    create_product(name="Lamp", price=Decimal("19.90"))

    run_background_work()

    assert [message.subject for message in mail.outbox] == ["Lamp now costs 19.90"]
    assert mail.outbox[0].to == WATCHERS
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_repeated_delivery_sends_no_second_e_mail() -> None:
    product = create_product(name="Lamp", price=Decimal("19.90"))
    run_background_work()

    assert notify_price_watchers.call(product_id=product.pk) == 0
    assert len(mail.outbox) == 1


def test_the_task_does_nothing_for_a_deleted_product() -> None:
    product = create_product(name="Lamp", price=Decimal("19.90"))
    product_id = product.pk
    product.delete()

    assert notify_price_watchers.call(product_id=product_id) == 0
