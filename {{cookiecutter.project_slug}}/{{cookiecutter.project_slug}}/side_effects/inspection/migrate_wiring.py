"""Connect what only ``migrate`` connects, without migrating, for ``signalmap --all``.

``manage.py signalmap`` starts Django as every command does, so it sees what ``ready()`` and the
modules it imports connect. ``migrate`` connects more, unseen by any other command: it imports
every migration module, whose top level may connect a receiver (the "create the defaults after
migrating" pattern), and it sends ``pre_migrate`` and ``post_migrate``, whose receivers may
connect others. :func:`connect_as_migrate_does` does both without querying the database:
migration modules are imported as the migration loader reads them from disk, and each plain
receiver of the two signals is called once for each app with models, with every query and every
new connection refused, its failure contained and its logging silenced; whatever they connected
stays connected.
"""

from __future__ import annotations

import gc
import logging
import weakref
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

from django.apps import AppConfig, apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.db.models.signals import post_migrate, pre_migrate
from django.dispatch import Signal
from django.dispatch.dispatcher import NONE_ID

from ..runtime.registry import registration_of


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
                if config.models_module is not None:  # Django sends them only for these apps
                    _send(signal, config)
    gc.collect()


def _send(signal: Signal, config: AppConfig) -> None:
    """Call each plain receiver of ``signal`` for ``config`` as ``migrate`` would, contained.

    Receivers connected with ``@side_effect`` are left out: one that connects a receiver is
    refused by the late-wiring guard whenever the tests migrate their database, and calling
    them here would have the guards (in a test that maps) report the refused queries.
    """
    arguments = {
        "app_config": config,
        "verbosity": 0,
        "interactive": False,
        "using": DEFAULT_DB_ALIAS,
        "apps": apps,
        "plan": [],
    }
    for (_, sender_key), reference, _, is_async in list(signal.receivers):
        receiver = reference() if isinstance(reference, weakref.ReferenceType) else reference
        wanted = sender_key in (NONE_ID, id(config)) and not is_async
        if receiver is None or not wanted or registration_of(receiver) is not None:
            continue
        try:
            receiver(signal=signal, sender=config, **arguments)
        except Exception:  # noqa: S112 (whatever a receiver raises, the map carries on)
            continue


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
