"""What the signal map shows: one :class:`Row` per connection, and the project's own signals."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

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
