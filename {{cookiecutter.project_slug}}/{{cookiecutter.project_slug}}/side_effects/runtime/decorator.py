"""``@side_effect``: the one way a project receiver is connected to a signal.

It checks the arguments, records a :class:`~.registry.Registration` and connects the wrapper
that :mod:`.wrappers` builds for it, once (its dotted path is the ``dispatch_uid``) and
strongly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import update_wrapper
from typing import TypeVar

from django.db.models import Model
from django.dispatch import Signal
from django.utils.inspect import func_accepts_kwargs

from .conf import setting
from .naming import dotted_path
from .registry import Receiver, Registration, register
from .wrappers import wrapper_for

F = TypeVar("F", bound=Receiver)


def side_effect(
    signal: Signal | Sequence[Signal],
    *,
    sender: object = None,
    on_commit: bool = False,
    max_queries: int | None = None,
    max_seconds: float | None = None,
    skip_raw: bool = True,
    normalizes: bool = False,
    writes: Sequence[type[Model]] = (),
) -> Callable[[F], F]:
    """Connect the decorated module-level function to ``signal`` (or each of a list of signals).

    ``sender`` limits it to one sender (a model class, or ``"app_label.Model"``); ``on_commit``
    runs the body only after the surrounding transaction commits (on the ``using`` database of
    the signal, never for a rollback); ``max_queries`` and ``max_seconds`` are the budgets the
    pytest plugin enforces (defaults: the ``SIDE_EFFECTS_DEFAULT_MAX_*`` settings);
    ``skip_raw=False`` also runs it while fixtures are loaded; ``normalizes=True`` lets a
    ``pre_save`` receiver change the instance's values (trimming, lower-casing: never a business
    rule); ``writes`` names the models whose rows the receiver writes (the guards refuse any
    other write; the signal map shows them). Returns the function unchanged, so it stays
    directly callable.
    """
    signals = tuple(signal) if isinstance(signal, Sequence) else (signal,)
    if not signals or not all(isinstance(each, Signal) for each in signals):
        raise TypeError(f"side_effect() needs a Signal or a list of Signals, not {signal!r}.")

    def decorate(func: F) -> F:
        registration = Registration(
            path=_checked_path(func),
            func=func,
            signals=signals,
            sender=sender,
            on_commit=on_commit,
            max_queries=_query_budget(max_queries),
            max_seconds=_time_budget(max_seconds),
            skip_raw=skip_raw,
            normalizes=normalizes,
            writes=_written_models(writes),
        )
        receiver = update_wrapper(wrapper_for(registration), func)
        for each in signals:
            each.connect(receiver, sender=sender, weak=False, dispatch_uid=registration.path)
        register(receiver, registration)
        return func

    return decorate


def _checked_path(func: Receiver) -> str:
    """The receiver's dotted path, after checking it can be connected by that name."""
    qualname = getattr(func, "__qualname__", "")
    if not callable(func) or not qualname or "." in qualname:
        raise TypeError(
            f"@side_effect connects module-level functions (stable by dotted path); {func!r} is "
            "not one. Define the receiver at the top level of <app>/signals.py."
        )
    path = dotted_path(func)
    if not func_accepts_kwargs(func):
        raise TypeError(f"Receiver {path} must accept **kwargs: signals may add arguments.")
    return path


def _query_budget(max_queries: int | None) -> int:
    """The query budget: the argument, else ``SIDE_EFFECTS_DEFAULT_MAX_QUERIES``."""
    if max_queries is None:
        max_queries = setting("SIDE_EFFECTS_DEFAULT_MAX_QUERIES")
    if not isinstance(max_queries, int) or max_queries < 0:
        raise ValueError(f"max_queries must be a whole number >= 0, not {max_queries!r}.")
    return max_queries


def _time_budget(max_seconds: float | None) -> float:
    """The time budget in seconds: the argument, else ``SIDE_EFFECTS_DEFAULT_MAX_SECONDS``."""
    if max_seconds is None:
        max_seconds = setting("SIDE_EFFECTS_DEFAULT_MAX_SECONDS")
    if not isinstance(max_seconds, int | float) or max_seconds <= 0:
        raise ValueError(f"max_seconds must be a number of seconds > 0, not {max_seconds!r}.")
    return float(max_seconds)


def _written_models(writes: Sequence[type[Model]]) -> tuple[type[Model], ...]:
    """The models a receiver declares it writes, checked to be model classes."""
    models = tuple(writes)
    if not all(isinstance(each, type) and issubclass(each, Model) for each in models):
        raise TypeError(f"writes= takes model classes, not {writes!r}.")
    return models
