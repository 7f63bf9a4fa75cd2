"""Connect what only ``migrate`` connects, without migrating, for ``signalmap --all``.

``manage.py signalmap`` starts Django as every command does, so it sees what ``ready()`` and the
modules it imports connect. ``migrate`` connects more, unseen by any other command: it imports
every migration module, whose top level may connect a receiver (the "create the defaults after
migrating" pattern), and it sends ``pre_migrate`` and ``post_migrate``, whose receivers may
connect others. :func:`connect_as_migrate_does` does both without querying the database:
migration modules are imported as the migration loader reads them from disk, and the two
signals are sent once for each app with models, with every query and every new connection
refused, every receiver's failure contained and its logging silenced; whatever they connected
stays connected.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.db.models.signals import post_migrate, pre_migrate


class QueryRefusedError(Exception):
    """What a query raises while the migration signals are sent for the map."""


def connect_as_migrate_does() -> None:
    """Import every migration module, then send ``pre_migrate`` and ``post_migrate``.

    The garbage is collected afterwards: the weak receivers of objects already dead (the
    options of a historical model a migration rendered) would otherwise be listed by one map
    and not by the next.
    """
    MigrationLoader(None, ignore_no_migrations=True)
    with _queries_refused(), _logging_silenced():
        for signal in (pre_migrate, post_migrate):
            for config in apps.get_app_configs():
                if config.models_module is None:  # Django sends them only for these apps
                    continue
                signal.send_robust(
                    sender=config,
                    app_config=config,
                    verbosity=0,
                    interactive=False,
                    using=DEFAULT_DB_ALIAS,
                    apps=apps,
                    plan=[],
                )
    gc.collect()


def _refuse(execute: Callable[..., object], sql: str, *args: object) -> object:
    """An execute wrapper that runs nothing."""
    raise QueryRefusedError(f"signalmap --all sends the migration signals without queries: {sql}")


def _refuse_to_connect() -> None:
    """``ensure_connection()`` of a database not yet connected to: connect to none."""
    raise QueryRefusedError("signalmap --all sends the migration signals without a database.")


@contextmanager
def _queries_refused() -> Iterator[None]:
    """Refuse every query on every database, and every new connection, while the block runs.

    No query ran, so a transaction the caller had open is as it was: a refusal inside it does
    not leave it marked for rollback.
    """
    marked = {connection.alias: connection.needs_rollback for connection in connections.all()}
    try:
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(_refuse))
                if connection.connection is None:  # an SQLite file would be created
                    connection.ensure_connection = _refuse_to_connect  # type: ignore[method-assign]
                    stack.callback(vars(connection).pop, "ensure_connection")
            yield
    finally:
        for connection in connections.all():
            connection.needs_rollback = marked[connection.alias]


@contextmanager
def _logging_silenced() -> Iterator[None]:
    """No log records while the block runs (receivers log the failures the refusals cause)."""
    previous = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        logging.disable(previous)
