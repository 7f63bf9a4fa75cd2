"""A :class:`Trace`: what the receivers of one request, command or task did, as plain data.

Each receiver call is a :class:`Node` under the receiver whose work sent its signal (or at the
top): its signal and sender, whether it ran now or waited for the commit (and, when the trace
ends, whether that commit never came), its time, its queries, the tasks it queued, its failure.
:mod:`.recorder` builds them live.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from django.db import transaction

RAN = "ran"
FAILED = "failed"
WAITING = "waiting for commit"
ROLLED_BACK = "did not run: rolled back"


@dataclass
class Node:
    """One receiver call, and the calls its work set off."""

    receiver: str
    signal: str
    sender: str
    on_commit: bool
    state: str = RAN
    seconds: float = 0.0
    queries: int = 0
    tasks: int = 0
    error: str = ""
    children: list[Node] = field(default_factory=list)
    # The database whose commit a deferred body waits for.
    using: str | None = field(default=None, repr=False)

    def walk(self) -> Iterator[Node]:
        """This node and every node below it."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Trace:
    """The receivers one request, command or task fired, as a forest of :class:`Node`."""

    label: str
    nodes: list[Node] = field(default_factory=list)

    def all_nodes(self) -> list[Node]:
        """Every node, depth first."""
        return [each for node in self.nodes for each in node.walk()]

    @property
    def seconds(self) -> float:
        """Time spent in receivers (a nested call's time is part of its parent's)."""
        return sum(node.seconds for node in self.nodes)

    def finish(self) -> None:
        """Mark deferred bodies whose transaction is over without running: rolled back."""
        for node in self.all_nodes():
            if node.state == WAITING and not transaction.get_connection(node.using).in_atomic_block:
                node.state = ROLLED_BACK

    def as_dict(self) -> dict[str, object]:
        """The trace as plain data (the debug toolbar stores panels' data as JSON)."""
        return {"label": self.label, "nodes": [_node_dict(node) for node in self.nodes]}


def _node_dict(node: Node) -> dict[str, object]:
    data = asdict(node)
    data.pop("using")
    data["children"] = [_node_dict(child) for child in node.children]
    data["milliseconds"] = round(node.seconds * 1000, 1)
    data["signal_name"] = short_signal(node.signal)
    return data


def short_signal(name: str) -> str:
    """Django's own signals by their attribute name (``post_save``), others in full."""
    return name.rpartition(".")[2] if name.startswith("django.") else name
