"""How the kit names what it reports: callables by dotted path, counts with their plural."""

from __future__ import annotations

import functools
import inspect
import re
import sys
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, MethodType, ModuleType

from django.db.models import Model


def dotted_path(obj: object) -> str:
    """``module.qualname`` of a function, a bound method, a partial or a callable object's class."""
    target = unwrapped(obj)
    qualname = getattr(target, "__qualname__", None) or type(target).__qualname__
    return f"{module_of(target)}.{qualname}"


def module_of(obj: object) -> str:
    """The module that defines a function, a bound method, a partial or a callable object."""
    target = unwrapped(obj)
    return getattr(target, "__module__", None) or type(target).__module__


def distinct_name(func: object) -> str:
    """:func:`dotted_path`, told apart from others of the same name where it can be.

    A lambda or closure gets its first line; a bound method or a callable object gets its
    object's repr when that is short and stable (no memory address).
    """
    path = dotted_path(func)
    code = getattr(unwrapped(func), "__code__", None)
    if code is not None and "<" in path:  # <lambda>, <locals>: not unique by name
        path = f"{path}:{code.co_firstlineno}"
    instance = _instance_of(func)
    if instance is not None and " at 0x" not in (text := repr(instance)) and len(text) <= 80:
        path = f"{path} of {text}"
    return path


def unwrapped(obj: object) -> object:
    """The function behind a bound method or a ``functools.partial``, else ``obj`` itself."""
    while isinstance(obj, functools.partial):
        obj = obj.func
    return getattr(obj, "__func__", obj)


def _instance_of(func: object) -> object | None:
    """The object a bound method or a callable instance belongs to; ``None`` for a function."""
    while isinstance(func, functools.partial):
        func = func.func
    owner = getattr(func, "__self__", None)
    if owner is not None:
        return None if isinstance(owner, type | ModuleType) else owner
    return None if isinstance(func, FunctionType | type) else func


def summary_of(obj: object) -> str:
    """The first paragraph of ``obj``'s docstring on one line, or ``""``."""
    doc = inspect.getdoc(obj) or ""
    return " ".join(doc.split("\n\n")[0].split())


def count(number: int, noun: str) -> str:
    """``1 query``, ``2 queries``, ``3 calls``: the number and the noun, plural when it is not 1."""
    if number == 1:
        return f"{number} {noun}"
    return f"{number} {noun[:-1]}ies" if noun.endswith("y") else f"{number} {noun}s"


# Senders named by their dotted path: classes and functions.
_NAMED_BY_PATH = (type, FunctionType, MethodType, BuiltinFunctionType, functools.partial)


def sender_label(sender: object) -> str:
    """The sender as written: ``app_label.Model``, a dotted path, ``'a string'``, ``42``.

    A class or a function (``reversion.revisions.create_revision``, signals sent with
    ``sender=create_revision``) is named by its dotted path; another object with an address in
    its repr, by its class's.
    """
    if sender is None:
        return "any"
    if isinstance(sender, type) and issubclass(sender, Model):
        return sender._meta.label
    if isinstance(sender, _NAMED_BY_PATH):
        return dotted_path(sender)
    text = repr(sender)
    return dotted_path(type(sender)) if " at 0x" in text else text


def defining_place(places: list[tuple[str, str]]) -> tuple[str, str]:
    """Of the ``(module, attribute)`` places holding one object, where it is defined.

    A module that only imported it is passed over: the first whose source assigns the name at
    its top level wins, trying modules called ``signals``/``events`` first, then shorter names.
    """
    ranked = sorted(places, key=lambda place: _rank(place[0]))
    return next((place for place in ranked if _assigns(*place)), places[0])


def _rank(module: str) -> tuple[bool, int, str]:
    return module.rpartition(".")[2] not in {"signals", "events"}, len(module), module


def _assigns(module: str, name: str) -> bool:
    """Whether ``module``'s source assigns ``name`` at its top level (read, never parsed)."""
    filename = getattr(sys.modules.get(module), "__file__", None) or ""
    source = read_source(filename) if filename.endswith(".py") else ""
    return re.search(rf"^{re.escape(name)}\s*(?::[^=\n]*)?=", source, re.M) is not None


def read_source(filename: str) -> str:
    """A source file's text, ``""`` if it cannot be read."""
    try:
        return Path(filename).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
