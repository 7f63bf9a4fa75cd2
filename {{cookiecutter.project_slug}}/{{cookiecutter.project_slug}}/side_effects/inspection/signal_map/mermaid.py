"""Mermaid flowcharts of an app's receivers: *what the developer does -> signal -> receiver*.

An app's rows are cut, between signals, into charts of about :data:`ROWS_PER_CHART` rows: each
row draws at most two edges, so every chart stays under the ~500 edges GitHub renders, however
many receivers the app has (a single signal with more receivers gets one larger chart).
"""

from __future__ import annotations

from itertools import groupby

from django.apps import apps

from .contents import FanInRow, Row

ROWS_PER_CHART = 150
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
# Node shapes: actions and receivers are boxes, signals are stadiums.
_SHAPES = {"A": '["{}"]', "S": '(["{}"])', "R": '["{}"]'}
# Characters Mermaid would read as markup inside a label, as its entity codes.
_MERMAID_ESCAPES = str.maketrans({'"': "#quot;", "<": "#lt;", ">": "#gt;"})


def flowcharts(app_rows: list[Row]) -> list[list[str]]:
    """The lines of each chart of one app's rows (sorted by signal)."""
    return [_flowchart(chart_rows) for chart_rows in _charts(app_rows)]


def _charts(app_rows: list[Row]) -> list[list[Row]]:
    """An app's rows cut, between signals, into charts of about ``ROWS_PER_CHART`` rows."""
    charts: list[list[Row]] = [[]]
    for _, signal_rows in groupby(app_rows, key=lambda row: row.signal):
        rows_of_signal = list(signal_rows)
        if charts[-1] and len(charts[-1]) + len(rows_of_signal) > ROWS_PER_CHART:
            charts.append([])
        charts[-1] += rows_of_signal
    return charts


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
    if isinstance(row, FanInRow):
        sender = f"one of {row.sender}"
    default = f"{row.signal_name}.send()" if row.sender == "any" else f"{sender} sends"
    return _ACTIONS.get(row.signal, default).format(sender=sender)
