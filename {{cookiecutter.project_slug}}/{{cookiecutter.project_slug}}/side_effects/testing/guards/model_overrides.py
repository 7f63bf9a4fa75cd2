"""A project model's ``save()``/``delete()`` writes no rows of other tables.

Business logic hidden behind a save does not need a signal: an override that writes other
tables (outside ``super().save()``/``super().delete()``) runs it on every save just the same.
Every override in a model's project classes is watched: the model's own, an abstract base's,
a mixin's.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Model

from .. import advice
from .calls import current_scope
from .frames import is_business_code
from .rule import Guard, Patcher
from .violations import Violation

_WRITE = re.compile(
    r"\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+[\"`\[]?(\w+)",
    re.IGNORECASE,
)


@dataclass(eq=False)
class _Override:
    """A ``save``/``delete`` override under way, and the statements it ran itself."""

    instance: Model
    # What ran when it started: its statements count only while that is still what runs.
    scope: object
    writes: list[str] = field(default_factory=list)


_under_way: ContextVar[_Override | None] = ContextVar("side_effects_override", default=None)


class ModelOverrides(Guard):
    """Patches each project model's own ``save``/``delete`` to watch what it writes."""

    def __init__(self, record: Callable[[Violation], None]) -> None:
        self._record = record

    def install(self, patcher: Patcher) -> None:
        """Watch every override a project model defines, and its writes (apps must be ready)."""
        patcher.wrap_statements(_note_write)
        for name in ("save", "delete"):
            patcher.patch(Model, name, _not_the_override)
        overriding = {klass for model in apps.get_models() for klass in model.__mro__}
        for klass in sorted(overriding, key=lambda each: each.__qualname__):
            for name in ("save", "delete"):
                method = klass.__dict__.get(name)
                if inspect.isfunction(method) and is_business_code(inspect.getfile(method)):
                    patcher.patch(klass, name, self.watching)

    def watching(self, original: Callable[..., object]) -> Callable[..., object]:
        """The override ``original``, reporting the rows it writes of other tables."""

        def method(instance: Model, *args: Any, **kwargs: Any) -> object:
            model = type(instance)
            own_tables = {each._meta.db_table for each in (model, *model._meta.get_parent_list())}
            override = _Override(instance, current_scope())
            token = _under_way.set(override)
            try:
                return original(instance, *args, **kwargs)
            finally:
                _under_way.reset(token)
                tables = sorted({table_written(sql) for sql in override.writes} - own_tables)
                if tables:
                    self._record(
                        Violation(
                            f"{original.__qualname__}()",
                            f"writes rows of other tables: {', '.join(tables)}.",
                            advice.MODEL_OVERRIDE,
                        )
                    )

        return method


def _note_write(
    execute: Callable[..., object], sql: str, params: object, many: bool, context: dict[str, object]
) -> object:
    """Execute wrapper: add a write to the override under way, unless a receiver runs it."""
    override = _under_way.get()
    if override is not None and override.scope is current_scope() and table_written(sql):
        override.writes.append(sql)
    return execute(sql, params, many, context)


def table_written(sql: object) -> str:
    """The table an ``INSERT``, ``UPDATE`` or ``DELETE`` statement writes, else ``""``."""
    match = _WRITE.match(sql) if isinstance(sql, str) else None
    return match.group(1) if match else ""


def _not_the_override(original: Callable[..., object]) -> Callable[..., object]:
    """Base ``Model.save``/``delete``: what the override's ``super()`` call writes is not its own.

    Saving or deleting any other instance from the override still counts.
    """

    def method(instance: Model, *args: Any, **kwargs: Any) -> object:
        override = _under_way.get()
        if override is None or override.instance is not instance:
            return original(instance, *args, **kwargs)
        token = _under_way.set(None)
        try:
            return original(instance, *args, **kwargs)
        finally:
            _under_way.reset(token)

    return method
