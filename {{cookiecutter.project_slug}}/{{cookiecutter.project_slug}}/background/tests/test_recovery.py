"""The worker re-runs abandoned tasks, retries failed ones, and leaves dead ones to requeue."""

from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from {{ cookiecutter.project_slug }}.background.testing import run_background_work
from {{ cookiecutter.project_slug }}.catalog import tasks
from {{ cookiecutter.project_slug }}.catalog.services import create_product

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("watchers")]

SMTP_REFUSED = ConnectionRefusedError("the SMTP server refused the connection")


@pytest.fixture
def watchers() -> Iterator[None]:
    with override_settings(
        CATALOG_PRICE_WATCHERS=["watcher@example.com"], BACKGROUND_MAX_ATTEMPTS=3
    ):
        yield


def failing_smtp(failures: int) -> AbstractContextManager[object]:
    """Make the first ``failures`` e-mails fail as if the SMTP server refused them."""
    calls = iter(range(10**6))

    def send_mail(**message: Any) -> int:
        if next(calls) < failures:
            raise SMTP_REFUSED
        return mail.send_mail(**message)

    return mock.patch.object(tasks, "send_mail", side_effect=send_mail)


def test_a_task_whose_worker_died_runs_again_after_its_lease() -> None:
    create_product(name="Lamp", price=Decimal("19.90"))
    DBTaskResult.objects.update(
        status="RUNNING",
        started_at=timezone.now() - timedelta(hours=1),
        worker_ids=["killed-worker"],
    )

    run_background_work()

    assert [message.subject for message in mail.outbox] == ["Lamp now costs 19.90"]
    task = DBTaskResult.objects.get()
    assert task.status == "SUCCESSFUL"
    assert len(task.worker_ids) == 2


def test_a_running_task_within_its_lease_is_left_alone() -> None:
    create_product(name="Lamp", price=Decimal("19.90"))
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now())

    run_background_work()

    assert mail.outbox == []
    assert DBTaskResult.objects.get().status == "RUNNING"


def test_a_transient_failure_is_retried_until_it_succeeds() -> None:
    create_product(name="Lamp", price=Decimal("19.90"))

    with failing_smtp(failures=2):
        run_background_work()

    task = DBTaskResult.objects.get()
    assert task.status == "SUCCESSFUL"
    assert len(task.worker_ids) == 3
    assert len(mail.outbox) == 1


def test_a_permanent_failure_is_dead_listed_and_requeueable(
    capsys: pytest.CaptureFixture[str],
) -> None:
    create_product(name="Lamp", price=Decimal("19.90"))

    with failing_smtp(failures=3):
        run_background_work()

    task = DBTaskResult.objects.get()
    assert task.status == "FAILED"
    assert len(task.worker_ids) == 3
    call_command("dead_tasks")
    listing = capsys.readouterr().out
    assert f"{task.id}  {task.task_path}  builtins.ConnectionRefusedError" in listing

    call_command("dead_tasks", "--requeue", str(task.id))
    run_background_work()

    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert len(mail.outbox) == 1


def test_requeueing_an_unknown_id_fails_with_a_clear_message() -> None:
    with pytest.raises(Exception, match="1 of the IDs are not dead tasks"):
        call_command("dead_tasks", "--requeue", "00000000-0000-0000-0000-000000000000")


def test_a_task_abandoned_on_its_last_attempt_is_dead() -> None:
    create_product(name="Lamp", price=Decimal("19.90"))
    DBTaskResult.objects.update(
        status="RUNNING",
        started_at=timezone.now() - timedelta(hours=1),
        worker_ids=["killed-1", "killed-2", "killed-3"],
    )

    run_background_work()

    task = DBTaskResult.objects.get()
    assert (task.status, task.exception_class_path) == ("FAILED", "abandoned by its worker")
    assert mail.outbox == []
