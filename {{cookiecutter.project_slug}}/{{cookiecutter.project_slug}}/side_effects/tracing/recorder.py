"""Recording what the receivers of one request, command or task did, live, as a :class:`.Trace`.

:class:`TraceRecorder` is an observer of the receiver calls. Inside :func:`recording`, each
receiver call becomes a :class:`~.trace.Node` under the receiver whose work sent its signal (or
at the top), timed, with its queries and the tasks it queued counted. Outside
:func:`recording` the recorder does nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from contextvars import ContextVar
from functools import cache, partial

from django.apps import apps
from django.db import connections

from ..runtime.naming import sender_label
from ..runtime.observers import Kwargs, Observer
from ..runtime.registry import Registration
from ..runtime.telemetry import signal_name
from .trace import FAILED, RAN, WAITING, Node, Trace

# The models whose rows are queued tasks, by app label and name (whichever are installed).
TASK_MODELS = (("django_tasks_database", "DBTaskResult"), ("background", "OutboxMessage"))

_trace: ContextVar[Trace | None] = ContextVar("side_effects_trace", default=None)
_node: ContextVar[Node | None] = ContextVar("side_effects_trace_node", default=None)


@contextmanager
def recording(
    label: str, *, fresh: bool = False, on_finish: Callable[[Trace], None] | None = None
) -> Iterator[Trace]:
    """Record the receivers the block fires; joins a recording under way unless ``fresh``.

    ``on_finish`` (logging it, say) is called with the trace once the block has run, if the
    block started it or joined a recording of the same label (one request, recorded by the
    debug toolbar's panel around the middleware): a test's or a command's recording that a
    request joined is its owner's to report.
    """
    current = _trace.get()
    if current is not None and not fresh:
        yield current
        if on_finish is not None and current.label == label:
            on_finish(current)
        return
    trace = Trace(label)
    trace_token, node_token = _trace.set(trace), _node.set(None)
    try:
        yield trace
    finally:
        _node.reset(node_token)
        _trace.reset(trace_token)
        trace.finish()
    if on_finish is not None:
        on_finish(trace)


class TraceRecorder(Observer):
    """The observer that adds each receiver call to the trace being recorded, if any.

    Several may be observed at once (the development trace, ``pytest --side-effects-trace``, a
    test's own): the first one added records, so that a call is one node however many watch,
    and each one's ``on_work`` is given every task's trace.
    """

    def __init__(self, on_work: Callable[[Trace], None] = lambda trace: None) -> None:
        self._on_work = on_work

    def attached(self) -> None:
        _recorders.append(self)

    def detached(self) -> None:
        _recorders.remove(self)

    def _records(self) -> bool:
        return bool(_recorders) and _recorders[0] is self

    def call(self, registration: Registration, kwargs: Kwargs) -> AbstractContextManager[object]:
        if _trace.get() is None or not self._records():
            return nullcontext()
        node = _node_for(registration, kwargs, on_commit=False)
        _attach(node)
        return _running(node)

    def deferred(
        self, registration: Registration, kwargs: Kwargs
    ) -> Callable[[], AbstractContextManager[object]]:
        trace = _trace.get()
        if trace is None or not self._records():
            return nullcontext
        node = _node_for(registration, kwargs, on_commit=True)
        node.state, node.using = WAITING, _using(kwargs)
        _attach(node)
        return partial(_running, node, trace)

    @contextmanager
    def work(self, kind: str, name: str, carrier: Mapping[str, str]) -> Iterator[None]:
        if not self._records():
            yield
            return
        with recording(f"{kind} {name}", fresh=True) as trace:
            yield
        for recorder in list(_recorders):
            recorder._on_work(trace)


# The recorders observed now, in the order they were added.
_recorders: list[TraceRecorder] = []


def _node_for(registration: Registration, kwargs: Kwargs, *, on_commit: bool) -> Node:
    return Node(
        receiver=registration.path,
        signal=signal_name(kwargs.get("signal")),
        sender=sender_label(kwargs.get("sender")),
        on_commit=on_commit,
    )


def _attach(node: Node) -> None:
    """Put ``node`` under the receiver call under way, else at the top of the trace."""
    parent, trace = _node.get(), _trace.get()
    if parent is not None:
        parent.children.append(node)
    elif trace is not None:
        trace.nodes.append(node)


@contextmanager
def _running(node: Node, trace: Trace | None = None) -> Iterator[None]:
    """Time the body's run as ``node``; its queries and the receivers it sets off are its own."""
    trace_token = _trace.set(trace) if trace is not None else None
    outermost = _node.get() is None
    node_token = _node.set(node)
    started = time.perf_counter()
    try:
        with ExitStack() as stack:
            if outermost:
                for connection in connections.all(initialized_only=True):
                    stack.enter_context(connection.execute_wrapper(_charge_query))
            yield
        node.state = RAN
    except Exception as error:
        node.state, node.error = FAILED, f"{type(error).__name__}: {error}"
        raise
    finally:
        node.seconds = time.perf_counter() - started
        _node.reset(node_token)
        if trace_token is not None:
            _trace.reset(trace_token)


def _charge_query(
    execute: Callable[..., object], sql: str, params: object, many: bool, context: object
) -> object:
    """Execute wrapper: count the statement (and a queued task) for the receiver running now."""
    node = _node.get()
    if node is not None and isinstance(sql, str):
        statement = sql.lstrip().upper()
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            node.queries += 1
            if statement.startswith("INSERT") and any(table in sql for table in _task_tables()):
                node.tasks += 1
    return execute(sql, params, many, context)


@cache
def _task_tables() -> tuple[str, ...]:
    """The database tables of queued tasks."""
    found = []
    for app_label, model in TASK_MODELS:
        try:
            found.append(apps.get_model(app_label, model)._meta.db_table)
        except LookupError:
            continue
    return tuple(found)


def _using(kwargs: Kwargs) -> str | None:
    using = kwargs.get("using")
    return using if isinstance(using, str) else None
