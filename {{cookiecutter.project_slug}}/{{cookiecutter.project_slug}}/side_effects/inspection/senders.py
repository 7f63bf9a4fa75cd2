"""Which project modules send each of the project's own signals, read from their source.

A text search, no parsing: a signal is matched by the name it is sent through,
``order_placed.send(``, ``Events.shipped.send(``, ``HOOKS["paid"].send(``; a signal sent
through another name (a local variable, say) is not found.
"""

from __future__ import annotations

import ast
import functools
import re
import sys
from collections.abc import Iterable

from ..runtime.naming import read_source
from .loading import load_project_modules
from .scope import is_kit_module, is_project_module

# ``<name>.send(``, ``<name>[<key>].asend(``, ``.send_robust(``...: the name and the subscript.
_SEND = re.compile(r"\b(\w+)\s*(\[[^\]\n]*\])?\s*\.\s*a?send(?:_robust)?\s*\(")


def modules_sending(names: Iterable[str]) -> dict[str, list[str]]:
    """For each signal name, the project modules (imported or not) that send it."""
    wanted = {name: _sent_as(name) for name in names}
    sending: dict[str, list[str]] = {name: [] for name in wanted}
    files = dict(load_project_modules().sources)
    for module in list(sys.modules):
        # The kit's own source only quotes how signals are sent.
        if is_project_module(module) and module not in files and not is_kit_module(module):
            files[module] = getattr(sys.modules[module], "__file__", None) or ""
    for module, filename in sorted(files.items()):
        sent = _signals_sent(filename)
        for name, sent_as in wanted.items():
            if sent_as in sent:
                sending[name].append(module)
    return sending


@functools.cache
def _signals_sent(filename: str) -> frozenset[str]:
    """What a source file sends through (read once): ``order_placed``, ``HOOKS['paid']``."""
    source = read_source(filename) if filename.endswith(".py") else ""
    return frozenset(name + _key_text(subscript) for name, subscript in _SEND.findall(source))


def _key_text(subscript: str) -> str:
    """``['paid']`` of ``["paid"]``: a literal key as its repr, so that quotes do not matter."""
    if not subscript:
        return ""
    try:
        return f"[{ast.literal_eval(subscript[1:-1])!r}]"
    except (ValueError, SyntaxError):  # a variable or an expression: no signal's name matches
        return subscript


def _sent_as(name: str) -> str:
    """How a signal is sent: ``order_placed`` of ``app.events.order_placed``, ``shipped`` of
    ``app.events.Events.shipped``, ``HOOKS['paid']`` of ``app.events.HOOKS['paid']``."""
    held, subscript, key = name.partition("[")
    return held.rpartition(".")[2] + subscript + key
