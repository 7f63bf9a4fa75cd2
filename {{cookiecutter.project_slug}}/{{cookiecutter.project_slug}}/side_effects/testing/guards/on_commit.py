"""Callbacks a receiver registers with ``transaction.on_commit`` count as the receiver's work.

Each such callback is measured, when it runs, as a call of the receiver that registered it,
against the same budgets and rules.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import partial
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from ...runtime.naming import dotted_path
from ...runtime.registry import Registration
from .calls import current_call
from .rule import Guard, Patcher

# The guards' measurement of one call: measure(registration, kwargs, via=callback name).
Measure = Callable[..., AbstractContextManager[None]]


class OnCommitCallbacks(Guard):
    """Patches ``on_commit`` to measure a receiver's callbacks as calls of the receiver."""

    def __init__(self, measure: Measure) -> None:
        self._measure = measure

    def install(self, patcher: Patcher) -> None:
        """Patch every database connection's ``on_commit``."""
        patcher.patch(BaseDatabaseWrapper, "on_commit", self._charging)

    def _charging(self, original: Callable[..., None]) -> Callable[..., None]:
        """``on_commit`` that wraps a callback registered by a receiver in its measurement."""

        def on_commit(
            connection: BaseDatabaseWrapper, func: Callable[[], object], *args: Any, **kwargs: Any
        ) -> None:
            call = current_call()
            if call is not None:
                func = partial(self._run_measured, call.registration, func)
            original(connection, func, *args, **kwargs)

        return on_commit

    def _run_measured(self, registration: Registration, func: Callable[[], object]) -> object:
        """Run an on-commit callback measured as a call of the receiver that registered it."""
        with self._measure(registration, {}, via=dotted_path(func)):
            return func()
