"""django-tasks-db's backend, with the trace context each task is queued in (``TASKS``)."""

from typing import Any

from django.tasks import Task
from django_tasks_db.backend import DatabaseBackend, TaskResult

from .tracing import with_trace_context


class TracedDatabaseBackend(DatabaseBackend):
    """Queues tasks as rows of the project database, each carrying its trace context."""

    def enqueue(
        self, task: Task[Any, Any], args: Any, kwargs: dict[str, Any]
    ) -> TaskResult[Any, Any]:
        return super().enqueue(task, args, with_trace_context(kwargs))

    async def aenqueue(
        self, task: Task[Any, Any], args: Any, kwargs: dict[str, Any]
    ) -> TaskResult[Any, Any]:
        return await super().aenqueue(task, args, with_trace_context(kwargs))
