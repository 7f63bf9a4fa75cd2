"""A :class:`~.trace.Trace` as the readable tree the development log shows, and the log."""

from __future__ import annotations

import logging

from ..runtime.conf import KIT_PACKAGE, setting
from ..runtime.naming import count
from .trace import ROLLED_BACK, WAITING, Node, Trace, short_signal

# The logger the traces are written to (INFO), named in the README.
logger = logging.getLogger(f"{KIT_PACKAGE}.trace")


def log(trace: Trace) -> None:
    """Log the trace if a receiver fired and took at least ``SIDE_EFFECTS_TRACE_MIN_MS``."""
    if trace.nodes and trace.seconds * 1000 >= setting("SIDE_EFFECTS_TRACE_MIN_MS"):
        logger.info("%s", render(trace))


def render(trace: Trace) -> str:
    """The trace's title line, then one line per receiver call, nested calls indented below."""
    nodes = trace.all_nodes()
    title = (
        f"Side effects of {trace.label}: {count(len(nodes), 'receiver call')}, "
        f"{_milliseconds(trace.seconds)}"
    )
    return "\n".join([title, *_lines(trace.nodes, prefix="")])


def _lines(nodes: list[Node], prefix: str) -> list[str]:
    lines = []
    for number, node in enumerate(nodes, 1):
        last = number == len(nodes)
        lines.append(f"{prefix}{'└─' if last else '├─'} {describe(node)}")
        lines += _lines(node.children, prefix + ("   " if last else "│  "))
    return lines


def describe(node: Node) -> str:
    """``signal from sender -> receiver: when and outcome, time, queries, tasks, failure``."""
    head = f"{short_signal(node.signal)} from {node.sender} -> {node.receiver}"
    if node.state in {WAITING, ROLLED_BACK}:
        return f"{head}: on commit, {node.state}"
    facts = [
        f"{node.state} {'on commit' if node.on_commit else 'now'}",
        _milliseconds(node.seconds),
        count(node.queries, "query"),
    ]
    if node.tasks:
        facts.append(f"{count(node.tasks, 'task')} queued")
    if node.error:
        facts.append(node.error)
    return f"{head}: {', '.join(facts)}"


def _milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"
