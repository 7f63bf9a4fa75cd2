"""django-tasks-db's backend (``TASKS``): each task queued with its trace context, in one INSERT."""

from typing import Any

from django.tasks import Task
from django.utils.json import normalize_json
from django_tasks_db.backend import DatabaseBackend, TaskResult
from django_tasks_db.models import DBTaskResult

from .inserts import insert_row
from .tracing import with_trace_context


class TracedDatabaseBackend(DatabaseBackend):
    """Queues tasks as rows of the project database, each carrying its trace context.

    The row is the one django-tasks-db writes, written by :func:`.inserts.insert_row` instead of
    ``DBTaskResult.objects.create()``: the hand-off is part of every change that queues work.
    (``background/tests/test_backend.py`` checks that both write the same row.)
    """

    def enqueue(
        self, task: Task[Any, Any], args: Any, kwargs: dict[str, Any]
    ) -> TaskResult[Any, Any]:
        return super().enqueue(task, args, with_trace_context(kwargs))

    async def aenqueue(
        self, task: Task[Any, Any], args: Any, kwargs: dict[str, Any]
    ) -> TaskResult[Any, Any]:
        return await super().aenqueue(task, args, with_trace_context(kwargs))

    def _task_to_db_task(
        self, task: Task[Any, Any], args: Any, kwargs: dict[str, Any]
    ) -> DBTaskResult[Any, Any]:
        row: DBTaskResult[Any, Any] = DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            # None (no delay) becomes the far future in django-tasks-db's pre_save receiver.
            run_after=task.run_after,  # type: ignore[misc]
            backend_name=self.alias,
        )
        insert_row(row)
        return row
