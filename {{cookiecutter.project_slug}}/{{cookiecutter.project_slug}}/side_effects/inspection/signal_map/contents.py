"""What the signal map shows: one :class:`Row` per connection, and the project's own signals.

A receiver of one signal from more than :data:`FAN_IN` senders (an audit receiver on 60 models)
is shown as one :class:`FanInRow`, ``post_save from 60 models``, by the text and Markdown maps;
the JSON map lists every connection.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields
from itertools import groupby

from django.apps import apps

from ...runtime.naming import count
from ..baseline import load_baseline
from ..connections import Connection, app_of, connections
from ..senders import modules_sending
from ..signal_names import find_signals, project_signals


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
    max_seconds: float | None
    # The models the receiver declares it writes, by label.
    writes: tuple[str, ...]
    app: str

    @property
    def signal_name(self) -> str:
        """The signal's attribute name (``post_save``)."""
        return self.signal.rpartition(".")[2]


@dataclass(frozen=True, slots=True)
class FanInRow(Row):
    """One receiver of one signal from many senders, shown as one row (``sender``: "60 models";
    the JSON map lists them)."""


# More senders than this, for one receiver of one signal, are shown as one FanInRow.
FAN_IN = 5


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
    # The baseline file and how many findings it accepts, when the project has one.
    baseline: BaselineSize | None = None

    @property
    def shown_rows(self) -> list[Row]:
        """The rows with each fan-in collapsed into one :class:`FanInRow`, in the rows' order."""
        shown: list[Row] = []
        by_receiver = sorted(self.rows, key=lambda row: (row.signal, row.receiver))
        for _, group in groupby(by_receiver, key=lambda row: (row.signal, row.receiver)):
            its_rows = list(group)
            shown += [_fan_in(its_rows)] if len(its_rows) > FAN_IN else its_rows
        return sorted(shown, key=lambda row: (row.signal, row.sender, row.receiver))


@dataclass(frozen=True, slots=True)
class BaselineSize:
    """How many findings the project's baseline accepts (SIDE_EFFECTS_BASELINE)."""

    path: str
    accepted: int

    def __str__(self) -> str:
        """``Baseline: N accepted findings (path)``, N in words that fit it."""
        return f"Baseline: {count(self.accepted, 'accepted finding')} ({self.path})"


def build(*, project_only: bool = True) -> SignalMap:
    """The map: the project's receivers (or every receiver) and the project's own signals."""
    signals = find_signals()
    found = connections(project_only=project_only, signals=signals)
    listened = Counter(each.signal_name for each in found)
    receivers_of = {name: listened[name] for name in project_signals(signals)}
    sending = modules_sending(receivers_of)
    custom = [CustomSignal(name, sending[name], count) for name, count in receivers_of.items()]
    baseline = load_baseline()
    size = BaselineSize(baseline.shown_path, len(baseline)) if baseline.path else None
    return SignalMap([_row(connection) for connection in found], custom, size)


def _row(connection: Connection) -> Row:
    """A row for one connection; ``on_commit`` and budgets are ``None`` without ``@side_effect``."""
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
        max_seconds=registration.max_seconds if registration else None,
        writes=tuple(model._meta.label for model in registration.writes) if registration else (),
        app=app.label if app else connection.module.partition(".")[0],
    )


def _fan_in(its_rows: list[Row]) -> FanInRow:
    """One receiver's rows of one signal as one row: ``60 models`` (or ``senders``)."""
    senders = tuple(row.sender for row in its_rows)
    noun = "models" if all(_is_model_label(sender) for sender in senders) else "senders"
    values = {field.name: getattr(its_rows[0], field.name) for field in fields(Row)}
    return FanInRow(**{**values, "sender": f"{len(senders)} {noun}"})


def _is_model_label(label: str) -> bool:
    """Whether a sender's label names an installed model (``app_label.Model``)."""
    try:
        apps.get_model(label)
    except (LookupError, ValueError):
        return False
    return True
