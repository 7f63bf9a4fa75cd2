"""A receiver enqueues tasks and never runs one inline; a task run in-process is not its work.

Flagged: django.tasks ``task.call()``/``acall()`` and Celery ``task()``/``task.apply()`` while
a receiver runs. Not charged to the receiver: a task that the test backend runs in-process as it
is enqueued (django.tasks' ``ImmediateBackend``, Celery's eager mode).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from importlib import import_module
from typing import Any

from django.tasks.base import Task

from .. import advice
from .calls import current_call, unmeasured
from .rule import Guard, Patcher
from .violations import Violation


class InlineTasks(Guard):
    """Patches the task classes' ways of enqueueing and of running a task."""

    def install(self, patcher: Patcher) -> None:
        """Patch django.tasks' ``Task`` and, where installed, Celery's."""
        patcher.patch(Task, "enqueue", _not_charged)
        patcher.patch(Task, "aenqueue", _not_charged_async)
        patcher.patch(Task, "call", partial(_flagged, how="task.call()"))
        patcher.patch(Task, "acall", partial(_flagged, how="task.acall()"))
        try:
            # Imported by name: a project without Celery must type-check too.
            celery_task = import_module("celery.app.task").Task
        except ImportError:
            return
        patcher.patch(celery_task, "apply_async", _not_charged)
        patcher.patch(celery_task, "__call__", partial(_flagged, how="task(...)"))
        patcher.patch(celery_task, "apply", partial(_flagged, how="task.apply()"))


def _not_charged(original: Callable[..., object]) -> Callable[..., object]:
    """Enqueueing is the receiver's work; running the task in-process (tests) is not."""

    def enqueue(*args: Any, **kwargs: Any) -> object:
        with unmeasured():
            return original(*args, **kwargs)

    return enqueue


def _not_charged_async(original: Callable[..., Any]) -> Callable[..., Any]:
    """:func:`_not_charged` for ``aenqueue``."""

    async def aenqueue(*args: Any, **kwargs: Any) -> object:
        with unmeasured():
            return await original(*args, **kwargs)

    return aenqueue


def _flagged(original: Callable[..., object], how: str) -> Callable[..., object]:
    """Running a task synchronously inside a receiver is the task's work done in the save."""

    def run(task: object, *args: Any, **kwargs: Any) -> object:
        call = current_call()
        if call is not None:
            name = getattr(task, "module_path", None) or getattr(task, "name", repr(task))
            call.violations.append(
                Violation(call.who, f"ran the task {name} inline ({how}).", advice.INLINE_TASK)
            )
        return original(task, *args, **kwargs)

    return run
