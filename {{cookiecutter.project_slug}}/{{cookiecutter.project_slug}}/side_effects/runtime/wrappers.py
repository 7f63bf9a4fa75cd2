"""What runs when a signal reaches a ``@side_effect`` receiver: the wrapper around its body.

The wrapper skips ``raw`` saves (fixture loading) unless told not to, defers the body to
``transaction.on_commit`` when asked, runs a receiver that may query inside a savepoint when it
is called in a transaction, and contains a failure: logged with the receiver's dotted path,
re-raised only while ``SIDE_EFFECTS_RAISE_EXCEPTIONS`` is true. Its fast path is one check of a
module global, the observer hook that the runtime guards set in tests.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from functools import partial, update_wrapper
from inspect import iscoroutinefunction
from typing import cast

from asgiref.sync import async_to_sync, sync_to_async
from django.db import transaction

from .conf import KIT_PACKAGE, setting
from .registry import Receiver, Registration

logger = logging.getLogger(KIT_PACKAGE)

AsyncReceiver = Callable[..., Awaitable[object]]
Observer = Callable[[Registration, dict[str, object]], AbstractContextManager[object]]

# Wrapped around every receiver call when set; the pytest plugin's guards measure calls with it.
_observer: Observer | None = None


def observe_calls(observer: Observer | None) -> None:
    """Wrap every receiver call in ``observer(registration, kwargs)``; ``None`` stops."""
    global _observer
    _observer = observer


def wrapper_for(registration: Registration) -> Receiver:
    """The callable to connect: the contained body, plus raw-skipping and on-commit deferral."""
    if iscoroutinefunction(registration.func):
        async_call = _contained_async(registration)
        if registration.on_commit:
            return _in_async_context(_deferred(registration, async_to_sync(async_call)))
        return _skipping_raw_async(async_call) if registration.skip_raw else async_call
    call = _contained(registration)
    if registration.on_commit:
        return _deferred(registration, call)
    return _skipping_raw(call) if registration.skip_raw else call


def _raise_exceptions() -> bool:
    """Whether a failing receiver's exception reaches the code that sent the signal."""
    return bool(setting("SIDE_EFFECTS_RAISE_EXCEPTIONS"))


def _contained(registration: Registration) -> Receiver:
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


def _contained_async(registration: Registration) -> AsyncReceiver:
    """:func:`_contained` for an ``async def`` receiver.

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

    Robustly (other on-commit callbacks still run) unless failures are to be raised, so that
    in tests and local development an on-commit body's failure reaches the code that committed.
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
