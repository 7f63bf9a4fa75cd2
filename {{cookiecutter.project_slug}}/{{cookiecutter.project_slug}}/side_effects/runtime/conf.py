"""The kit's settings, with their defaults, and where the project lives.

Every ``SIDE_EFFECTS_*`` setting the kit reads is in :data:`DEFAULTS`; read one with
:func:`setting`, which falls back to its default when the project does not set it.
:func:`project_roots` is the one place that says where the project's code lives.
"""

from __future__ import annotations

import os
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
    # The directories whose code is the project's (absolute paths; None: the repository root
    # above the package that holds the kit). Code elsewhere (Django, installed packages) is
    # never judged; see inspection/scope.py.
    "SIDE_EFFECTS_PROJECT_ROOTS": None,
    # Whether the project has the template's layout: every app inside the package that holds
    # the kit, and import contracts in pyproject.toml. Off for a project that adopted the kit:
    # apps may live anywhere under the roots, and no message speaks of contracts or startapp.
    "SIDE_EFFECTS_TEMPLATE_LAYOUT": True,
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
# The kit's directory, and the repository root above the project package (where manage.py is):
# the project's root unless SIDE_EFFECTS_PROJECT_ROOTS says otherwise.
KIT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_PROJECT_ROOT = KIT_DIR.parents[1]


def setting(name: str) -> Any:
    """The project's value of the kit setting ``name``, else its default."""
    return getattr(settings, name, DEFAULTS[name])


def project_roots() -> tuple[Path, ...]:
    """The directories whose code is the project's, resolved, innermost first.

    Read from the settings at the first call once there are settings (never at import: the
    kit's modules load before the settings in places; a pytest run without Django settings
    gets the default) and then kept, as the file judgements built on it are; a test that
    changes the setting calls ``inspection.scope.forget_project_roots()``.
    """
    global _roots
    if _roots is None:
        if not (settings.configured or os.environ.get("DJANGO_SETTINGS_MODULE")):
            return (DEFAULT_PROJECT_ROOT,)
        _roots = _configured_roots()
    return _roots


def forget_roots() -> None:
    """Read ``SIDE_EFFECTS_PROJECT_ROOTS`` again at the next :func:`project_roots` call."""
    global _roots
    _roots = None


_roots: tuple[Path, ...] | None = None


def _configured_roots() -> tuple[Path, ...]:
    """``SIDE_EFFECTS_PROJECT_ROOTS`` (one path or several), else the default root."""
    configured = setting("SIDE_EFFECTS_PROJECT_ROOTS")
    if configured is None:
        return (DEFAULT_PROJECT_ROOT,)
    if isinstance(configured, str | Path):
        configured = [configured]
    roots = {Path(root).resolve() for root in configured}
    return tuple(sorted(roots, key=lambda root: len(root.parts), reverse=True))


def relative_to_root(path: Path) -> Path | None:
    """``path`` relative to the innermost project root that holds it, else ``None``."""
    for root in project_roots():
        if path.is_relative_to(root):
            return path.relative_to(root)
    return None
