"""How the checks' messages name what a receiver listens to."""

from __future__ import annotations

from ..connections import Connection


def listened_to(its_connections: list[Connection]) -> str:
    """What a receiver listens to: ``<signal> (sender: catalog.Product), ...``."""
    listed = dict.fromkeys(
        f"{each.signal_name} (sender: {each.sender_label})" for each in its_connections
    )
    return ", ".join(listed)


def signal_attribute(connection: Connection) -> str:
    """The signal's attribute name, as written in ``@side_effect(...)``."""
    return connection.signal_name.rpartition(".")[2]
