"""The outbox: written with the change, relayed at least once, kept until the outcome is known."""

import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from celery.exceptions import Reject
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError as DatabaseOperationalError
from django.test import override_settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from {{ cookiecutter.project_slug }}.background import outbox
from {{ cookiecutter.project_slug }}.background.models import OutboxMessage
from {{ cookiecutter.project_slug }}.background.outbox import enqueue, relay_due
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


def test_a_published_row_stays_until_its_outcome_and_is_republished_after_the_lease() -> None:
    message = enqueue(notify_price_watchers, product_id=1)

    with mock.patch.object(notify_price_watchers, "apply_async") as apply_async:
        assert relay_due() == 1
        published = OutboxMessage.objects.get()
        assert (published.status, published.publications) == ("PUBLISHED", 1)
        assert published.available_at > timezone.now() + timedelta(minutes=59)
        assert relay_due() == 0  # within its lease: the broker still has it

        # The broker lost the message and no worker recorded an outcome: the lease passes.
        OutboxMessage.objects.update(available_at=timezone.now() - timedelta(seconds=1))
        assert relay_due() == 1

    assert apply_async.call_count == 2
    assert OutboxMessage.objects.get(id=message.id).publications == 2


def test_a_relay_told_to_stop_marks_what_it_published_and_leaves_the_rest() -> None:
    for product_id in range(5):
        enqueue(notify_price_watchers, product_id=product_id)
    stop = threading.Event()

    def publish_then_stop(*args: object, **kwargs: object) -> None:
        if not stop.is_set():
            stop.set()  # SIGTERM arrives while the first message is being published

    with mock.patch.object(notify_price_watchers, "apply_async", side_effect=publish_then_stop):
        assert relay_due(stop=stop) == 1

    statuses = sorted(OutboxMessage.objects.values_list("status", flat=True))
    assert statuses == ["PENDING"] * 4 + ["PUBLISHED"]


def test_a_worker_that_cannot_record_the_outcome_hands_the_message_back() -> None:
    product = create_product(name="Lamp", price=Decimal("19.90"))
    database_gone = DatabaseOperationalError("server closed the connection unexpectedly")

    with (
        mock.patch.object(outbox, "record_done", side_effect=database_gone),
        pytest.raises(Reject) as rejected,
    ):
        notify_price_watchers(product_id=product.pk)

    requeue = rejected.value.args[1]
    assert requeue is True  # never acknowledged away: the broker delivers again
    assert OutboxMessage.objects.filter(status="PENDING").count() == 1


def test_a_worker_that_cannot_reach_the_database_does_not_run_the_task() -> None:
    product = create_product(name="Lamp", price=Decimal("19.90"))
    unreachable = DatabaseOperationalError("connection refused")

    with (
        mock.patch("django.db.connection.ensure_connection", side_effect=unreachable),
        pytest.raises(Reject, match="database unavailable: connection refused"),
    ):
        notify_price_watchers(product_id=product.pk)

    assert mail.outbox == []
