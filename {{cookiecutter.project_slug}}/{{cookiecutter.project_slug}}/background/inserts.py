"""One INSERT of a queued task's row, its statement compiled once: the hand-off's cost.

Every change that queues work pays for its row inside the change's transaction, so that row is
written with the least Python around one statement: the model's own field conversions (what
``save()`` would send) into a statement built once per model and database, between the
``pre_save`` and ``post_save`` signals ``save()`` sends (django-tasks-db sets a row's
``run_after`` in a ``pre_save`` receiver). Measured by ``benchmarks/bench_handoff.py``: the
ORM's ``create()`` of django-tasks-db's fifteen-column row cost twice the statement itself.
"""

import functools
from typing import Any, cast

from django.db import connections, router
from django.db.models import Field, Model
from django.db.models.signals import post_save, pre_save


def insert_row(instance: Model) -> None:
    """Write ``instance`` as a new row, with the values ``save()`` would write.

    For models whose every column gets its value in Python (defaults, ``auto_now_add``): a
    column left to the database (``db_default``, a generated field) is refused, once, when the
    statement is built.
    """
    model = type(instance)
    alias = router.db_for_write(model, instance=instance)
    connection = connections[alias]
    statement, fields = _statement(model, alias)
    pre_save.send(sender=model, instance=instance, raw=False, using=alias, update_fields=None)
    values = [
        field.get_db_prep_save(field.pre_save(instance, add=True), connection) for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(statement, values)
    instance._state.adding = False
    instance._state.db = alias
    post_save.send(
        sender=model, instance=instance, created=True, raw=False, using=alias, update_fields=None
    )


@functools.cache
def _statement(model: type[Model], alias: str) -> tuple[str, tuple[Field[Any, Any], ...]]:
    """The INSERT of every concrete column of ``model`` on database ``alias``, and its fields."""
    fields = tuple(model._meta.concrete_fields)
    left_to_the_database = [
        field.name
        for field in fields
        if getattr(field, "generated", False) or field.has_db_default()
    ]
    if left_to_the_database:
        raise TypeError(
            f"insert_row() cannot write {model.__name__}: the database computes "
            f"{', '.join(left_to_the_database)}; save it with the ORM instead."
        )
    quote = connections[alias].ops.quote_name
    # A concrete field is one with a column.
    columns = ", ".join(quote(cast(str, field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # Only names from the model's own options and quoted: no value is ever part of the text.
    table = quote(model._meta.db_table)
    return f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", fields  # noqa: S608
