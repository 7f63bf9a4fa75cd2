"""``python manage.py dead_tasks``: list background tasks that failed for good; requeue them.

``--requeue ID [ID ...]`` gives those tasks a fresh set of attempts, ``--requeue-all`` every dead
task. Requeue once the cause is fixed (a task must be idempotent: it may have half-run).
"""

import uuid
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ...{% if cookiecutter.background_tasks == "database" %}recovery{% else %}outbox{% endif %} import dead_tasks, requeue


class Command(BaseCommand):
    help = "List background tasks that failed for good, or requeue them."

    def add_arguments(self, parser: ArgumentParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--requeue", nargs="+", type=uuid.UUID, metavar="ID", help="requeue these tasks"
        )
        group.add_argument("--requeue-all", action="store_true", help="requeue every dead task")

    def handle(self, *args: Any, requeue_all: bool, **options: Any) -> None:
        task_ids: list[uuid.UUID] | None = options["requeue"]
        if task_ids is None and not requeue_all:
            self._list()
            return
        requeued = requeue(task_ids)
        if task_ids is not None and requeued < len(task_ids):
            raise CommandError(
                f"{len(task_ids) - requeued} of the IDs are not dead tasks; "
                "run `python manage.py dead_tasks` to list them."
            )
        self.stdout.write(f"Requeued {requeued} task(s).")

    def _list(self) -> None:
        tasks = list(dead_tasks())
        for task in tasks:
            self.stdout.write(f"{task.id}  {task.task_path}  {task.exception_class_path}")
        self.stdout.write(f"{len(tasks)} dead task(s).")
