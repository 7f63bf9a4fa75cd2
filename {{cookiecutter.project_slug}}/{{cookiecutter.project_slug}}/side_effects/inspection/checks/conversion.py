"""Converting a receiver to ``@side_effect`` safely: vetoes first, heavy work out, then convert.

``@side_effect`` contains a receiver's failure: in production the exception is logged and
swallowed. A receiver that raises on purpose (a veto, E007) would silently stop vetoing, and a
heavy one would hide a service's work behind every save; :func:`conversion_hint` tells the
trivial receivers from the heavy ones for E002. What counts is read from the receiver's
source (:mod:`..receiver_source`, whose docstring states the rules).
"""

from __future__ import annotations

from django.core import checks

from ...runtime.conf import KIT_PACKAGE
from ..connections import Connection
from ..receiver_source import Veto, vetoes, weight_of

E007 = "side_effects.E007"

_MOVE_THE_RULE = (
    "Put the rule where it can refuse: the service that makes the change, Model.clean() (with "
    "full_clean() in the service) or a form; then remove the receiver, or convert what is left "
    "of it."
)


def check_vetoes(path: str, its_connections: list[Connection]) -> list[checks.CheckMessage]:
    """A receiver that raises on purpose: a rule, which a receiver cannot enforce."""
    connection = its_connections[0]
    found = vetoes_of(connection)
    if not found:
        return []
    raised = "; ".join(str(veto) for veto in found)
    signal = connection.signal_name.rpartition(".")[2]
    if connection.registration is None:
        msg = f"Receiver {path} {raised} on purpose: it enforces a rule by vetoing {signal}."
        hint = (
            "Do NOT convert it to @side_effect as it is: @side_effect logs and swallows a "
            "receiver's exception in production, so the veto would be ignored while its tests, "
            f"which re-raise, still pass. {_MOVE_THE_RULE}"
        )
    else:
        msg = (
            f"Receiver {path} {raised} on purpose, but it is a @side_effect: in production "
            "(SIDE_EFFECTS_RAISE_EXCEPTIONS off) the exception is logged and swallowed and "
            f"what sent {signal} goes ahead."
        )
        hint = f"A receiver cannot veto. {_MOVE_THE_RULE}"
    return [checks.Error(msg, hint=hint, obj=path, id=E007)]


def vetoes_of(connection: Connection) -> list[Veto]:
    """The deliberate raises of a connection's receiver."""
    registration = connection.registration
    return vetoes(registration.func if registration else connection.receiver)


def conversion_hint(connection: Connection) -> str | None:
    """E002's hint for a heavy receiver, or for a trivial function (``None``: a method's)."""
    signal = connection.signal_name.rpartition(".")[2]
    weight = weight_of(connection.receiver)
    if weight.heavy:
        return (
            f"Do not convert it as it is: it is heavy ({weight.describe()}). Move the work into "
            "the service that makes the change (or a task the service enqueues), and keep a "
            f"one-line receiver for what may be missed: @side_effect({signal}, sender=..., "
            f"max_queries=0) from {KIT_PACKAGE}, or none."
        )
    if not connection.is_plain_function:
        return None
    unseen = (
        f" The estimate leaves out the calls chosen at run time: {'; '.join(weight.unseen)}. "
        "Once it is converted, its tests' query guard shows what they cost."
        if weight.unseen
        else ""
    )
    return (
        f"Convert it: replace @receiver / {signal}.connect() with "
        f"@side_effect({signal}, sender=..., max_queries={weight.queries}) from {KIT_PACKAGE}: it "
        f"connects once, skips raw saves, isolates failures and records a query budget.{unseen}"
    )
