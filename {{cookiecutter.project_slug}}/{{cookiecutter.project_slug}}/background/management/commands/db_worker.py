"""``python manage.py db_worker``: django-tasks-db's worker, plus recovery and retries.

Same options as django-tasks-db's command (this app is listed before ``django_tasks_db`` in
``INSTALLED_APPS``, so its command wins). In addition the worker re-runs tasks whose worker died
and retries failed ones (see ``background.recovery``): at start, and then every
``BACKGROUND_RECLAIM_INTERVAL`` seconds from a thread, it reclaims tasks past their lease; after
each run it schedules a failed task's retry. When the database goes away (a restart, an outage)
it does not exit: it logs what it waits for, tries again with a bounded backoff
(``BACKGROUND_RETRY_DELAY`` doubled per failure, at most ``BACKGROUND_RECONNECT_MAX_DELAY``) and
resumes by itself; a task it was running stays claimed and runs again after its lease. SIGTERM
lets the current task finish, then stops (django-tasks-db's handling). Each task runs in its
observers' unit of work (an OpenTelemetry span linked to the one that queued it; in
development, its trace).
"""

import logging
import threading
import time
from typing import Any

from django import db
from django.conf import settings
from django.db import close_old_connections, connection, connections, transaction
from django_tasks_db.management.commands import db_worker

from ....side_effects.runtime.observers import working
from ... import policy, recovery
from ...recovery import TaskRow
from ...tracing import split_trace_context

logger = logging.getLogger(__name__)


class RecoveringWorker(db_worker.Worker):
    """A django-tasks-db worker that also reclaims abandoned tasks and retries failed ones."""

    def run(self) -> None:
        """Reclaim once, keep reclaiming in the background (unless batch), then work.

        A lost database stops a batch run with its error; otherwise the worker waits for the
        database and goes on.
        """
        self._reclaim()
        if not self.batch:
            threading.Thread(target=self._reclaim_forever, name="reclaim", daemon=True).start()
        while True:
            try:
                super().run()
            except db.Error as error:
                if self.batch:
                    raise
                logger.warning("Lost the database: %s", str(error).strip())
                _wait_for_the_database()
            else:
                return

    def run_task(self, db_task_result: TaskRow) -> None:
        """Run the task; a failed run is saved together with its retry, in one transaction.

        Saved apart, the task would be ``FAILED`` (dead, to ``dead_tasks`` and the admin) for a
        moment before its retry was scheduled.
        """
        save_failure = db_task_result.set_failed

        def set_failed_or_retry(error: BaseException) -> None:
            with transaction.atomic():
                save_failure(error)
                recovery.retry_if_failed(db_task_result)

        db_task_result.set_failed = set_failed_or_retry
        arguments = db_task_result.args_kwargs
        arguments["kwargs"], carrier = split_trace_context(arguments["kwargs"])
        with working("task", db_task_result.task_path, carrier):
            super().run_task(db_task_result)

    def _reclaim_forever(self) -> None:
        """The reclaim thread's loop; it dies with the worker (a daemon thread)."""
        while True:
            time.sleep(settings.BACKGROUND_RECLAIM_INTERVAL)
            self._reclaim()
            close_old_connections()  # this thread's own connection

    def _reclaim(self) -> None:
        try:
            recovery.reclaim_abandoned_tasks()
        except db.Error:  # database busy or away: the next round tries again
            logger.exception("Could not reclaim abandoned tasks.")


def _wait_for_the_database() -> None:
    """Return once the database answers; until then retry with a bounded, logged backoff."""
    failures = 0
    while True:
        connections.close_all()  # connections a server restart broke are not reused
        try:
            connection.ensure_connection()
        except db.Error as error:
            failures += 1
            delay = policy.reconnect_delay(failures)
            logger.warning(
                "Database unavailable (%s); retrying in %.1fs.", str(error).strip(), delay
            )
            time.sleep(delay)
        else:
            logger.info("Database available again; working.")
            return


class Command(db_worker.Command):
    help = "Run a database background worker that re-runs abandoned tasks and retries failures"

    def handle(self, *args: Any, **options: Any) -> None:
        # django-tasks-db's handle() builds the worker from its module's ``Worker``; this process
        # runs nothing else, so pointing that name at the recovering worker is contained.
        db_worker.Worker = RecoveringWorker  # type: ignore[misc]
        super().handle(*args, **options)
