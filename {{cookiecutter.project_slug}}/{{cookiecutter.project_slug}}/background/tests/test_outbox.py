"""The outbox: written with the change, relayed at least once, dead work kept and requeueable."""

from collections.abc import Iterator
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from kombu.exceptions import OperationalError

from {{ cookiecutter.project_slug }}.background.models import OutboxMessage
from {{ cookiecutter.project_slug }}.background.outbox import enqueue
from {{ cookiecutter.project_slug }}.background.testing import run_background_work
from {{ cookiecutter.project_slug }}.catalog import tasks
from {{ cookiecutter.project_slug }}.catalog.services import create_product
from {{ cookiecutter.project_slug }}.catalog.tasks import notify_price_watchers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("watchers")]


@pytest.fixture
def watchers() -> Iterator[None]:
    with override_settings(CATALOG_PRICE_WATCHERS=["watcher@example.com"]):
        yield


def test_the_relay_keeps_the_rows_while_the_broker_is_down_then_delivers() -> None:
    create_product(name="Lamp", price=Decimal("19.90"))
    refused = OperationalError("Error 111 connecting to the broker. Connection refused.")

    with (
        mock.patch.object(notify_price_watchers, "apply_async", side_effect=refused),
        pytest.raises(CommandError, match="The broker is unavailable: Error 111"),
    ):
        run_background_work()
    assert OutboxMessage.objects.filter(status="PENDING").count() == 1

    run_background_work()

    assert len(mail.outbox) == 1
    assert not OutboxMessage.objects.exists()


def test_the_outbox_id_is_the_celery_task_id() -> None:
    message = enqueue(notify_price_watchers, product_id=1)

    with mock.patch.object(notify_price_watchers, "apply_async") as apply_async:
        run_background_work()

    apply_async.assert_called_once_with([], {"product_id": 1}, task_id=str(message.id), retry=False)


def test_a_task_that_keeps_failing_is_dead_listed_and_requeueable(
    capsys: pytest.CaptureFixture[str],
) -> None:
    product = create_product(name="Lamp", price=Decimal("19.90"))

    with mock.patch.object(tasks, "send_mail", side_effect=ConnectionRefusedError):
        run_background_work()

    dead = OutboxMessage.objects.get()
    assert (dead.status, dead.kwargs) == ("DEAD", {"product_id": product.pk})
    assert dead.exception_class_path == "builtins.ConnectionRefusedError"
    call_command("dead_tasks")
    assert f"{dead.id}  {notify_price_watchers.name}" in capsys.readouterr().out

    call_command("dead_tasks", "--requeue-all")
    run_background_work()

    assert len(mail.outbox) == 1
    assert not OutboxMessage.objects.exists()


def test_a_row_naming_no_task_is_dead_at_once() -> None:
    OutboxMessage.objects.create(task_path="no.such.task")

    run_background_work()

    assert OutboxMessage.objects.get().status == "DEAD"
