"""``@side_effect``: the one way a project receiver is connected to a signal.

Compared with ``@receiver`` it connects the function once (its dotted path is the
``dispatch_uid``) and strongly, skips ``raw`` saves (fixture loading), can defer the body to
``transaction.on_commit(..., robust=True)``, runs a receiver that may query inside a savepoint
when it is called in a transaction (so that its SQL error cannot abort the caller's transaction),
logs a failure with the receiver's dotted path and re-raises it only when
``settings.SIDE_EFFECTS_RAISE_EXCEPTIONS`` is true, and registers the
receiver with its docstring and budgets for the checks, the signal map and the pytest
plugin. The wrapper's fast path is one check of a module global (the observer hook).

Settings read: ``SIDE_EFFECTS_RAISE_EXCEPTIONS`` (default ``False``), read when a receiver fails
and when an on-commit body is deferred: while it is true (tests, local development) the body is
deferred with ``robust=False`` so that its failure reaches the code that committed, as any other
receiver's would; ``SIDE_EFFECTS_DEFAULT_MAX_QUERIES`` (default ``1``) and
``SIDE_EFFECTS_DEFAULT_MAX_SECONDS`` (default ``0.25``), read when a receiver is decorated.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager
from functools import partial, update_wrapper
from inspect import iscoroutinefunction
from typing import TypeVar, cast

from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils.inspect import func_accepts_kwargs

from .registry import Receiver, Registration, register

logger = logging.getLogger(__package__)

F = TypeVar("F", bound=Receiver)
AsyncReceiver = Callable[..., Awaitable[object]]
Observer = Callable[[Registration, dict[str, object]], AbstractContextManager[object]]

# Wrapped around every receiver call when set; the pytest plugin's guards measure calls with it.
_observer: Observer | None = None


def observe_calls(observer: Observer | None) -> None:
    """Wrap every receiver call in ``observer(registration, kwargs)``; ``None`` stops."""
    global _observer
    _observer = observer


def side_effect(
    signal: Signal | Sequence[Signal],
    *,
    sender: object = None,
    on_commit: bool = False,
    max_queries: int | None = None,
    max_seconds: float | None = None,
    skip_raw: bool = True,
    normalizes: bool = False,
) -> Callable[[F], F]:
    """Connect the decorated module-level function to ``signal`` (or each of a list of signals).

    ``sender`` limits it to one sender (a model class, or ``"app_label.Model"``); ``on_commit``
    runs the body only after the surrounding transaction commits (on the ``using`` database of
    the signal, never for a rollback); ``max_queries`` is the budget the pytest plugin enforces
    (default ``settings.SIDE_EFFECTS_DEFAULT_MAX_QUERIES``, else 1) and ``max_seconds`` the time
    one call may take in the tests (default ``settings.SIDE_EFFECTS_DEFAULT_MAX_SECONDS``, else
    0.25); ``skip_raw=False`` also runs it while fixtures are loaded; ``normalizes=True`` lets a
    ``pre_save`` receiver change the instance's values (trimming, lower-casing: never a business
    rule). Returns the function unchanged, so it stays directly callable.
    """
    signals = tuple(signal) if isinstance(signal, Sequence) else (signal,)
    if not signals or not all(isinstance(each, Signal) for each in signals):
        raise TypeError(f"side_effect() needs a Signal or a list of Signals, not {signal!r}.")

    def decorate(func: F) -> F:
        registration = Registration(
            path=_dotted_path(func),
            func=func,
            signals=signals,
            sender=sender,
            on_commit=on_commit,
            max_queries=_budget(max_queries),
            skip_raw=skip_raw,
            max_seconds=_time_budget(max_seconds),
            normalizes=normalizes,
        )
        receiver = update_wrapper(_receiver_for(registration), func)
        for each in signals:
            each.connect(receiver, sender=sender, weak=False, dispatch_uid=registration.path)
        register(receiver, registration)
        return func

    return decorate


def _dotted_path(func: Receiver) -> str:
    """The receiver's ``module.name``, after checking it can be connected by that name."""
    qualname = getattr(func, "__qualname__", "")
    if not callable(func) or not qualname or "." in qualname:
        raise TypeError(
            f"@side_effect connects module-level functions (stable by dotted path); {func!r} is "
            "not one. Define the receiver at the top level of <app>/signals.py."
        )
    path = f"{func.__module__}.{qualname}"
    if not func_accepts_kwargs(func):
        raise TypeError(f"Receiver {path} must accept **kwargs: signals may add arguments.")
    return path


def _budget(max_queries: int | None) -> int:
    """The query budget: the argument, else the project's default, else 1."""
    if max_queries is None:
        max_queries = getattr(settings, "SIDE_EFFECTS_DEFAULT_MAX_QUERIES", 1)
    if not isinstance(max_queries, int) or max_queries < 0:
        raise ValueError(f"max_queries must be a whole number >= 0, not {max_queries!r}.")
    return max_queries


def _time_budget(max_seconds: float | None) -> float:
    """The time budget in seconds: the argument, else the project's default, else 0.25."""
    if max_seconds is None:
        max_seconds = getattr(settings, "SIDE_EFFECTS_DEFAULT_MAX_SECONDS", 0.25)
    if not isinstance(max_seconds, int | float) or max_seconds <= 0:
        raise ValueError(f"max_seconds must be a number of seconds > 0, not {max_seconds!r}.")
    return float(max_seconds)


def _receiver_for(registration: Registration) -> Receiver:
    """The callable to connect: guarded body, plus raw-skipping and on-commit deferral."""
    if iscoroutinefunction(registration.func):
        async_call = _guarded_async(registration)
        if registration.on_commit:
            return _in_async_context(_deferred(registration, async_to_sync(async_call)))
        return _skipping_raw_async(async_call) if registration.skip_raw else async_call
    call = _guarded(registration)
    if registration.on_commit:
        return _deferred(registration, call)
    return _skipping_raw(call) if registration.skip_raw else call


def _raise_exceptions() -> bool:
    """Whether a failing receiver's exception reaches the code that sent the signal."""
    return getattr(settings, "SIDE_EFFECTS_RAISE_EXCEPTIONS", False)


def _guarded(registration: Registration) -> Receiver:
    """The body, observed when a hook is installed; a failure is logged with the dotted path.

    A receiver allowed to query runs in a savepoint when it is called inside a transaction: on
    PostgreSQL a failed statement aborts the whole transaction, so without one a receiver's SQL
    error would make the caller's next query (and its COMMIT) fail. A receiver with
    ``max_queries=0`` cannot break a transaction and skips the savepoint's two round trips.
    """
    may_query = registration.max_queries > 0

    def call(**kwargs: object) -> object:
        try:
            if may_query and transaction.get_connection(_database_of(kwargs)).in_atomic_block:
                with transaction.atomic(using=_database_of(kwargs), savepoint=True):
                    return _observed(registration, kwargs)
            return _observed(registration, kwargs)
        except Exception:
            logger.exception("Receiver %s failed.", registration.path)
            if _raise_exceptions():
                raise
            return None

    return update_wrapper(call, registration.func)


def _observed(registration: Registration, kwargs: dict[str, object]) -> object:
    """Call the receiver's body, inside the observer hook when one is installed."""
    if _observer is None:
        return registration.func(**kwargs)
    with _observer(registration, kwargs):
        return registration.func(**kwargs)


def _database_of(kwargs: dict[str, object]) -> str | None:
    """The database alias a model signal was sent for (``None``: the default database)."""
    using = kwargs.get("using")
    return using if isinstance(using, str) else None


def _guarded_async(registration: Registration) -> AsyncReceiver:
    """:func:`_guarded` for an ``async def`` receiver.

    No savepoint: Django's transaction API is synchronous and cannot hold one across the
    receiver's awaits; an async receiver that writes should do so in its own ``atomic()``.
    """
    func = cast(AsyncReceiver, registration.func)

    async def call(**kwargs: object) -> object:
        try:
            if _observer is None:
                return await func(**kwargs)
            with _observer(registration, kwargs):
                return await func(**kwargs)
        except Exception:
            logger.exception("Receiver %s failed.", registration.path)
            if _raise_exceptions():
                raise
            return None

    return update_wrapper(call, func)


def _skipping_raw(call: Receiver) -> Receiver:
    """Skip ``raw=True`` sends: fixture loading must not trigger side effects."""

    def receive(**kwargs: object) -> object:
        if kwargs.get("raw"):
            return None
        return call(**kwargs)

    return receive


def _skipping_raw_async(call: AsyncReceiver) -> AsyncReceiver:
    """:func:`_skipping_raw` for an ``async def`` receiver."""

    async def receive(**kwargs: object) -> object:
        if kwargs.get("raw"):
            return None
        return await call(**kwargs)

    return receive


def _deferred(registration: Registration, call: Receiver) -> Receiver:
    """Run ``call`` once the transaction on the signal's ``using`` database commits.

    Robustly (other on-commit callbacks still run) unless failures are to be raised.
    """
    skip_raw = registration.skip_raw

    def receive(**kwargs: object) -> None:
        if skip_raw and kwargs.get("raw"):
            return
        robust = not _raise_exceptions()
        transaction.on_commit(partial(call, **kwargs), using=_database_of(kwargs), robust=robust)

    return receive


def _in_async_context(receive: Receiver) -> Receiver:
    """Make a sync receiver awaitable; used to register async receivers' on-commit calls."""
    threaded = sync_to_async(receive)

    async def receive_async(**kwargs: object) -> None:
        await threaded(**kwargs)

    return receive_async
