"""How one function's source is read: the raises, queries, heavy calls and project callees in it.

:func:`read` parses a function's body with :mod:`ast` (once per code object) into a
:class:`Reading`; :mod:`.receiver_source` says what the checks make of it (the rules for what
counts are in its docstring). ``None`` when the source cannot be found or parsed.
"""

from __future__ import annotations

import ast
import functools
import inspect
import itertools
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from types import FunctionType

from django.apps import apps
from django.db.models import ForeignObjectRel

from ..runtime.conf import relative_to_root
from ..runtime.naming import dotted_path
from .call_targets import function_of, is_project_function, is_task, resolve

# Attributes that make a call chain a query: the default manager, related managers.
_MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})
# What a relation's manager is called with (``group.permissions.count()``): one query each.
_MANAGER_METHODS = frozenset({
    "add", "aggregate", "all", "annotate", "clear", "count", "create", "delete", "distinct",
    "earliest", "exclude", "exists", "filter", "first", "get", "get_or_create", "in_bulk",
    "iterator", "last", "latest", "order_by", "prefetch_related", "remove", "select_related",
    "set", "update", "update_or_create", "values", "values_list",
})  # fmt: skip
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
        callee = resolve(self.func, chain)
        runs_task = chain[-1:] == ["call"] and is_task(resolve(self.func, chain[:-1]))
        if is_task(callee) or runs_task:
            self.reading.reasons.append(f"runs a task inline, {text}() at {where}")
            return
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
    """Whether a call chain reaches the database: through a model's manager or a relation's
    (``group.permissions.count()``, ``product.reviews.filter(...)``), or an instance's save."""
    through_manager = any(part in _MANAGERS or part.endswith("_set") for part in chain[1:])
    relations = _relation_manager_names()
    through_relation = any(
        part in relations and method in _MANAGER_METHODS
        for part, method in itertools.pairwise(chain[1:])
    )
    saves = len(chain) > 1 and chain[-1] in _INSTANCE_QUERIES
    return through_manager or through_relation or saves


@functools.cache
def _relation_manager_names() -> frozenset[str]:
    """The names under which the installed models reach a relation's manager: their
    many-to-many fields and the accessors of the relations pointing at them."""
    names: set[str] = set()
    for model in apps.get_models():
        for field_ in model._meta.get_fields():
            if not (field_.many_to_many or field_.one_to_many):
                continue
            if isinstance(field_, ForeignObjectRel):
                name = field_.get_accessor_name()
            else:
                name = field_.name
            if name:
                names.add(name)
    return frozenset(names)
