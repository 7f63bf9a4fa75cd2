"""``python manage.py relay_outbox``: move committed outbox rows to the Celery broker.

Runs until stopped, polling every
``BACKGROUND_RELAY_INTERVAL`` seconds when the outbox is empty. While the broker is down it
backs off (``BACKGROUND_RETRY_DELAY`` doubled per failure, at most
``BACKGROUND_RETRY_MAX_DELAY``) and resumes by itself when the broker answers again. Several
relays may run at once on PostgreSQL. Stopping it at any moment is safe: rows published but not
yet deleted are published again. ``--batch`` relays what is due and exits (1 when the broker is
down).
"""

import logging
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from ... import policy
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
        logger.info("Relaying the outbox to the broker.")
        failures = 0
        while True:
            close_old_connections()
            try:
                published = relay_due()
            except BrokerUnavailableError as error:
                failures += 1
                delay = policy.retry_delay(failures).total_seconds()
                logger.warning("Broker unavailable (%s); retrying in %.1fs.", error, delay)
                time.sleep(delay)
                continue
            if failures:
                logger.info("Broker available again after %d failed attempt(s).", failures)
                failures = 0
            if not published:
                time.sleep(settings.BACKGROUND_RELAY_INTERVAL)

    def _relay_everything_due(self) -> None:
        try:
            while relay_due():
                pass
        except BrokerUnavailableError as error:
            raise CommandError(f"The broker is unavailable: {error}") from error
