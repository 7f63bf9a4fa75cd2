"""The signal map for a terminal: receivers grouped under their signal and sender."""

from __future__ import annotations

from itertools import groupby

from .contents import FanInRow, Row, SignalMap


def as_text(signal_map: SignalMap) -> str:
    """Receivers grouped under their signal and sender, then the project's own signals."""
    lines = [] if signal_map.rows else ["No receivers are connected."]
    for (signal, sender), group in groupby(signal_map.shown_rows, key=_by_signal_and_sender):
        rows = list(group)
        listed = ", listed by --format json" if isinstance(rows[0], FanInRow) else ""
        lines.append(f"{signal}  (sender: {sender}{listed})")
        for row in rows:
            lines.append(f"  {row.receiver}  [{_promises(row)}]")
            if row.summary:
                lines.append(f"      {row.summary}")
    if signal_map.custom_signals:
        lines.append("Signals the project defines (sent by):")
    for custom in signal_map.custom_signals:
        lines.append(f"  {custom.signal}  ({', '.join(custom.sent_by) or 'no module'})")
    if signal_map.baseline is not None:
        lines.append(str(signal_map.baseline))
    return "\n".join(lines) + "\n"


def _by_signal_and_sender(row: Row) -> tuple[str, str]:
    """How the text format groups rows."""
    return row.signal, row.sender


def _promises(row: Row) -> str:
    """How the receiver was connected, in a few words."""
    if not row.side_effect:
        return "not connected with @side_effect"
    promises = [f"max_queries={row.max_queries}", f"max_seconds={row.max_seconds:g}"]
    if row.writes:
        promises.append(f"writes {', '.join(row.writes)}")
    if row.on_commit:
        promises.insert(0, "on commit")
    return ", ".join(promises)
