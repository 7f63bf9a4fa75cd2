"""``python manage.py relay_outbox``: move committed outbox rows to the Celery broker.

Runs until stopped, polling every ``BACKGROUND_RELAY_INTERVAL`` seconds when nothing is due.
While the broker or the database is down it logs what it waits for, backs off
(``BACKGROUND_RETRY_DELAY`` doubled per failure, at most ``BACKGROUND_RECONNECT_MAX_DELAY``) and
resumes by itself when they answer again. At start-up it warns when the Redis broker may lose
tasks (``background.broker``). Several relays may run at once on PostgreSQL. SIGTERM or SIGINT
stops it after the message being published: what it published is marked so, the rest of the
batch stays due for the next relay. A relay killed outright republishes at most the batch it
had not committed (at least once, never zero times). ``--batch`` relays what is due and exits
(1 when the broker is down).
"""

import logging
import signal
import threading
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django import db
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from ... import policy
from ...broker import BrokerUnreachableError, durability_problems
from ...outbox import BrokerUnavailableError, relay_due

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Publish committed outbox rows to the Celery broker, at least once."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--batch", action="store_true", help="relay what is due, then exit")

    def handle(self, *args: Any, batch: bool, **options: Any) -> None:
        if batch:
            self._relay_everything_due()
            return
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            logger.info("Received %s: stopping after this message.", signal.strsignal(signum))
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        _warn_about_the_brokers_durability()
        logger.info("Relaying the outbox to the broker.")
        self._relay_until(stop)
        logger.info("Relay stopped.")

    def _relay_until(self, stop: threading.Event) -> None:
        """Relay due rows until ``stop`` is set, waiting out outages of the broker or database."""
        failures = 0
        while not stop.is_set():
            try:
                published = relay_due(stop=stop)
            except (BrokerUnavailableError, db.Error) as error:
                failures += 1
                what = "Broker" if isinstance(error, BrokerUnavailableError) else "Database"
                delay = policy.reconnect_delay(failures)
                logger.warning(
                    "%s unavailable (%s); retrying in %.1fs.", what, str(error).strip(), delay
                )
                connections.close_all()  # a connection broken by a server restart is replaced
                stop.wait(delay)
                continue
            if failures:
                logger.info("Relaying again after %d failed attempt(s).", failures)
                failures = 0
            if not published:
                stop.wait(settings.BACKGROUND_RELAY_INTERVAL)

    def _relay_everything_due(self) -> None:
        try:
            while relay_due():
                pass
        except BrokerUnavailableError as error:
            raise CommandError(f"The broker is unavailable: {error}") from error


def _warn_about_the_brokers_durability() -> None:
    try:
        problems = durability_problems()
    except BrokerUnreachableError as error:
        logger.warning("Could not ask the broker about its durability: %s", error)
        return
    for problem in problems.values():
        logger.warning(problem)
