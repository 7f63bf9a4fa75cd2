"""The kit's settings, with their defaults, and where the project lives.

Every ``SIDE_EFFECTS_*`` setting the kit reads is in :data:`DEFAULTS`; read one with
:func:`setting`, which falls back to its default when the project does not set it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Whether a failing receiver's exception reaches the code that sent the signal (after it is
    # logged): on in tests and local development, off in production.
    "SIDE_EFFECTS_RAISE_EXCEPTIONS": False,
    # The query budget of a receiver that passes no max_queries.
    "SIDE_EFFECTS_DEFAULT_MAX_QUERIES": 1,
    # Seconds one call of a receiver that passes no max_seconds may take in the tests.
    "SIDE_EFFECTS_DEFAULT_MAX_SECONDS": 0.25,
    # The most any receiver may ask for, set once for the project (system check E006): a
    # receiver that needs more does a task's work.
    "SIDE_EFFECTS_MAX_QUERIES_CEILING": 5,
    "SIDE_EFFECTS_MAX_SECONDS_CEILING": 1.0,
    # Whether each receiver call is an OpenTelemetry span, when the deployment configures an SDK
    # before Django starts (see runtime/telemetry.py).
    "SIDE_EFFECTS_OPENTELEMETRY": True,
    # Whether each request, command and task logs the receivers it fired (development).
    "SIDE_EFFECTS_TRACE": False,
    # Milliseconds of receiver time under which a trace is not logged (0: every one that fired).
    "SIDE_EFFECTS_TRACE_MIN_MS": 0,
    # Adopting the kit in an existing project, a first step and not a way to stay: the checks'
    # findings are shown as Info and the guards' violations are listed at the end of the test
    # run, and neither fails the gate.
    "SIDE_EFFECTS_REPORT_ONLY": False,
    # The baseline file (JSON) of the findings accepted today, written by
    # ``manage.py signalbaseline`` (checks) and ``--side-effects-baseline-update`` (guards): only
    # new findings fail, and a fixed one must leave the file. None: every finding fails.
    "SIDE_EFFECTS_BASELINE": None,
}

# The receiver kit's package, and the project's top-level package that holds it.
KIT_PACKAGE = __package__.rpartition(".")[0]
PROJECT_PACKAGE = KIT_PACKAGE.partition(".")[0]
# The kit's directory, and the repository root above the project package (where manage.py is).
KIT_DIR = Path(__file__).resolve().parent.parent
PROJECT_ROOT = KIT_DIR.parents[1]


def setting(name: str) -> Any:
    """The project's value of the kit setting ``name``, else its default."""
    return getattr(settings, name, DEFAULTS[name])
