"""Who watches receiver calls: any number of observers, at no cost while there are none.

An :class:`Observer` is told about each receiver call (its body's run, now or at commit), about
each body deferred to ``transaction.on_commit``, and about each unit of work a worker runs (a
task). The runtime guards (tests), the development trace and the OpenTelemetry spans are
observers. :func:`observe` adds one; while none is added, a receiver call costs one check of a
module global (:mod:`.wrappers`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from functools import partial

from . import wrappers
from .registry import Registration

Kwargs = dict[str, object]
# What wraps one run of a receiver's body.
Observation = AbstractContextManager[object]


class Observer:
    """One consumer of receiver calls; each method does nothing until a subclass overrides it."""

    def call(self, registration: Registration, kwargs: Kwargs) -> Observation:
        """Wrap one run of ``registration``'s body (called now, or as its transaction commits)."""
        return nullcontext()

    def deferred(self, registration: Registration, kwargs: Kwargs) -> Callable[[], Observation]:
        """The body was deferred to ``on_commit``: what to wrap its run in, if it ever runs."""
        return partial(self.call, registration, kwargs)

    def work(self, kind: str, name: str, carrier: Mapping[str, str]) -> Observation:
        """Wrap one unit of work (``kind`` ``"task"``: a task a worker runs).

        ``carrier`` holds the trace context the work was queued with (W3C ``traceparent``).
        """
        return nullcontext()

    def attached(self) -> None:
        """:func:`observe` has added this observer."""

    def detached(self) -> None:
        """The remover :func:`observe` returned has taken this observer out."""


class _Calls(Observer):
    """An observer made of a function that wraps each receiver call (the runtime guards')."""

    def __init__(self, observe_call: Callable[[Registration, Kwargs], Observation]) -> None:
        self._observe_call = observe_call

    def call(self, registration: Registration, kwargs: Kwargs) -> Observation:
        return self._observe_call(registration, kwargs)


class _Fanout(Observer):
    """Several observers, each wrapped around the next, in the order they were added."""

    def __init__(self, observers: tuple[Observer, ...]) -> None:
        self.observers = observers

    @contextmanager
    def call(self, registration: Registration, kwargs: Kwargs) -> Iterator[None]:
        with ExitStack() as stack:
            for observer in self.observers:
                stack.enter_context(observer.call(registration, kwargs))
            yield

    def deferred(self, registration: Registration, kwargs: Kwargs) -> Callable[[], Observation]:
        laters = [observer.deferred(registration, kwargs) for observer in self.observers]
        return partial(_all_of, laters)

    @contextmanager
    def work(self, kind: str, name: str, carrier: Mapping[str, str]) -> Iterator[None]:
        with ExitStack() as stack:
            for observer in self.observers:
                stack.enter_context(observer.work(kind, name, carrier))
            yield


@contextmanager
def _all_of(laters: list[Callable[[], Observation]]) -> Iterator[None]:
    """Enter what each observer asked its deferred body to run in."""
    with ExitStack() as stack:
        for later in laters:
            stack.enter_context(later())
        yield


_observers: list[Observer] = []


def observe(observer: Observer) -> Callable[[], None]:
    """Add ``observer`` (innermost of those added so far); returns the function that removes it."""
    _observers.append(observer)
    observer.attached()
    _publish()
    return partial(_remove, observer)


def observe_calls(
    observe_call: Callable[[Registration, Kwargs], Observation],
) -> Callable[[], None]:
    """:func:`observe` for a function that wraps each receiver call; returns its remover."""
    return observe(_Calls(observe_call))


def working(kind: str, name: str, carrier: Mapping[str, str] | None = None) -> Observation:
    """Wrap one unit of work a worker runs in every observer's :meth:`Observer.work`."""
    observer = wrappers.current_observer()
    return nullcontext() if observer is None else observer.work(kind, name, carrier or {})


def _remove(observer: Observer) -> None:
    if observer in _observers:
        _observers.remove(observer)
        observer.detached()
        _publish()


def _publish() -> None:
    """Hand the wrappers nothing, the one observer, or all of them in one."""
    if not _observers:
        wrappers.set_observer(None)
    elif len(_observers) == 1:
        wrappers.set_observer(_observers[0])
    else:
        wrappers.set_observer(_Fanout(tuple(_observers)))
