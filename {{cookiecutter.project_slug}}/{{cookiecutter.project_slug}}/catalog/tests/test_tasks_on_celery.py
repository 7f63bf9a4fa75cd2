"""The notification task on Celery: one task per committed change, none for a rolled-back one.

Tasks run eagerly in-process (``CELERY_TASK_ALWAYS_EAGER`` in the test settings): no broker.
"""

from collections.abc import Iterator
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings

from {{ cookiecutter.project_slug }}.catalog.services import create_product, update_product
from {{ cookiecutter.project_slug }}.catalog.tasks import notify_price_watchers

WATCHERS = ["watcher@example.com", "buyer@example.com"]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("watchers"),
]


@pytest.fixture
def watchers() -> Iterator[None]:
    with override_settings(CATALOG_PRICE_WATCHERS=WATCHERS):
        yield


def test_one_task_is_sent_per_committed_change() -> None:
    with mock.patch.object(notify_price_watchers, "delay") as delay:
        product = create_product(name="Lamp", price=Decimal("19.90"))
        update_product(product, price=Decimal("24.50"))

    assert delay.call_args_list == [mock.call(product_id=product.pk)] * 2


def test_no_task_is_sent_for_a_rolled_back_change() -> None:
    with mock.patch.object(notify_price_watchers, "delay") as delay, transaction.atomic():
        create_product(name="Lamp", price=Decimal("19.90"))
        transaction.set_rollback(True)

    delay.assert_not_called()


def test_the_task_sends_the_e_mail_when_it_runs() -> None:
    create_product(name="Lamp", price=Decimal("19.90"))

    assert [message.subject for message in mail.outbox] == ["Lamp now costs 19.90"]
    assert mail.outbox[0].to == WATCHERS


def test_the_task_does_nothing_for_a_deleted_product() -> None:
    product = create_product(name="Lamp", price=Decimal("19.90"))
    product_id = product.pk
    product.delete()

    assert notify_price_watchers.run(product_id=product_id) == 0
