"""How one function's source is read: the raises, queries, heavy calls and project callees in it.

:func:`read` parses a function's body with :mod:`ast` (once per code object) into a
:class:`Reading`; :mod:`.receiver_source` says what the checks make of it (the rules for what
counts are in its docstring). ``None`` when the source cannot be found or parsed.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from types import FunctionType

from ..runtime.conf import relative_to_root
from ..runtime.naming import dotted_path
from . import spelling
from .call_targets import chosen_at_run_time, function_of, is_project_function, is_task, resolve


@dataclass(slots=True)
class Reading:
    """What one function's body does, as :class:`_Reader` found it."""

    raises: list[tuple[str, str]] = field(default_factory=list)
    queries: int = 0
    reasons: list[str] = field(default_factory=list)
    callees: list[tuple[FunctionType, str]] = field(default_factory=list)
    # Calls into the project's code whose target only running it decides: ``"x.y() at f:12"``.
    unseen: list[str] = field(default_factory=list)


_readings: dict[object, Reading | None] = {}


def read(func: FunctionType) -> Reading | None:
    """``func``'s body read once, ``None`` when its source cannot be found or parsed.

    Once per code object; a closure's names may differ from one function of that code to the
    next (a decorator's wrapper, for each function it wraps), so a closure is read once itself.
    """
    key: object = func if func.__closure__ else func.__code__
    if key not in _readings:
        _readings[key] = _parse(func)
    return _readings[key]


def _parse(func: FunctionType) -> Reading | None:
    """Parse ``func``'s source and read its body."""
    try:
        source = textwrap.dedent(inspect.getsource(func))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return None
    node = tree.body[0] if tree.body else None
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    reader = _Reader(func)
    for statement in node.body:
        reader.visit(statement)
    return reader.reading


# Nodes whose body runs later, if ever, and nodes that repeat theirs.
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_LOOPS = (
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


class _Reader:
    """Walks one function body (:mod:`.receiver_source` says what counts)."""

    def __init__(self, func: FunctionType) -> None:
        self.func = func
        self.reading = Reading()
        self._except = 0
        self._loops = 0
        self._read: set[int] = set()  # ids of the nodes read (the tree outlives the walk)
        filename = func.__code__.co_filename
        self._file = str(relative_to_root(Path(filename)) or filename)
        self._offset = func.__code__.co_firstlineno - 1

    def _where(self, node: ast.AST) -> str:
        return f"{self._file}:{getattr(node, 'lineno', 0) + self._offset}"

    def visit(self, node: ast.AST) -> None:
        """Read ``node`` and what it contains (each node once), nested definitions aside."""
        if isinstance(node, _NESTED) or id(node) in self._read:
            return
        self._read.add(id(node))
        refusal = None if self._except else spelling.refusal(node, self.func)
        if refusal:
            self.reading.raises.append((refusal, self._where(node)))
        if isinstance(node, ast.Call) and self._read_call(node):
            return
        once = _evaluated_once(node)
        if once is not None:  # a loop's iterable is evaluated before it repeats
            self.visit(once)
        handler, loop = isinstance(node, ast.ExceptHandler), isinstance(node, _LOOPS)
        self._except += handler
        self._loops += loop
        for child in ast.iter_child_nodes(node):
            self.visit(child)
        self._except -= handler
        self._loops -= loop

    def _read_call(self, node: ast.Call) -> bool:
        """Judge a call; ``True`` when it was a query, whose arguments alone were read."""
        chain = spelling.chain(node.func)
        if not spelling.is_query(chain):
            self._judge_call(node, chain)
            return False
        self.reading.queries += 1
        if self._loops:
            self.reading.reasons.append(f"a query in a loop at {self._where(node)}")
        # One chain, one query: read only the arguments of the calls along it.
        link: ast.expr = node
        while isinstance(link, ast.Call | ast.Attribute):
            if isinstance(link, ast.Call):
                for argument in [*link.args, *link.keywords]:
                    self.visit(argument)
                link = link.func
            else:
                link = link.value
        return True

    def _judge_call(self, node: ast.Call, chain: list[str]) -> None:
        """A call that is not a query: publish, network, a task, a project function."""
        where = self._where(node)
        text = ".".join(chain)
        if spelling.publishes(chain):
            self.reading.reasons.append(f"publishes a task to the broker, {text}() at {where}")
            return
        if spelling.waits_on_network(chain):
            self.reading.reasons.append(f"network I/O, {text}() at {where}")
            return
        callee = resolve(self.func, chain)
        runs_task = chain[-1:] == ["call"] and is_task(resolve(self.func, chain[:-1]))
        if is_task(callee) or runs_task:
            self.reading.reasons.append(f"runs a task inline, {text}() at {where}")
            return
        if callee is None and chosen_at_run_time(self.func, chain):
            self.reading.unseen.append(f"{ast.unparse(node.func)}() at {where}")
        function = function_of(callee) if callee is not None else None
        if function is None or not is_project_function(function):
            return
        path = dotted_path(function)
        if "services" in function.__module__.split("."):
            self.reading.reasons.append(f"calls the service {path} at {where}")
        elif self._loops:
            self.reading.reasons.append(f"calls {path} in a loop at {where}")
        self.reading.callees.append((function, path))


def _evaluated_once(node: ast.AST) -> ast.AST | None:
    """The part of a loop evaluated once: a ``for``'s iterable, a comprehension's first one."""
    if isinstance(node, ast.For | ast.AsyncFor):
        return node.iter
    if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
        return node.generators[0].iter
    return None
