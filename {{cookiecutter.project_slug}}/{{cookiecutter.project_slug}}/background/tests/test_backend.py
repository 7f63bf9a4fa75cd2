"""The one-statement hand-off writes the row, and returns the result, django-tasks-db would."""

from dataclasses import fields
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.tasks import Task
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend, TaskResult
from django_tasks_db.models import DBTaskResult

from {{ cookiecutter.project_slug }}.catalog.services import create_product
from {{ cookiecutter.project_slug }}.catalog.tasks import notify_price_watchers

pytestmark = pytest.mark.django_db

# Set on each write: the rows are compared without them.
PER_ROW = ("id", "enqueued_at")
IN_AN_HOUR = timezone.now() + timedelta(hours=1)


@pytest.mark.parametrize(
    "task",
    [notify_price_watchers, notify_price_watchers.using(priority=7, run_after=IN_AN_HOUR)],
    ids=["as declared", "with a priority and a delay"],
)
def test_the_hand_off_writes_the_librarys_row(task: Task[..., None]) -> None:
    ours = task.enqueue(product_id=1)
    backend = task.get_backend()
    assert isinstance(backend, DatabaseBackend)
    # django-tasks-db's own _task_to_db_task(): DBTaskResult.objects.create().
    theirs = DatabaseBackend._task_to_db_task(backend, task, (), {"product_id": 1})

    ours_row = model_to_dict(DBTaskResult.objects.get(id=ours.id), exclude=PER_ROW)
    theirs_row = model_to_dict(DBTaskResult.objects.get(id=theirs.id), exclude=PER_ROW)
    assert ours_row.pop("args_kwargs")["kwargs"]["product_id"] == 1  # plus the trace context
    assert theirs_row.pop("args_kwargs") == {"args": [], "kwargs": {"product_id": 1}}
    assert ours_row == theirs_row
    assert DBTaskResult.objects.get(id=ours.id).enqueued_at <= timezone.now()


def test_the_hand_off_returns_the_librarys_result() -> None:
    ours = notify_price_watchers.using(priority=3).enqueue(product_id=1)
    assert isinstance(ours, TaskResult)
    stored = DBTaskResult.objects.get(id=ours.id).task_result  # as the library builds it

    def described(result: TaskResult[Any, Any]) -> dict[str, object]:
        return {field.name: getattr(result, field.name) for field in fields(result)}

    assert described(ours) == described(stored) | {"db_result": ours.db_result}
    assert ours.task == stored.task


@pytest.mark.django_db(transaction=True)  # the service's transaction is the outermost one
def test_a_product_is_handed_off_in_one_insert_without_a_savepoint() -> None:
    with CaptureQueriesContext(connection) as queries:
        create_product(name="Lamp", price=Decimal("19.90"))

    table = DBTaskResult._meta.db_table
    statements = [query["sql"] for query in queries.captured_queries]
    [hand_off] = [number for number, sql in enumerate(statements) if table in sql]
    assert statements[hand_off].startswith(f'INSERT INTO "{table}"')
    assert not statements[hand_off - 1].startswith("SAVEPOINT")
    assert not statements[hand_off + 1].startswith("RELEASE SAVEPOINT")
