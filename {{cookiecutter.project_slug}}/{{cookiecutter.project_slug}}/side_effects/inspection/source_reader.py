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
from types import FunctionType, ModuleType

from django.tasks import Task

from ..runtime.conf import KIT_DIR, relative_to_root
from ..runtime.naming import dotted_path, unwrapped
from .scope import is_project_file, is_test_file

# Attributes that make a call chain a query: the default manager, related managers.
_MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})
# Instance methods that query on their own.
_INSTANCE_QUERIES = frozenset({"save", "refresh_from_db"})
# Calls that hand work to the broker, bypassing the service's transaction.
_PUBLISH = frozenset({"delay", "apply_async", "send_task"})
# Modules and functions whose calls wait on the network (or another process).
_NETWORK_MODULES = frozenset(
    {"requests", "httpx", "urllib", "urllib3", "aiohttp", "smtplib", "socket", "subprocess"}
)
_NETWORK_FUNCTIONS = frozenset({"send_mail", "send_mass_mail", "mail_admins", "urlopen"})


@dataclass(slots=True)
class Reading:
    """What one function's body does, as :class:`_Reader` found it."""

    raises: list[tuple[str, str]] = field(default_factory=list)
    queries: int = 0
    reasons: list[str] = field(default_factory=list)
    callees: list[tuple[FunctionType, str]] = field(default_factory=list)


def function_of(receiver: object) -> FunctionType | None:
    """The plain function behind a receiver (a method's, a partial's, a decorated one's, a
    callable object's ``__call__``)."""
    target = inspect.unwrap(unwrapped(receiver))  # type: ignore[arg-type]
    if not isinstance(target, FunctionType | type):
        target = inspect.getattr_static(type(target), "__call__", None)
    return target if isinstance(target, FunctionType) else None


_readings: dict[object, Reading | None] = {}


def read(func: FunctionType) -> Reading | None:
    """``func``'s body read once, ``None`` when its source cannot be found or parsed."""
    code = func.__code__
    if code not in _readings:
        _readings[code] = _parse(func)
    return _readings[code]


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
        if isinstance(node, ast.Raise) and node.exc and not self._except:
            exception = _exception_name(node.exc)
            if exception:
                self.reading.raises.append((exception, self._where(node)))
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
        chain = _chain(node.func)
        if not _is_query(chain):
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
        if chain and chain[-1] in _PUBLISH:
            self.reading.reasons.append(f"publishes a task to the broker, {text}() at {where}")
            return
        if chain and (chain[0] in _NETWORK_MODULES or chain[-1] in _NETWORK_FUNCTIONS):
            self.reading.reasons.append(f"network I/O, {text}() at {where}")
            return
        callee = _resolve(self.func, chain)
        runs_task = chain[-1:] == ["call"] and _is_task(_resolve(self.func, chain[:-1]))
        if _is_task(callee) or runs_task:
            self.reading.reasons.append(f"runs a task inline, {text}() at {where}")
            return
        function = function_of(callee) if callee is not None else None
        if function is None or not _is_project_function(function):
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


def _exception_name(exc: ast.expr) -> str | None:
    """The raised exception's name when the raise is deliberate (see the module docstring)."""
    target = exc.func if isinstance(exc, ast.Call) else exc
    chain = _chain(target)
    name = ".".join(chain) if chain else ast.unparse(target)
    if isinstance(exc, ast.Call) or (chain and chain[-1][:1].isupper()):
        return name
    return None


def _chain(node: ast.expr) -> list[str]:
    """``["Product", "objects", "filter", "count"]`` of ``Product.objects.filter(...).count``."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            return parts[::-1]
        else:
            return parts[::-1]


def _is_query(chain: list[str]) -> bool:
    """Whether a call chain reaches the database: through a manager, or an instance's save."""
    through_manager = any(part in _MANAGERS or part.endswith("_set") for part in chain[1:])
    return through_manager or (len(chain) > 1 and chain[-1] in _INSTANCE_QUERIES)


def _resolve(func: FunctionType, chain: list[str]) -> object | None:
    """What a call's name is, read through modules and classes from ``func``'s module.

    ``helper``, ``module.helper``, ``Class.method``, ``module.Class.method``, and
    ``self.method`` / ``cls.method`` in a method (the class that defines ``func``).
    """
    if not chain:
        return None
    head, *rest = chain
    value = _defining_class(func) if head in ("self", "cls") else func.__globals__.get(head)
    for name in rest:
        value = _member(value, name)
    return value


def _member(value: object, name: str) -> object | None:
    """``value.name`` when ``value`` is a module or a class, read without running any code."""
    member: object | None = None
    if isinstance(value, ModuleType):
        member = vars(value).get(name)
    elif isinstance(value, type):
        member = inspect.getattr_static(value, name, None)
    return member


def _defining_class(func: FunctionType) -> type | None:
    """The module-level class (or class nested in one) whose body defines ``func``."""
    *owners, _name = func.__qualname__.split(".")
    if not owners or "<locals>" in owners:
        return None
    value: object = func.__globals__.get(owners[0])
    for owner in owners[1:]:
        value = _member(value, owner)
    return value if isinstance(value, type) else None


def _is_task(value: object) -> bool:
    """Whether ``value`` is a background task (Django's ``@task``, or Celery's)."""
    return isinstance(value, Task) or callable(getattr(value, "apply_async", None))


def _is_project_function(function: FunctionType) -> bool:
    """A function of the project, other than the kit's own machinery (its tests stand in for a
    project's code)."""
    filename = function.__code__.co_filename
    kit = filename.startswith(f"{KIT_DIR}/") and not is_test_file(filename)
    return is_project_file(filename) and not kit
