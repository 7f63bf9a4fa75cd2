"""Calls of chosen functions, seen with ``sys.monitoring`` events local to their code.

One tool id serves every guard that watches functions (services, receivers): each code object
watched reports its starts to the handler it was watched with. The events cost nothing in code
that is not watched.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from types import CodeType, FrameType

from .rule import Patcher

# Called with the code that started and the frame that called it.
StartHandler = Callable[[CodeType, FrameType], None]
_TOOL_IDS = (3, 4)  # ids sys.monitoring leaves free for tools other than debuggers and coverage


class CodeWatcher:
    """Routes the start of each watched code object to its handler."""

    def __init__(self) -> None:
        self._handlers: dict[CodeType, StartHandler] = {}
        self._tool: int | None = None

    @property
    def available(self) -> bool:
        """Whether a tool id could be claimed (another tool may hold them all)."""
        return self._tool is not None

    def install(self, patcher: Patcher) -> None:
        """Claim a free tool id until the patches are undone."""
        monitoring = sys.monitoring
        free = [tool for tool in _TOOL_IDS if monitoring.get_tool(tool) is None]
        if not free:
            warnings.warn(
                f"sys.monitoring tool ids {_TOOL_IDS} are taken by other tools: receivers calling "
                "services, and receivers called directly, are not checked in this run.",
                stacklevel=2,
            )
            return
        self._tool = free[0]
        monitoring.use_tool_id(self._tool, "side_effects guards")
        monitoring.register_callback(self._tool, monitoring.events.PY_START, self._on_start)
        patcher.on_undo(self._release)

    def watch(self, code: CodeType, handler: StartHandler) -> None:
        """Call ``handler`` whenever ``code`` starts (once a tool id is claimed)."""
        if self._tool is None or code in self._handlers:
            return
        self._handlers[code] = handler
        sys.monitoring.set_local_events(self._tool, code, sys.monitoring.events.PY_START)

    def _on_start(self, code: CodeType, offset: int) -> None:
        """A watched function starts: tell its handler who called it."""
        caller = sys._getframe(1).f_back  # frame 1 is the watched function's own
        handler = self._handlers.get(code)
        if caller is not None and handler is not None:
            handler(code, caller)

    def _release(self) -> None:
        """Stop every local event and free the tool id."""
        tool = self._tool
        if tool is None:
            return
        for code in self._handlers:
            sys.monitoring.set_local_events(tool, code, 0)
        self._handlers.clear()
        sys.monitoring.free_tool_id(tool)
        self._tool = None
