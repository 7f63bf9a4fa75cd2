"""The notification task: queued once per committed change, never for a rolled-back one."""

from collections.abc import Iterator
from decimal import Decimal
{%- if cookiecutter.background_tasks == "celery" %}
from unittest import mock
{%- endif %}

import pytest
from django.core import mail
{%- if cookiecutter.background_tasks == "database" %}
from django.core.management import call_command
{%- endif %}
from django.db import transaction
from django.test import override_settings
{%- if cookiecutter.background_tasks == "database" %}
from django_tasks_db.models import DBTaskResult
{%- endif %}

from {{ cookiecutter.project_slug }}.catalog.services import create_product, update_product
from {{ cookiecutter.project_slug }}.catalog.tasks import notify_price_watchers

WATCHERS = ["watcher@example.com", "buyer@example.com"]
{%- if cookiecutter.background_tasks == "database" %}

# The real queue: tasks are stored in the database and run by the worker, as in production.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("database_queue"),
]


@pytest.fixture
def database_queue() -> Iterator[None]:
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
        CATALOG_PRICE_WATCHERS=WATCHERS,
    ):
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

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert [message.subject for message in mail.outbox] == ["Lamp now costs 19.90"]
    assert mail.outbox[0].to == WATCHERS
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
{%- else %}

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
{%- endif %}


def test_the_task_does_nothing_for_a_deleted_product() -> None:
    product = create_product(name="Lamp", price=Decimal("19.90"))
    mail.outbox.clear()
    product_id = product.pk
    product.delete()

    assert notify_price_watchers.{{ "call" if cookiecutter.background_tasks == "database" else "run" }}(product_id=product_id) == 0
