"""The hand-off is a receiver's only door to background work, and it is charged.

Each enqueue counts against the receiver's query budget: its INSERT where the task backend is
the database (django-tasks-db, the outbox), one statement noted in its place where a test
backend writes nothing (django.tasks' ``ImmediateBackend``, which then runs the task in-process:
that run is not the receiver's work). Flagged while a receiver runs: running a task inline
(django.tasks ``task.call()``/``acall()``, Celery ``task()``/``task.apply()``) and reaching the
broker past the hand-off (Celery ``task.delay()``/``apply_async()``, ``app.send_task()``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from importlib import import_module
from typing import Any

from django.tasks.backends.immediate import ImmediateBackend
from django.tasks.base import Task

from .. import advice
from .calls import Call, current_call, unmeasured
from .rule import Guard, Patcher
from .violations import Violation


class InlineTasks(Guard):
    """Patches the task classes' ways of enqueueing, publishing and running a task."""

    def install(self, patcher: Patcher) -> None:
        """Patch django.tasks' ``Task`` and ``ImmediateBackend`` and, where installed, Celery."""
        patcher.patch(ImmediateBackend, "enqueue", _charged_then_run_in_process)
        patcher.patch(Task, "call", partial(_flagged, how="task.call()"))
        patcher.patch(Task, "acall", partial(_flagged, how="task.acall()"))
        try:
            # Imported by name: a project without Celery must type-check too.
            celery_task = import_module("celery.app.task").Task
            celery_app = import_module("celery.app.base").Celery
        except ImportError:
            return
        patcher.patch(celery_task, "apply_async", _past_the_hand_off)
        patcher.patch(celery_app, "send_task", _past_the_hand_off)
        patcher.patch(celery_task, "__call__", partial(_flagged, how="task(...)"))
        patcher.patch(celery_task, "apply", partial(_flagged, how="task.apply()"))


def _task_name(task: object) -> str:
    """A task's dotted path (django.tasks) or registered name (Celery)."""
    return getattr(task, "module_path", None) or getattr(task, "name", None) or repr(task)


def _charged_then_run_in_process(original: Callable[..., Any]) -> Callable[..., Any]:
    """``ImmediateBackend.enqueue``: charge the enqueue's INSERT, not the task's in-process run."""

    def enqueue(backend: ImmediateBackend, task: Task[Any, Any], *args: Any, **kwargs: Any) -> Any:
        call = current_call()
        if call is not None:
            call.queries.append(f"-- enqueue {_task_name(task)} (an INSERT with the database)")
        with unmeasured():
            return original(backend, task, *args, **kwargs)

    return enqueue


def _past_the_hand_off(original: Callable[..., Any]) -> Callable[..., Any]:
    """Celery's ``apply_async`` (``delay``) and ``send_task``, flagged inside a receiver."""

    def publish(owner: object, *args: Any, **kwargs: Any) -> Any:
        call = current_call()
        if call is None:
            return original(owner, *args, **kwargs)
        caller = sys._getframe(1).f_code.co_name
        how = "task.delay()" if caller == "delay" else f"{original.__name__}()"
        name = str(args[0]) if original.__name__ == "send_task" and args else _task_name(owner)
        _report(call, f"sent the task {name} to the broker directly ({how}).", advice.BROKER_CALL)
        with unmeasured():  # an eager run in tests is the task's work, reported once here
            return original(owner, *args, **kwargs)

    return publish


def _flagged(original: Callable[..., object], how: str) -> Callable[..., object]:
    """Running a task synchronously inside a receiver is the task's work done in the save."""

    def run(task: object, *args: Any, **kwargs: Any) -> object:
        call = current_call()
        if call is not None:
            trigger = advice.trigger_of(call.kwargs.get("signal"))
            fix = advice.INLINE_TASK.format(trigger=trigger)
            _report(call, f"ran the task {_task_name(task)} inline ({how}).", fix)
        return original(task, *args, **kwargs)

    return run


def _report(call: Call, what: str, fix: str) -> None:
    """Add a violation to the call under way."""
    call.violations.append(Violation(call.who, what, fix))
