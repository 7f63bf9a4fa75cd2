"""How the source reader recognises what a call or a statement is, from how it is spelt.

A call's dotted name (:func:`chain`) says whether it queries (:func:`is_query`), publishes to
the broker (:func:`publishes`) or waits on the network (:func:`waits_on_network`);
:func:`refusal` says whether a statement or call refuses on purpose. The rules are stated in
:mod:`.receiver_source`'s docstring.
"""

from __future__ import annotations

import ast
import functools
import itertools
from types import FunctionType

from django.apps import apps
from django.db.models import ForeignObjectRel

from .call_targets import resolve

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
# A model instance's validation, which raises ValidationError; and where Django's validators are.
_MODEL_VALIDATION = frozenset(
    {"full_clean", "clean_fields", "validate_unique", "validate_constraints"}
)
_VALIDATORS = "django.core.validators"
# Calls that hand work to the broker, bypassing the service's transaction.
_PUBLISH = frozenset({"delay", "apply_async", "send_task"})
# Modules and functions whose calls wait on the network (or another process).
_NETWORK_MODULES = frozenset(
    {"requests", "httpx", "urllib", "urllib3", "aiohttp", "smtplib", "socket", "subprocess"}
)
_NETWORK_FUNCTIONS = frozenset({"send_mail", "send_mass_mail", "mail_admins", "urlopen"})


def refusal(node: ast.AST, func: FunctionType) -> str | None:
    """What ``node`` refuses with, when it refuses on purpose: a raise, an assert, a
    model's validation or one of Django's validators (``"ValidationError via ..."``)."""
    if isinstance(node, ast.Raise):
        return _exception_name(node.exc) if node.exc else None
    if isinstance(node, ast.Assert) and not _narrows_a_type(node.test):
        return "AssertionError via an assert"
    if not isinstance(node, ast.Call):
        return None
    called = chain(node.func)
    validates = len(called) > 1 and called[-1] in _MODEL_VALIDATION
    validator = getattr(resolve(func, called), "__module__", None) == _VALIDATORS
    return f"ValidationError via {'.'.join(called)}()" if validates or validator else None


def _narrows_a_type(test: ast.expr) -> bool:
    """Whether an assert only tells the type checker what it holds (``isinstance(x, T)``,
    ``x is not None``): a bug's tripwire, not a rule."""
    if isinstance(test, ast.Call):
        return isinstance(test.func, ast.Name) and test.func.id == "isinstance"
    return (
        isinstance(test, ast.Compare)
        and [type(op) for op in test.ops] == [ast.IsNot]
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    )


def _exception_name(exc: ast.expr) -> str | None:
    """The raised exception's name when the raise is deliberate (see :mod:`.receiver_source`)."""
    target = exc.func if isinstance(exc, ast.Call) else exc
    called = chain(target)
    name = ".".join(called) if called else ast.unparse(target)
    if isinstance(exc, ast.Call) or (called and called[-1][:1].isupper()):
        return name
    return None


def chain(node: ast.expr) -> list[str]:
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


def is_query(chain: list[str]) -> bool:
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


def publishes(called: list[str]) -> bool:
    """Whether a call chain hands work to the broker, bypassing the service's transaction."""
    return bool(called) and called[-1] in _PUBLISH


def waits_on_network(called: list[str]) -> bool:
    """Whether a call chain waits on the network (or another process)."""
    return bool(called) and (called[0] in _NETWORK_MODULES or called[-1] in _NETWORK_FUNCTIONS)
