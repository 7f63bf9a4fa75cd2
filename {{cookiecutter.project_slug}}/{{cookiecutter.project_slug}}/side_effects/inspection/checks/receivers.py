"""The checks of one project receiver, each given at most once over all its connections.

:func:`check_receiver` runs them all: where it lives (:mod:`.placement`), what it listens to
(:mod:`.senders`), whether it vetoes (:mod:`.conversion`), and here how it is connected
(``@side_effect``, E002), its budgets against the ceilings (E006) and its docstring (W001).
Hints name the template's files (``config/settings/base.py``, ``docs/signals.md``, the import
contracts) only in the template's layout (``SIDE_EFFECTS_TEMPLATE_LAYOUT``).
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.db.models.signals import post_migrate, pre_migrate

from ...runtime.conf import setting
from ..connections import Connection
from .conversion import check_vetoes, conversion_hint, vetoes_of
from .placement import check_location
from .senders import check_framework_signal, check_never_runs, check_sender
from .wording import listened_to, signal_attribute


def check_receiver(path: str, its_connections: list[Connection]) -> list[checks.CheckMessage]:
    """Every check of the receiver ``path``."""
    return [
        *check_location(path, its_connections[0]),
        *check_docstring(path, its_connections[0]),
        *check_decorator(path, its_connections),
        *check_vetoes(path, its_connections),
        *check_never_runs(path, its_connections),
        *check_framework_signal(path, its_connections),
        *check_sender(path, its_connections),
        *check_ceiling(path, its_connections),
    ]


E002 = "side_effects.E002"


def check_decorator(path: str, its_connections: list[Connection]) -> list[checks.CheckMessage]:
    """A receiver is connected with ``@side_effect`` (one that vetoes is E007's instead).

    The hint depends on the receiver's weight (:func:`.conversion.conversion_hint`).
    """
    plain = [each for each in its_connections if each.registration is None]
    if not plain or vetoes_of(plain[0]):
        return []
    signal = signal_attribute(plain[0])
    hint = conversion_hint(plain[0])
    if hint is None:
        hint = (
            "@side_effect decorates module-level functions, and this receiver is a method, a "
            "callable object or a partial. Connect a module-level function in the app's "
            f"signals.py with @side_effect({signal}, sender=..., max_queries=...) that calls it "
            "with the signal's arguments, and remove the connect() call."
        )
    return [
        checks.Error(
            f"Receiver {path} is connected to {listened_to(plain)} without @side_effect.",
            hint=hint,
            obj=path,
            id=E002,
        )
    ]


E006 = "side_effects.E006"


def check_ceiling(path: str, its_connections: list[Connection]) -> list[checks.CheckMessage]:
    """A receiver's budgets are within the project's ceilings (migration signals aside)."""
    registration = its_connections[0].registration
    migration_only = all(each.signal in (pre_migrate, post_migrate) for each in its_connections)
    if registration is None or migration_only:
        return []
    over = [
        f"{budget}={value:g} over SIDE_EFFECTS_{budget.upper()}_CEILING={ceiling:g}"
        for budget, value in (
            ("max_queries", registration.max_queries),
            ("max_seconds", registration.max_seconds),
        )
        if value > (ceiling := setting(f"SIDE_EFFECTS_{budget.upper()}_CEILING"))
    ]
    if not over:
        return []
    where = (
        "config/settings/base.py"
        if setting("SIDE_EFFECTS_TEMPLATE_LAYOUT")
        else f"the settings ({settings.SETTINGS_MODULE})"
    )
    return [
        checks.Error(
            f"Receiver {path} asks for {' and '.join(over)}.",
            hint=(
                "A receiver that needs that much does a task's work: move it into a task that "
                "the receiver enqueues. The ceilings are set once for the project, in "
                f"{where}, where raising one is a change reviewers see."
            ),
            obj=path,
            id=E006,
        )
    ]


W001 = "side_effects.W001"


def check_docstring(path: str, connection: Connection) -> list[checks.CheckMessage]:
    """A receiver says what it does."""
    if connection.summary:
        return []
    document = ", docs/signals.md" if setting("SIDE_EFFECTS_TEMPLATE_LAYOUT") else ""
    return [
        checks.Warning(
            f"Receiver {path} has no docstring.",
            hint=(
                "Add one whose first line says what the side effect does; the signal map "
                f"(python manage.py signalmap{document}) shows it."
            ),
            obj=path,
            id=W001,
        )
    ]
