"""``--side-effects-trace``: the receivers each test fired, as the development trace's tree.

What both runners share (:mod:`.pytest_trace` for pytest, GuardedTestRunner for ``manage.py
test``): the option, one observer per process, and :class:`TracedTest`, which records one test.
Each runner prints the traces together at the end of the run, in the order the tests finished
(an xdist or ``--parallel`` worker records its tests and sends each trace back with them).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack

from ..runtime.observers import observe
from ..tracing.recorder import TraceRecorder, recording
from ..tracing.render import render

TRACE_OPTION = "--side-effects-trace"
TRACE_HELP = "print the receivers each test fired, as a tree (the development trace)"
TRACE_HEADING = "Side effects of each test"
NOTHING_RAN = "No @side_effect receiver ran."

# Removes this process's trace observer; ``None`` while there is none (a spawned worker starts
# without one, a forked worker keeps the runner's).
_remove_observer: Callable[[], None] | None = None


def observe_for_traces() -> None:
    """Have receiver calls added to the trace being recorded (one observer per process)."""
    global _remove_observer
    if _remove_observer is None:
        _remove_observer = observe(TraceRecorder())


def stop_observing() -> None:
    """Remove the observer :func:`observe_for_traces` added, if any."""
    global _remove_observer
    if _remove_observer is not None:
        _remove_observer()
        _remove_observer = None


class TracedTest:
    """The receivers one test fired, recorded from :meth:`__init__` to :meth:`finish`."""

    def __init__(self, label: str) -> None:
        self._stack = ExitStack()
        self._trace = self._stack.enter_context(recording(label, fresh=True))

    def finish(self) -> str:
        """Stop recording; the trace as text, ``""`` when no receiver ran."""
        self._stack.close()
        return render(self._trace) if self._trace.nodes else ""
