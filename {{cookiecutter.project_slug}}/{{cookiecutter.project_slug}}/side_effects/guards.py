"""Runtime guards: what a receiver's body may not do, checked while the tests run.

The pytest plugin installs :class:`ReceiverGuards` for the test session; nothing here runs in
production (the decorator's observer hook stays empty there). Around every receiver call the
guards

- count its database queries against ``max_queries`` (``SAVEPOINT`` and ``RELEASE`` statements
  are not counted: ``atomic()`` and the kit add them) and its time against ``max_seconds``;
- flag a call into any ``*.services`` module of the project however it is reached (an import,
  ``import_module``, ``import_string``, a helper in ``tasks.py``), seen with ``sys.monitoring``
  events local to the services' functions, and a services module first imported during the call;
- flag a network connection, a subprocess and a thread started (an audit hook), and a task run
  inline (django.tasks ``task.call()``, Celery ``task()`` or ``task.apply()``);
- charge the receiver with the callbacks it registers itself with ``transaction.on_commit``;
- flag a ``pre_save`` receiver that changes its instance, unless it declares ``normalizes=True``.

They also flag a project model whose own ``save()`` or ``delete()`` override writes rows of other
tables (outside ``super().save()``/``super().delete()``): business logic hidden behind a save.

A task that a receiver enqueues, and that the test backend then runs in-process (django.tasks'
``ImmediateBackend``, Celery's eager mode), is not the receiver's work: its queries, time and
calls are not charged. Migration signals (``pre_migrate``, ``post_migrate``) have no budgets:
they run once per ``migrate``, never on a user's request. Outside receiver calls the guards flag
project code (never tests) that calls a receiver function directly, and refuse a receiver that
project code connects at run time once the app registry is ready (a module's top level is left
to the system checks, which import every project module and name such receivers).
"""

from __future__ import annotations

import inspect
import logging
import os
import re
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import partial, wraps
from importlib import import_module
from pathlib import Path
from types import CodeType, FrameType, ModuleType
from typing import Any

from asgiref.sync import async_to_sync
from django.apps import apps
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.db.models.signals import post_migrate, pre_migrate, pre_save
from django.dispatch import Signal

from .decorator import observe_calls
from .registry import Registration, is_project_file, is_test_file, registrations

# Queries shown in a budget failure; a receiver far over budget lists only the first ones.
QUERIES_SHOWN = 10
{%- if cookiecutter.background_tasks == "database" %}
ENQUEUE = "(task.enqueue(...), which writes the task in the caller's transaction)"
{%- else %}
ENQUEUE = (
    "(enqueue(task, ...) from {{ cookiecutter.project_slug }}.background.outbox, which writes "
    "the task in the caller's transaction)"
)
{%- endif %}
TASK_ADVICE = f"do it in a task (<app>/tasks.py) that the receiver enqueues {ENQUEUE}."
SERVICE_ADVICE = (
    "Receivers must not run business logic, however the service is reached (import, "
    "import_module, import_string, a helper): call the service from the code that sends the "
    "signal (a view or another service), or enqueue a task that calls it."
)
_KIT_DIR = str(Path(__file__).parent) + os.sep

_current: ContextVar[Call | None] = ContextVar("side_effects_receiver_call", default=None)
# The model save()/delete() override under way, if any: its instance and its write statements.
_override_writes: ContextVar[tuple[Model, list[str]] | None] = ContextVar(
    "side_effects_override_writes", default=None
)


@dataclass
class Call:
    """One receiver call being measured (or one on-commit callback it registered)."""

    registration: Registration
    via: str = ""
    queries: list[str] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    # Seconds spent in tasks the test backend ran in-process: not the receiver's time.
    excluded: float = 0.0

    @property
    def who(self) -> str:
        """``Receiver <path>``, naming the on-commit callback when it is one."""
        suffix = f" (its on-commit callback {self.via})" if self.via else ""
        return f"Receiver {self.registration.path}{suffix}"


@dataclass
class ReceiverStats:
    """What the tests cost one receiver, over all its calls."""

    calls: int = 0
    seconds: float = 0.0
    slowest: float = 0.0
    most_queries: int = 0


def message(who: str, what: str, details: list[str], fix: str) -> str:
    """The one message style: who did what, the evidence indented, then what to do."""
    return "\n".join([f"{who} {what}", *(f"    {line}" for line in details), fix])


class ReceiverGuards:
    """Measures every receiver call, and records each rule it breaks in :attr:`violations`."""

    def __init__(self, project_root: Path) -> None:
        self.stats: defaultdict[str, ReceiverStats] = defaultdict(ReceiverStats)
        self.violations: list[str] = []
        self.root = str(project_root) + os.sep
        self._services: dict[CodeType, str] = {}
        self._receivers: dict[CodeType, Registration] = {}
        self._scanned: set[tuple[str, int]] = set()  # (name, id) of each module looked at
        self._modules_seen = 0
        self._tool: int | None = None
        self._undo: list[Callable[[], None]] = []

    # -- measuring -------------------------------------------------------------------------

    @contextmanager
    def measure(
        self, registration: Registration, kwargs: dict[str, object], via: str = ""
    ) -> Iterator[None]:
        """Measure one call of ``registration``'s receiver (the decorator's observer hook)."""
        self.watch_new_code()
        call = Call(registration, via)
        before = _snapshot(registration, kwargs)
        token = _current.set(call)
        writes_token = _override_writes.set(None)  # a receiver's writes are its own concern
        started = time.perf_counter()
        try:
            yield
        finally:
            seconds = time.perf_counter() - started - call.excluded
            _override_writes.reset(writes_token)
            _current.reset(token)
            self._settle(call, seconds, kwargs, before)

    def _settle(
        self, call: Call, seconds: float, kwargs: dict[str, object], before: dict[str, object]
    ) -> None:
        """Record the call's statistics and every rule it broke."""
        registration = call.registration
        stats = self.stats[registration.path]
        stats.calls += 1
        stats.seconds += seconds
        stats.slowest = max(stats.slowest, seconds)
        stats.most_queries = max(stats.most_queries, len(call.queries))
        if kwargs.get("signal") not in (pre_migrate, post_migrate):
            call.faults += _over_budget(call, seconds)
        call.faults += _mutations(call, kwargs, before)
        call.faults += [_imported_service(call, name) for name in self.watch_new_code()]
        self.violations += call.faults

    def report(self) -> str:
        """The recorded violations, as one message; forgets them."""
        text = "\n\n".join(self.violations)
        self.violations.clear()
        return text

    # -- installing --------------------------------------------------------------------------

    def install(self) -> None:
        """Start guarding: hooks, patches and the decorator's observer, until :meth:`uninstall`."""
        _add_audit_hook()
        for connection in connections.all(initialized_only=True):
            _count_queries_of(connection)
        self._patch(BaseDatabaseWrapper, "connect", _counting_queries)
        self._patch(BaseDatabaseWrapper, "on_commit", self._charging_on_commit)
        self._patch(Signal, "connect", self._refusing_late_connections)
        _patch_task_runners(self._patch)
        for name in ("save", "delete"):
            self._patch(Model, name, _not_tracked)
        self._start_monitoring()
        self.watch_new_code()
        observe_calls(self.measure)

    def uninstall(self) -> None:
        """Stop guarding and undo every patch."""
        observe_calls(None)
        while self._undo:
            self._undo.pop()()
        for connection in connections.all(initialized_only=True):
            if _count_query in connection.execute_wrappers:
                connection.execute_wrappers.remove(_count_query)

    def _patch(self, owner: type, name: str, wrap: Callable[[Any], Any]) -> None:
        """Replace ``owner.name`` with ``wrap(original)`` until :meth:`uninstall`."""
        original = owner.__dict__[name]
        setattr(owner, name, wraps(original)(wrap(original)))
        self._undo.append(partial(setattr, owner, name, original))

    # -- calls into services, receivers called directly (sys.monitoring) --------------------

    def _start_monitoring(self) -> None:
        """Claim a free sys.monitoring tool id; its only events are local to watched code."""
        monitoring = sys.monitoring
        free = [tool for tool in (3, 4) if monitoring.get_tool(tool) is None]
        if not free:
            warnings.warn(
                "sys.monitoring tool ids 3 and 4 are taken by other tools: receivers calling "
                "services, and receivers called directly, are not checked in this run.",
                stacklevel=2,
            )
            return
        self._tool = free[0]
        monitoring.use_tool_id(self._tool, "side_effects guards")
        monitoring.register_callback(self._tool, monitoring.events.PY_START, self._on_start)
        self._undo.append(partial(monitoring.free_tool_id, self._tool))

    def watch_new_code(self) -> list[str]:
        """Watch the services modules and receivers imported since the last look; name them."""
        tool = self._tool
        if tool is None or len(sys.modules) == self._modules_seen:
            return []
        self._modules_seen = len(sys.modules)
        services = []
        for name, module in list(sys.modules.items()):
            if (name, id(module)) not in self._scanned:
                self._scanned.add((name, id(module)))
                if self._watch_services(tool, name, module):
                    services.append(name)
        for registration in registrations():
            code = getattr(inspect.unwrap(registration.func), "__code__", None)
            if code is not None and code not in self._receivers:
                self._receivers[code] = registration
                self._watch(tool, code)
        return services

    def _watch_services(self, tool: int, name: str, module: ModuleType) -> bool:
        """Watch every function of ``module`` if it is a project ``*.services`` module."""
        filename = module.__dict__.get("__file__")
        if "services" not in name.split(".") or not is_project_file(filename):
            return False
        for func in _functions_of(module):
            if func.__code__ not in self._services and func.__module__ == name:
                self._services[func.__code__] = f"{name}.{func.__qualname__}"
                self._watch(tool, func.__code__)
        return True

    def _watch(self, tool: int, code: CodeType) -> None:
        """Have ``code`` report its every start to :meth:`_on_start`."""
        sys.monitoring.set_local_events(tool, code, sys.monitoring.events.PY_START)
        self._undo.append(partial(sys.monitoring.set_local_events, tool, code, 0))

    def _on_start(self, code: CodeType, offset: int) -> None:
        """A watched function starts: a service inside a receiver, or a receiver called directly."""
        caller = sys._getframe(1).f_back  # frame 1 is the watched function's own
        if caller is None:
            return
        service = self._services.get(code)
        call = _current.get()
        if service is not None:
            # A service calling its own helpers is reported once, where the receiver entered.
            if call is not None and caller.f_code not in self._services:
                call.faults.append(_called_service(call, service, self.where(caller)))
            return
        registration = self._receivers.get(code)
        if registration is not None and self.is_business_code(caller.f_code.co_filename):
            self.violations.append(_called_directly(registration, self.where(caller)))

    # -- model save()/delete() overrides ------------------------------------------------------

    def watch_model_overrides(self) -> None:
        """Watch the writes of every ``save``/``delete`` a project model defines itself.

        Called once the app registry is ready (the plugin does it when the session starts).
        """
        for model in apps.get_models():
            for name in ("save", "delete"):
                method = model.__dict__.get(name)
                if inspect.isfunction(method) and self.is_business_code(inspect.getfile(method)):
                    self._patch(model, name, partial(self._tracking_writes, model))

    def _tracking_writes(
        self, model: type[Model], original: Callable[..., object]
    ) -> Callable[..., object]:
        """The override, recording the rows it writes of tables other than its model's."""
        own_tables = {each._meta.db_table for each in (model, *model._meta.get_parent_list())}

        def method(instance: Model, *args: Any, **kwargs: Any) -> object:
            writes: list[str] = []
            token = _override_writes.set((instance, writes))
            try:
                return original(instance, *args, **kwargs)
            finally:
                _override_writes.reset(token)
                tables = sorted({_table_written(sql) for sql in writes} - own_tables)
                if tables:
                    self.violations.append(_writes_other_tables(original, tables))

        return method

    # -- on-commit callbacks, late connections --------------------------------------------------

    def _charging_on_commit(self, original: Callable[..., None]) -> Callable[..., None]:
        """``on_commit`` that charges a callback registered by a receiver to that receiver."""

        def on_commit(
            connection: BaseDatabaseWrapper, func: Callable[[], object], *args: Any, **kwargs: Any
        ) -> None:
            call = _current.get()
            if call is not None:
                func = partial(self._run_charged, call.registration, func)
            original(connection, func, *args, **kwargs)

        return on_commit

    def _run_charged(self, registration: Registration, func: Callable[[], object]) -> object:
        """Run an on-commit callback measured as a call of the receiver that registered it."""
        with self.measure(registration, {}, via=_name_of(func)):
            return func()

    def _refusing_late_connections(self, original: Callable[..., None]) -> Callable[..., None]:
        """``Signal.connect`` that refuses project code connecting once apps are ready."""

        def connect(
            signal: Signal, receiver: Callable[..., object], *args: Any, **kwargs: Any
        ) -> None:
            if apps.ready:
                self._check_connected_in_time(signal, receiver)
            original(signal, receiver, *args, **kwargs)

        return connect

    def _check_connected_in_time(self, signal: Signal, receiver: Callable[..., object]) -> None:
        """Raise if project code other than a test connects a project receiver at run time.

        A connection made by a module's top level (a module first imported late, like
        ``urls.py``) is left to the system checks, which import every project module and name
        such a receiver (E001, E002) instead of crashing the import.
        """
        code = getattr(inspect.unwrap(receiver), "__code__", None)
        if code is None or not self.is_business_code(code.co_filename):
            return
        frame: FrameType | None = sys._getframe(2)
        while frame is not None and not is_project_file(frame.f_code.co_filename):
            frame = frame.f_back
        while frame is not None and frame.f_code.co_filename.startswith(_KIT_DIR):
            if is_test_file(frame.f_code.co_filename):
                return
            frame = frame.f_back
        if frame is None or frame.f_code.co_name == "<module>":
            return
        if self.is_business_code(frame.f_code.co_filename):
            raise ImproperlyConfigured(_connected_late(signal, receiver, self.where(frame)))

    # -- where code lives ----------------------------------------------------------------

    def is_business_code(self, filename: str) -> bool:
        """Whether ``filename`` is project code other than the kit and tests."""
        if not is_project_file(filename) or is_test_file(filename):
            return False
        return not filename.startswith(_KIT_DIR)

    def where(self, frame: FrameType | None) -> str:
        """``path/to/module.py:12 (function)``, relative to the project root."""
        if frame is None:
            return "unknown code"
        filename = frame.f_code.co_filename.removeprefix(self.root)
        return f"{filename}:{frame.f_lineno} ({frame.f_code.co_qualname})"


# -- queries -------------------------------------------------------------------------------------


def _count_queries_of(connection: BaseDatabaseWrapper) -> None:
    """Count the queries run on ``connection`` (any thread) for the receiver call under way."""
    if _count_query not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _count_query)


def _counting_queries(original: Callable[[BaseDatabaseWrapper], None]) -> Callable[..., None]:
    """``connect`` that also counts the connection's queries (connections are per thread)."""

    def connect(connection: BaseDatabaseWrapper) -> None:
        original(connection)
        _count_queries_of(connection)

    return connect


def _count_query(
    execute: Callable[..., object], sql: str, params: object, many: bool, context: dict[str, object]
) -> object:
    """Execute wrapper: add the statement to the current call's queries (savepoints aside)."""
    call = _current.get()
    if call is not None and not (isinstance(sql, str) and _is_savepoint(sql)):
        call.queries.append(sql)
    override = _override_writes.get()
    if override is not None and isinstance(sql, str) and _table_written(sql):
        override[1].append(sql)
    return execute(sql, params, many, context)


def _table_written(sql: str) -> str:
    """The table an ``INSERT``, ``UPDATE`` or ``DELETE`` statement writes, else ``""``."""
    match = _WRITE.match(sql)
    return match.group(1) if match else ""


_WRITE = re.compile(r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+[\"`\[]?(\w+)", re.IGNORECASE)


def _not_tracked(original: Callable[..., object]) -> Callable[..., object]:
    """Base ``Model.save``/``delete``: what the override's ``super()`` call writes is not its own.

    Saving or deleting any other instance from the override still counts.
    """

    def method(instance: Model, *args: Any, **kwargs: Any) -> object:
        override = _override_writes.get()
        if override is None or override[0] is not instance:
            return original(instance, *args, **kwargs)
        token = _override_writes.set(None)
        try:
            return original(instance, *args, **kwargs)
        finally:
            _override_writes.reset(token)

    return method


def _is_savepoint(sql: str) -> bool:
    """Whether ``sql`` creates, releases or rolls back to a savepoint."""
    return sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO"))


# -- budgets and mutations ---------------------------------------------------------------------


def _over_budget(call: Call, seconds: float) -> list[str]:
    """The messages for a call over its query or time budget."""
    registration, queries = call.registration, call.queries
    faults = []
    if len(queries) > registration.max_queries:
        listed = [f"{number}. {sql}" for number, sql in enumerate(queries[:QUERIES_SHOWN], 1)]
        faults.append(
            message(
                call.who,
                f"ran {_count(len(queries), 'database query')}; its budget is "
                f"max_queries={registration.max_queries} (savepoints are not counted).",
                listed,
                "Receivers must stay lightweight: move the work into a task (<app>/tasks.py) "
                "that the receiver enqueues, or, if the cost is deliberate, raise "
                "max_queries in its @side_effect(...).",
            )
        )
    if seconds > registration.max_seconds:
        faults.append(
            message(
                call.who,
                f"took {seconds:.3f} s; its budget is max_seconds={registration.max_seconds:g} "
                "(tasks the test backend runs in-process are not counted).",
                [],
                "Receivers must stay lightweight: move slow work (network calls, sleeps, heavy "
                "computation) into a task (<app>/tasks.py) that the receiver enqueues, "
                "or, if the time is deliberate, raise max_seconds in its @side_effect(...).",
            )
        )
    return faults


def _snapshot(registration: Registration, kwargs: dict[str, object]) -> dict[str, object]:
    """The field values of a ``pre_save`` instance, unless the receiver may normalise them."""
    instance = kwargs.get("instance")
    if kwargs.get("signal") is not pre_save or registration.normalizes or instance is None:
        return {}
    return {
        field.attname: instance.__dict__.get(field.attname)
        for field in instance._meta.concrete_fields  # type: ignore[attr-defined]
    }


def _mutations(call: Call, kwargs: dict[str, object], before: dict[str, object]) -> list[str]:
    """The message for a ``pre_save`` receiver that changed its instance's values."""
    instance = kwargs.get("instance")
    changed = [
        f"{type(instance).__name__}.{name}: {value!r} -> {instance.__dict__.get(name)!r}"
        for name, value in before.items()
        if instance.__dict__.get(name) != value
    ]
    if not changed:
        return []
    return [
        message(
            call.who,
            "changed the instance it was sent before the save:",
            changed,
            "A pre_save receiver that rewrites the instance hides a business rule behind "
            "save(): apply the rule in the service that saves (validation in Model.clean()). "
            "If it only normalises a value (trimming, lower-casing), declare it: "
            "@side_effect(pre_save, sender=..., normalizes=True).",
        )
    ]


# -- messages of the guards --------------------------------------------------------------------


def _called_service(call: Call, service: str, where: str) -> str:
    where_from = [f"called from {where}"]
    return message(call.who, f"called the service {service}.", where_from, SERVICE_ADVICE)


def _imported_service(call: Call, module: str) -> str:
    what = f"imported the services module {module} while it ran."
    return message(call.who, what, [], SERVICE_ADVICE)


def _writes_other_tables(method: Callable[..., object], tables: list[str]) -> str:
    return message(
        f"{method.__qualname__}()",
        f"writes rows of other tables: {', '.join(tables)}.",
        [],
        "That is business logic hidden behind every save: move it to a service that saves the "
        "instance and writes the other rows explicitly, in one transaction.atomic() block.",
    )


def _called_directly(registration: Registration, where: str) -> str:
    return message(
        f"Receiver {registration.path}",
        "was called directly, not by its signal.",
        [f"called from {where}"],
        "A receiver runs only when its signal is sent: code that needs the work done calls a "
        "service (business logic) or enqueues a task. Call receivers directly only in tests.",
    )


def _connected_late(signal: Signal, receiver: Callable[..., object], where: str) -> str:
    name = f"{getattr(receiver, '__module__', '?')}.{getattr(receiver, '__qualname__', receiver)}"
    return message(
        f"Receiver {name}",
        "was connected after the app registry was ready, at run time.",
        [f"connected from {where}"],
        "Wiring is fixed at start-up: define the receiver with @side_effect in <app>/signals.py, "
        "which <app>/apps.py's ready() imports. A test may connect one temporarily from its own "
        "module.",
    )


def _count(number: int, noun: str) -> str:
    """``1 query``, ``2 queries``, ``3 calls``."""
    if number == 1:
        return f"{number} {noun}"
    return f"{number} {noun[:-1]}ies" if noun.endswith("y") else f"{number} {noun}s"


def _name_of(func: Callable[..., object]) -> str:
    """A readable name for a callable, looking through ``functools.partial``."""
    while isinstance(func, partial):
        func = func.func
    owner = getattr(func, "__self__", None)
    name = getattr(func, "__qualname__", repr(func))
    return f"{getattr(owner, 'name', owner)}.{func.__name__}" if owner is not None else name


def _functions_of(module: ModuleType) -> Iterator[Any]:
    """The plain functions a module holds, its classes' methods included, decorators unwrapped."""
    for value in vars(module).values():
        members = vars(value).values() if isinstance(value, type) else [value]
        for member in members:
            if isinstance(member, staticmethod | classmethod):
                member = member.__func__
            if inspect.isfunction(member):
                yield inspect.unwrap(member)


# -- sockets, subprocesses, threads (audit hook) ---------------------------------------

_audit_hook_added = False

_AUDITED: dict[str, tuple[str, str]] = {
    "socket.connect": ("opened a network connection", "Network I/O"),
    "subprocess.Popen": ("started a subprocess", "A subprocess"),
    "os.system": ("ran a shell command", "A shell command"),
    "os.posix_spawn": ("started a process", "A process"),
    "os.exec": ("replaced the process", "exec()"),
    "_thread.start_new_thread": ("started a thread", "A thread"),
    "_thread.start_joinable_thread": ("started a thread", "A thread"),
}


def _add_audit_hook() -> None:
    """Add the audit hook once per process: hooks cannot be removed, it idles outside calls."""
    global _audit_hook_added
    if not _audit_hook_added:
        sys.addaudithook(_audit)
        _audit_hook_added = True


def _audit(event: str, args: tuple[object, ...]) -> None:
    """Record a socket, subprocess or thread that the receiver under way starts."""
    audited = _AUDITED.get(event)
    call = _current.get() if audited else None
    if call is None or _sanctioned(event):
        return
    what, subject = audited  # type: ignore[misc]
    call.faults.append(
        message(
            call.who,
            f"{what}: {_detail(event, args)}.",
            [],
            f"{subject} in a receiver makes every save wait on work outside the transaction, "
            f"work that still happens when the save rolls back: {TASK_ADVICE}",
        )
    )


def _detail(event: str, args: tuple[object, ...]) -> str:
    """What the audited event was about: an address, a command line, a thread."""
    if event in ("socket.connect", "subprocess.Popen"):
        return repr(args[1])[:200]
    thread = getattr(args[0], "__self__", None)  # Thread._bootstrap, bound to its thread
    return repr(thread if thread is not None else args[0])[:200]


def _sanctioned(event: str) -> bool:
    """Whether the code starting it is sanctioned for receivers, not the receiver's own I/O.

    asgiref starts threads to run ``sync_to_async`` code; a cache backend (dropping a key) and a
    logging handler (a log line, a metric) may connect to their servers.
    """
    directories = _BRIDGE_DIRS if event.startswith("_thread") else _SIDE_CHANNEL_DIRS
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename.startswith(directories):
            return True
        frame = frame.f_back
    return False


_BRIDGE_DIRS = (str(Path(inspect.getfile(async_to_sync)).parent) + os.sep,)
_SIDE_CHANNEL_DIRS = (
    str(Path(inspect.getfile(caches.__class__)).parent) + os.sep,
    str(Path(inspect.getfile(logging)).parent) + os.sep,
)


# -- tasks ----------------------------------------------------------------------------------------


def _patch_task_runners(patch: Callable[[type, str, Callable[[Any], Any]], None]) -> None:
    """Exclude tasks the test backend runs in-process; flag tasks a receiver runs inline."""
    from django.tasks.base import Task

    patch(Task, "enqueue", _not_charged)
    patch(Task, "aenqueue", _not_charged_async)
    patch(Task, "call", partial(_flagged_inline, how="task.call()"))
    patch(Task, "acall", partial(_flagged_inline, how="task.acall()"))
    try:
        # Imported by name: a project without Celery must type-check too.
        celery_task = import_module("celery.app.task").Task
    except ImportError:
        return
    patch(celery_task, "apply_async", _not_charged)
    patch(celery_task, "__call__", partial(_flagged_inline, how="task(...)"))
    patch(celery_task, "apply", partial(_flagged_inline, how="task.apply()"))


@contextmanager
def _excluded_from_call() -> Iterator[None]:
    """Measure nothing while the block runs, and take its time off the receiver's, if any."""
    call = _current.get()
    token, writes_token = _current.set(None), _override_writes.set(None)
    started = time.perf_counter()
    try:
        yield
    finally:
        _override_writes.reset(writes_token)
        _current.reset(token)
        if call is not None:
            call.excluded += time.perf_counter() - started


def _not_charged(original: Callable[..., object]) -> Callable[..., object]:
    """Enqueueing is the receiver's work; running the task in-process (tests) is not."""

    def enqueue(*args: Any, **kwargs: Any) -> object:
        with _excluded_from_call():
            return original(*args, **kwargs)

    return enqueue


def _not_charged_async(original: Callable[..., Any]) -> Callable[..., Any]:
    """:func:`_not_charged` for ``aenqueue``."""

    async def aenqueue(*args: Any, **kwargs: Any) -> object:
        with _excluded_from_call():
            return await original(*args, **kwargs)

    return aenqueue


def _flagged_inline(original: Callable[..., object], how: str) -> Callable[..., object]:
    """Running a task synchronously inside a receiver is the task's work done in the save."""

    def run(task: object, *args: Any, **kwargs: Any) -> object:
        call = _current.get()
        if call is not None:
            name = getattr(task, "module_path", None) or getattr(task, "name", repr(task))
            call.faults.append(
                message(
                    call.who,
                    f"ran the task {name} inline ({how}).",
                    [],
                    f"That does the task's work inside the save: enqueue it instead {ENQUEUE} "
                    "and let a worker run it.",
                )
            )
        return original(task, *args, **kwargs)

    return run
