"""django-tasks-db's backend (``TASKS``): each task queued with its trace context, in one INSERT."""

from typing import Any

from django.tasks import Task, TaskResultStatus
from django.tasks.signals import task_enqueued
from django.utils.json import normalize_json
from django_tasks_db.backend import DatabaseBackend, TaskResult
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import normalize_uuid

from .inserts import insert_row
from .tracing import with_trace_context


class TracedDatabaseBackend(DatabaseBackend):
    """Queues tasks as rows of the project database, each carrying its trace context.

    The row is the one django-tasks-db writes, written by :func:`.inserts.insert_row` instead of
    ``DBTaskResult.objects.create()``, and ``enqueue()`` builds the result it hands back from
    the task it queued instead of reading it back from the row twice: the hand-off is part of
    every change that queues work. (``background/tests/test_backend.py`` checks that the row and the
    result are the library's.)
    """

    def enqueue(
        self, task: Task[Any, Any], args: Any, kwargs: dict[str, Any]
    ) -> TaskResult[Any, Any]:
        self.validate_task(task)
        row = self._task_to_db_task(task, args, with_trace_context(kwargs))
        result = self._queued_result(task, row)
        task_enqueued.send(type(self), task_result=result)
        return result

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

    def _queued_result(
        self, task: Task[Any, Any], row: DBTaskResult[Any, Any]
    ) -> TaskResult[Any, Any]:
        """What ``row.task_result`` would say of a row just queued, without importing the task
        again by its path (the library builds it twice per enqueue)."""
        return TaskResult(
            db_result=row,
            task=task,
            id=normalize_uuid(row.id),
            status=TaskResultStatus.READY,
            enqueued_at=row.enqueued_at,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=row.args_kwargs["args"],
            kwargs=row.args_kwargs["kwargs"],
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
