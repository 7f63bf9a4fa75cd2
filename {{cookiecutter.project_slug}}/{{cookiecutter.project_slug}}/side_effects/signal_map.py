"""The signal map: every signal the project listens to and what each receiver does.

Rendered as text (for a terminal), Markdown (a table, the project's own signals, and one Mermaid
flowchart of *action -> signal -> receivers* per app, committed as ``docs/signals.md``) or
JSON. One chart per app (cut between signals past 150 receivers) keeps each chart readable and
under the size renderers accept (GitHub's Mermaid stops near 500 edges), however many apps and
receivers the project has. The output is
deterministic (sorted, no addresses, no timestamps) so that its freshness is a text comparison.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from itertools import groupby

from django.apps import apps

from .inventory import (
    Connection,
    app_of,
    connections,
    find_signals,
    modules_sending,
    project_signals,
)

REGENERATE = "python manage.py signalmap --format markdown > docs/signals.md"

# What a developer does that makes Django send a signal, by the signal's dotted name.
_ACTIONS = {
    "django.db.models.signals.pre_init": "{sender}()",
    "django.db.models.signals.post_init": "{sender}()",
    "django.db.models.signals.pre_save": "{sender}.save()",
    "django.db.models.signals.post_save": "{sender}.save()",
    "django.db.models.signals.pre_delete": "{sender}.delete()",
    "django.db.models.signals.post_delete": "{sender}.delete()",
    "django.db.models.signals.m2m_changed": "{sender} add / remove / clear",
    "django.db.models.signals.pre_migrate": "migrate",
    "django.db.models.signals.post_migrate": "migrate",
    "django.core.signals.request_started": "an HTTP request starts",
    "django.core.signals.request_finished": "an HTTP request ends",
    "django.core.signals.got_request_exception": "a view raises",
}

# Each row draws at most two edges: a chart of 150 rows stays well under the ~500 edges that
# GitHub renders. (A single signal with more receivers gets one larger chart.)
_ROWS_PER_CHART = 150
# Mermaid node shapes: actions and receivers are boxes, signals are stadiums.
_SHAPES = {"A": '["{}"]', "S": '(["{}"])', "R": '["{}"]'}
# Characters Mermaid would read as markup inside a label, as its entity codes.
_MERMAID_ESCAPES = str.maketrans({'"': "#quot;", "<": "#lt;", ">": "#gt;"})
# Characters Markdown would read as a cell border or as HTML, outside code spans.
_MARKDOWN_ESCAPES = str.maketrans({"|": "\\|", "<": "&lt;", ">": "&gt;"})


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the map: a receiver connected to a signal for a sender."""

    signal: str
    sender: str
    receiver: str
    summary: str
    side_effect: bool
    on_commit: bool | None
    max_queries: int | None
    app: str

    @property
    def signal_name(self) -> str:
        """The signal's attribute name (``post_save``)."""
        return self.signal.rpartition(".")[2]


@dataclass(frozen=True, slots=True)
class CustomSignal:
    """A signal the project defines (an app's ``events.py``), who sends it, who receives it."""

    signal: str
    sent_by: list[str]
    receivers: int


@dataclass(frozen=True, slots=True)
class SignalMap:
    """Everything the map shows."""

    rows: list[Row]
    custom_signals: list[CustomSignal]


def build(*, project_only: bool = True) -> SignalMap:
    """The map: the project's receivers (or every receiver) and the project's own signals."""
    signals = find_signals()
    found = connections(project_only=project_only, signals=signals)
    listened = Counter(each.signal_name for each in found)
    receivers_of = {name: listened[name] for name in project_signals(signals)}
    sending = modules_sending(receivers_of)
    custom = [CustomSignal(name, sending[name], count) for name, count in receivers_of.items()]
    return SignalMap([_row(connection) for connection in found], custom)


def _row(connection: Connection) -> Row:
    """A row for one connection; ``on_commit`` and budget are ``None`` without ``@side_effect``."""
    registration = connection.registration
    app = app_of(connection.module)
    return Row(
        signal=connection.signal_name,
        sender=connection.sender_label,
        receiver=connection.path,
        summary=connection.summary,
        side_effect=registration is not None,
        on_commit=registration.on_commit if registration else None,
        max_queries=registration.max_queries if registration else None,
        app=app.label if app else connection.module.partition(".")[0],
    )


def render(signal_map: SignalMap, output_format: str) -> str:
    """The map in ``text``, ``markdown`` or ``json``, ending with a newline."""
    return RENDERERS[output_format](signal_map)


def as_text(signal_map: SignalMap) -> str:
    """Receivers grouped under their signal and sender, then the project's own signals."""
    lines = [] if signal_map.rows else ["No receivers are connected."]
    for (signal, sender), group in groupby(signal_map.rows, key=_by_signal_and_sender):
        lines.append(f"{signal}  (sender: {sender})")
        for row in group:
            lines.append(f"  {row.receiver}  [{_promises(row)}]")
            if row.summary:
                lines.append(f"      {row.summary}")
    if signal_map.custom_signals:
        lines.append("Signals the project defines (sent by):")
    for custom in signal_map.custom_signals:
        lines.append(f"  {custom.signal}  ({', '.join(custom.sent_by) or 'no module'})")
    return "\n".join(lines) + "\n"


def _by_signal_and_sender(row: Row) -> tuple[str, str]:
    """How the text format groups rows."""
    return row.signal, row.sender


def _promises(row: Row) -> str:
    """How the receiver was connected, in a few words."""
    if not row.side_effect:
        return "not connected with @side_effect"
    budget = f"max_queries={row.max_queries}"
    return f"on commit, {budget}" if row.on_commit else budget


def as_markdown(signal_map: SignalMap) -> str:
    """A heading, how to regenerate, a table, the project's signals and the flowcharts."""
    lines = [
        "# Signal map",
        "",
        "<!-- Generated by `python manage.py signalmap --format markdown`; do not edit. -->",
        "",
        "What runs when a signal is sent: each receiver, the sender it listens to, what it does",
        "(from its docstring), whether it waits for the transaction to commit, and how many",
        "database queries it may run. The gate (`pytest`) fails when this file is out of date;",
        "after changing a receiver, regenerate it:",
        "",
        "```bash",
        REGENERATE,
        "```",
        "",
    ]
    if not signal_map.rows and not signal_map.custom_signals:
        return "\n".join([*lines, "No receivers are connected yet.", ""])
    if signal_map.rows:
        lines += [*_table(signal_map.rows), ""]
    if signal_map.custom_signals:
        lines += [*_custom_signals_table(signal_map.custom_signals), ""]
    for app, app_rows in groupby(sorted(signal_map.rows, key=_by_app), key=lambda row: row.app):
        lines += [f"## {app}", ""]
        for chart_rows in _charts(list(app_rows)):
            lines += [*_flowchart(chart_rows), ""]
    return "\n".join(lines)


def _charts(app_rows: list[Row]) -> list[list[Row]]:
    """An app's rows cut, between signals, into charts of about ``_ROWS_PER_CHART`` rows."""
    charts: list[list[Row]] = [[]]
    for _, signal_rows in groupby(app_rows, key=lambda row: row.signal):
        rows_of_signal = list(signal_rows)
        if charts[-1] and len(charts[-1]) + len(rows_of_signal) > _ROWS_PER_CHART:
            charts.append([])
        charts[-1] += rows_of_signal
    return charts


def _by_app(row: Row) -> tuple[str, str, str, str]:
    """The table's order within each app."""
    return row.app, row.signal, row.sender, row.receiver


def _table(map_rows: list[Row]) -> list[str]:
    """The Markdown table of receivers, one line per row."""
    lines = [
        "| Signal | Sender | Receiver | What it does | On commit | Max queries |",
        "|---|---|---|---|---|---|",
    ]
    for row in map_rows:
        on_commit = "-" if row.on_commit is None else ("yes" if row.on_commit else "no")
        budget = "-" if row.max_queries is None else str(row.max_queries)
        cells = [_code(row.signal), _code(row.sender), _code(row.receiver), _text(row.summary)]
        lines.append(f"| {' | '.join(cells)} | {on_commit} | {budget} |")
    return lines


def _custom_signals_table(custom_signals: list[CustomSignal]) -> list[str]:
    """The project's own signals: where each is sent from and how many receivers it has."""
    lines = [
        "Signals the project defines (in `<app>/events.py`), and the modules that send them:",
        "",
        "| Signal | Sent by | Receivers |",
        "|---|---|---|",
    ]
    for custom in custom_signals:
        sent_by = ", ".join(_code(module) for module in custom.sent_by) or "-"
        lines.append(f"| {_code(custom.signal)} | {sent_by} | {custom.receivers} |")
    return lines


def _code(text: str) -> str:
    """A Markdown code span that survives a table cell."""
    escaped = text.replace("|", "\\|").replace("`", "'")
    return f"`{escaped}`"


def _text(text: str) -> str:
    """Plain text that survives a table cell and is never read as HTML."""
    return text.translate(_MARKDOWN_ESCAPES)


def _flowchart(map_rows: list[Row]) -> list[str]:
    """A Mermaid flowchart: what the developer does -> the signal -> each receiver."""
    ids: dict[tuple[str, str], str] = {}  # (kind, label) -> node id such as "S2"
    counts = {"A": 0, "S": 0, "R": 0}
    edges: dict[str, None] = {}  # an ordered set of edge lines

    def node(kind: str, label: str) -> str:
        if (kind, label) not in ids:
            counts[kind] += 1
            ids[(kind, label)] = f"{kind}{counts[kind]}"
        return ids[(kind, label)]

    for row in map_rows:
        action = node("A", _action(row))
        signal = node("S", f"{row.signal_name} from {row.sender}")
        receiver = node("R", _short_receiver(row))
        edges[f"    {action} --> {signal}"] = None
        edges[f"    {signal} {'-->|on commit|' if row.on_commit else '-->'} {receiver}"] = None
    declarations = [
        f"    {node_id}{_SHAPES[kind].format(label.translate(_MERMAID_ESCAPES))}"
        for (kind, label), node_id in sorted(ids.items(), key=_node_order)
    ]
    return ["```mermaid", "flowchart LR", *declarations, *edges, "```"]


def _short_receiver(row: Row) -> str:
    """The receiver's path from its app's label on (``catalog.signals.forget``)."""
    try:
        package = apps.get_app_config(row.app).name
    except LookupError:  # not in an installed app: the full path
        return row.receiver
    return f"{row.app}.{row.receiver.removeprefix(f'{package}.')}"


def _node_order(item: tuple[tuple[str, str], str]) -> tuple[int, int]:
    """Actions first, then signals, then receivers, each in order of appearance."""
    (kind, _), node_id = item
    return "ASR".index(kind), int(node_id[1:])


def _action(row: Row) -> str:
    """What makes Django send the row's signal, e.g. ``catalog.Product.save()``."""
    sender = "any model" if row.sender == "any" else row.sender
    default = f"{row.signal_name}.send()" if row.sender == "any" else f"{sender} sends"
    return _ACTIONS.get(row.signal, default).format(sender=sender)


def as_json(signal_map: SignalMap) -> str:
    """``{"receivers": [rows], "custom_signals": [signals]}`` with the dataclasses' fields."""
    document = {
        "receivers": [asdict(row) for row in signal_map.rows],
        "custom_signals": [asdict(custom) for custom in signal_map.custom_signals],
    }
    return json.dumps(document, indent=2) + "\n"


RENDERERS: dict[str, Callable[[SignalMap], str]] = {
    "text": as_text,
    "markdown": as_markdown,
    "json": as_json,
}
