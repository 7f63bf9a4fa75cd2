"""A receiver writes rows only of the models it declares: ``@side_effect(..., writes=(M,))``.

Every ``INSERT``, ``UPDATE`` and ``DELETE`` a receiver call runs (raw cursors' included, see
:mod:`.query_budget`) is matched with the tables of the declared models (their parents' and
many-to-many tables too). The hand-off's own rows (a queued task, an outbox message) need no
declaration; migration-signal receivers are not judged.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from django.apps import apps
from django.db.models import Model

from ...runtime.conf import PROJECT_PACKAGE
from .. import advice
from .calls import Call
from .model_overrides import table_written
from .rule import Guard
from .violations import Violation

# Apps whose rows are the hand-off's: the task queue's and the outbox's.
_HAND_OFF_APPS = ("django_tasks_db", f"{PROJECT_PACKAGE}.background")


class DeclaredWrites(Guard):
    """Compares the tables a receiver call wrote with those its registration declares."""

    def after_call(self, call: Call) -> Iterator[Violation]:
        """A call that wrote rows of a model it did not declare."""
        if not call.has_budgets:
            return
        allowed = _hand_off_tables() | _tables_of(call.registration.writes)
        writes = [sql for sql in call.queries if table_written(sql) not in ("", *allowed)]
        if not writes:
            return
        labels = sorted({_label_of(table_written(sql)) for sql in writes})
        yield Violation(
            call.who,
            f"wrote rows of {', '.join(labels)}, which its @side_effect(...) does not declare:",
            advice.UNDECLARED_WRITES,
            tuple(writes[:5]),
        )


def _tables_of(models: tuple[type[Model], ...]) -> frozenset[str]:
    """The tables written when rows of ``models`` are: theirs, their parents', their m2m's."""
    tables = set()
    for model in models:
        for each in (model, *model._meta.get_parent_list()):
            tables.add(each._meta.db_table)
            tables.update(field.m2m_db_table() for field in each._meta.local_many_to_many)
    return frozenset(tables)


@functools.cache
def _hand_off_tables() -> frozenset[str]:
    """The tables of the hand-off's apps that are installed."""
    return frozenset(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_config is not None and model._meta.app_config.name in _HAND_OFF_APPS
    )


@functools.cache
def _label_of(table: str) -> str:
    """The model a table holds (``catalog.Product``), else the table's name."""
    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table == table:
            return model._meta.label
    return f"the table {table}"
