"""What runs when a signal reaches a ``@side_effect`` receiver: the wrapper around its body.

The wrapper skips ``raw`` saves (fixture loading) unless told not to, defers the body to
``transaction.on_commit`` when asked, runs a receiver that may query inside a savepoint when it
is called in a transaction, and contains a failure: logged with the receiver's dotted path,
re-raised only while ``SIDE_EFFECTS_RAISE_EXCEPTIONS`` is true. Its fast path is one check of a
module global: the observer that :mod:`.observers` sets while any consumer watches the calls.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from inspect import iscoroutinefunction
from typing import TYPE_CHECKING, cast

from asgiref.sync import async_to_sync, sync_to_async
from django.db import transaction

from .conf import KIT_PACKAGE, setting
from .registry import Receiver, Registration

if TYPE_CHECKING:
    from .observers import Observer

logger = logging.getLogger(KIT_PACKAGE)

AsyncReceiver = Callable[..., Awaitable[object]]
# What a deferred body's run is wrapped in, as its observers asked when it was deferred.
Later = Callable[[], AbstractContextManager[object]] | None
# The contained body: called with the signal's arguments and what to wrap a deferred run in.
Contained = Callable[[dict[str, object], Later], object]

# Told about every receiver call when set (see .observers); None while nothing watches.
_observer: Observer | None = None


def set_observer(observer: Observer | None) -> None:
    """Tell ``observer`` about every receiver call from now on; ``None`` stops (see .observers)."""
    global _observer
    _observer = observer


def current_observer() -> Observer | None:
    """What is told about receiver calls now, if anything."""
    return _observer


def wrapper_for(registration: Registration) -> Receiver:
    """The callable to connect: the contained body, plus raw-skipping and on-commit deferral."""
    if iscoroutinefunction(registration.func):
        async_call = _contained_async(registration)
        if registration.on_commit:
            return _in_async_context(_deferred(registration, async_to_sync(async_call)))
        return _receiving_async(async_call, skip_raw=registration.skip_raw)
    call = _contained(registration)
    if registration.on_commit:
        return _deferred(registration, call)
    return _receiving(call, skip_raw=registration.skip_raw)


def _raise_exceptions() -> bool:
    """Whether a failing receiver's exception reaches the code that sent the signal."""
    return bool(setting("SIDE_EFFECTS_RAISE_EXCEPTIONS"))


def _contained(registration: Registration) -> Contained:
    """The body, observed when a hook is installed; a failure is logged with the dotted path.

    A receiver allowed to query runs in a savepoint when it is called inside a transaction: on
    PostgreSQL a failed statement aborts the whole transaction, so without one a receiver's SQL
    error would make the caller's next query (and its COMMIT) fail. A receiver with
    ``max_queries=0`` cannot break a transaction and skips the savepoint's two round trips.
    """
    may_query = registration.max_queries > 0

    def call(kwargs: dict[str, object], later: Later = None) -> object:
        try:
            if may_query and transaction.get_connection(_database_of(kwargs)).in_atomic_block:
                with transaction.atomic(using=_database_of(kwargs), savepoint=True):
                    return _observed(registration, kwargs, later)
            return _observed(registration, kwargs, later)
        except Exception:
            logger.exception("Receiver %s failed.", registration.path)
            if _raise_exceptions():
                raise
            return None

    return call


def _observed(registration: Registration, kwargs: dict[str, object], later: Later) -> object:
    """Call the receiver's body, inside its observation while anything observes the calls."""
    observer = _observer
    if observer is None and later is None:
        return registration.func(**kwargs)
    with _observation(registration, kwargs, observer, later):
        return registration.func(**kwargs)


def _observation(
    registration: Registration, kwargs: dict[str, object], observer: Observer | None, later: Later
) -> AbstractContextManager[object]:
    """What the observers asked a deferred run to be wrapped in, else their call observation."""
    if later is not None or observer is None:  # observers that went away still end their runs
        return later() if later is not None else nullcontext()
    return observer.call(registration, kwargs)


def _database_of(kwargs: dict[str, object]) -> str | None:
    """The database alias a model signal was sent for (``None``: the default database)."""
    using = kwargs.get("using")
    return using if isinstance(using, str) else None


def _contained_async(registration: Registration) -> Callable[..., Awaitable[object]]:
    """:func:`_contained` for an ``async def`` receiver.

    No savepoint: Django's transaction API is synchronous and cannot hold one across the
    receiver's awaits; an async receiver that writes should do so in its own ``atomic()``.
    """
    func = cast(AsyncReceiver, registration.func)

    async def call(kwargs: dict[str, object], later: Later = None) -> object:
        try:
            observer = _observer
            if observer is None and later is None:
                return await func(**kwargs)
            with _observation(registration, kwargs, observer, later):
                return await func(**kwargs)
        except Exception:
            logger.exception("Receiver %s failed.", registration.path)
            if _raise_exceptions():
                raise
            return None

    return call


def _receiving(call: Contained, *, skip_raw: bool) -> Receiver:
    """The receiver to connect; it skips ``raw=True`` sends (fixture loading) when told to."""
    if not skip_raw:
        return lambda **kwargs: call(kwargs, None)

    def receive(**kwargs: object) -> object:
        if kwargs.get("raw"):
            return None
        return call(kwargs, None)

    return receive


def _receiving_async(call: Callable[..., Awaitable[object]], *, skip_raw: bool) -> AsyncReceiver:
    """:func:`_receiving` for an ``async def`` receiver."""

    async def receive(**kwargs: object) -> object:
        if skip_raw and kwargs.get("raw"):
            return None
        return await call(kwargs, None)

    return receive


def _deferred(registration: Registration, call: Callable[..., object]) -> Receiver:
    """Run ``call`` once the transaction on the signal's ``using`` database commits.

    Robustly (other on-commit callbacks still run) unless failures are to be raised, so that
    in tests and local development an on-commit body's failure reaches the code that committed.
    The observers are told now that the body waits, and wrap its run when it comes.
    """
    skip_raw = registration.skip_raw

    def receive(**kwargs: object) -> None:
        if skip_raw and kwargs.get("raw"):
            return
        observer = _observer
        later = None if observer is None else observer.deferred(registration, kwargs)
        transaction.on_commit(
            partial(call, kwargs, later), using=_database_of(kwargs), robust=not _raise_exceptions()
        )

    return receive


def _in_async_context(receive: Receiver) -> Receiver:
    """Make a sync receiver awaitable; used to register async receivers' on-commit calls."""
    threaded = sync_to_async(receive)

    async def receive_async(**kwargs: object) -> None:
        await threaded(**kwargs)

    return receive_async
