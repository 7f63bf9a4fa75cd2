"""Nothing a receiver starts outlives its call: no executor, pool, event-loop or timer work.

Work handed elsewhere escapes every budget and guard (its queries run on another thread, after
the call) and nothing waits for it, retries it, or undoes it on a rollback. Seen by patching
the ways to hand it off, whenever the pool or loop was made: ``concurrent.futures`` executors'
``submit`` (and so ``map``), ``multiprocessing`` pools, and the event loop's ``call_soon``,
``call_later``, ``call_at``, ``call_soon_threadsafe`` and ``run_in_executor``; a task the
receiver creates (``asyncio.create_task``, ``ensure_future``) that is still pending when it
returns. asgiref's bridges (``sync_to_async``, ``async_to_sync``), which await what they hand
off, and asyncio's own bookkeeping are not the receiver's doing.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing.pool
import sys
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from asgiref.sync import async_to_sync

from .. import advice
from .calls import Call, current_call
from .frames import first_of
from .outside_work import directory_of
from .rule import Guard, Patcher
from .violations import Violation

# Code that hands work off only to wait for it: asgiref's bridges, asyncio's own machinery.
_AWAITING = (directory_of(async_to_sync), directory_of(asyncio.base_events))

_EXECUTORS = (concurrent.futures.ThreadPoolExecutor, concurrent.futures.ProcessPoolExecutor)
_POOL_METHODS = ("apply_async", "_map_async", "imap", "imap_unordered")
_LOOP_METHODS = ("call_soon", "call_later", "call_at", "call_soon_threadsafe", "run_in_executor")


class EscapingWork(Guard):
    """Patches every way to hand work to an executor, a pool or an event loop."""

    def install(self, patcher: Patcher) -> None:
        """Patch the executors, the multiprocessing pools and asyncio's base event loop."""
        for executor in _EXECUTORS:
            patcher.patch(executor, "submit", partial(_handing_off, what="an executor"))
        for name in _POOL_METHODS:
            patcher.patch(
                multiprocessing.pool.Pool, name, partial(_handing_off, what="a process pool")
            )
        loop = asyncio.base_events.BaseEventLoop
        for name in _LOOP_METHODS:
            patcher.patch(loop, name, partial(_handing_off, what="the event loop"))
        patcher.patch(loop, "create_task", _noting_tasks)

    def after_call(self, call: Call) -> Iterator[Violation]:
        """A task the receiver created that was still pending when it returned."""
        for task in [task for task in call.tasks if not task.done()]:
            coroutine = getattr(task.get_coro(), "__qualname__", "a coroutine")
            what = f"scheduled {coroutine} on the event loop, still pending when it returned."
            yield _violation(call, what, "the event loop")


def _violation(call: Call, what: str, where: str) -> Violation:
    """A violation of this rule, with its advice."""
    return Violation(call.who, what, advice.ESCAPING_WORK.format(what=where))


def _handing_off(original: Callable[..., Any], what: str) -> Callable[..., Any]:
    """A hand-off method that reports a receiver calling it (asgiref and asyncio aside)."""

    def hand_off(owner: object, *args: Any, **kwargs: Any) -> Any:
        call = current_call()
        if call is not None and not first_of(sys._getframe(1), _AWAITING):
            work = next((each for each in args if callable(each)), None)
            target = getattr(work, "__qualname__", None) or repr(work)
            how = original.__name__.lstrip("_")
            call.violations.append(_violation(call, f"handed {target} to {what} ({how}).", what))
        return original(owner, *args, **kwargs)

    return hand_off


def _noting_tasks(original: Callable[..., Any]) -> Callable[..., Any]:
    """``loop.create_task`` that notes the tasks a receiver creates, to see if they outlive it."""

    def create_task(loop: asyncio.AbstractEventLoop, *args: Any, **kwargs: Any) -> Any:
        task = original(loop, *args, **kwargs)
        call = current_call()
        if call is not None:
            call.tasks.append(task)
        return task

    return create_task
