"""The shape every guard has, and the patcher through which each installs its instrumentation.

A guard installs what it watches with a :class:`Patcher` (patches, hooks, statement wrappers,
each undone when the guards are uninstalled), may look at a receiver call as it starts, and
reports the rules the call broke once it has ended. What a guard sees while a call runs it adds
to the call's violations itself; what it sees outside calls it hands to ``record``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial, wraps
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from .calls import Call
from .violations import Violation

# An execute wrapper, as Django calls it: (execute, sql, params, many, context).
StatementWrapper = Callable[..., object]


class Guard:
    """One rule of the runtime guards."""

    def install(self, patcher: Patcher) -> None:
        """Start watching, through ``patcher``."""

    def before_call(self, call: Call) -> None:
        """A receiver call starts."""

    def after_call(self, call: Call) -> Iterable[Violation]:
        """A receiver call has ended: the rules it broke."""
        return ()


class Patcher:
    """Replaces attributes and adds hooks until :meth:`undo`, which restores them last first."""

    def __init__(self) -> None:
        self._undo: list[Callable[[], None]] = []

    def patch(self, owner: type, name: str, wrap: Callable[[Any], Any]) -> None:
        """Replace ``owner.name`` with ``wrap(original)``."""
        original = owner.__dict__[name]
        setattr(owner, name, wraps(original)(wrap(original)))
        self.on_undo(partial(setattr, owner, name, original))

    def on_undo(self, undo: Callable[[], None]) -> None:
        """Call ``undo`` when the patches are undone."""
        self._undo.append(undo)

    def wrap_statements(self, wrapper: StatementWrapper) -> None:
        """Run every SQL statement of every connection, in any thread, through ``wrapper``."""
        for connection in connections.all(initialized_only=True):
            _add_wrapper(connection, wrapper)
        self.patch(BaseDatabaseWrapper, "connect", partial(_connecting_with, wrapper))
        self.on_undo(partial(_remove_wrapper, wrapper))

    def undo(self) -> None:
        """Undo every patch and hook, the last one first."""
        while self._undo:
            self._undo.pop()()


def _add_wrapper(connection: BaseDatabaseWrapper, wrapper: StatementWrapper) -> None:
    """Put ``wrapper`` first among the connection's execute wrappers, once."""
    if wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, wrapper)


def _remove_wrapper(wrapper: StatementWrapper) -> None:
    """Take ``wrapper`` off every connection open in this thread."""
    for connection in connections.all(initialized_only=True):
        if wrapper in connection.execute_wrappers:
            connection.execute_wrappers.remove(wrapper)


def _connecting_with(
    wrapper: StatementWrapper, original: Callable[[BaseDatabaseWrapper], None]
) -> Callable[[BaseDatabaseWrapper], None]:
    """``connect`` that also wraps the new connection's statements (connections are per thread)."""

    def connect(connection: BaseDatabaseWrapper) -> None:
        original(connection)
        _add_wrapper(connection, wrapper)

    return connect
