"""The baseline: the findings a project accepted when it adopted the kit, so only new ones fail.

``SIDE_EFFECTS_BASELINE`` names a JSON file with two sorted lists, reviewed like code::

    {
      "checks": [{"id": "side_effects.E001", "object": "shop.signals.on_order"}],
      "guards": [{"rule": "query_budget", "who": "Receiver shop.signals.on_order"}]
    }

``python manage.py signalbaseline`` rewrites ``checks`` from the system checks' findings;
``pytest --side-effects-baseline-update`` (or ``manage.py test --side-effects-baseline-update``)
rewrites ``guards`` from a full test run's violations. A finding that is fixed must leave the
file (the checks and a full test run fail on a stale entry), so the baseline only shrinks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from ..runtime.conf import relative_to_root, setting

CHECKS = "checks"
GUARDS = "guards"
# The command that rewrites each part of the file.
REWRITE = {
    CHECKS: "`python manage.py signalbaseline`",
    GUARDS: "`pytest --side-effects-baseline-update` (or `manage.py test` with the option)",
}
NOT_SET = (
    "SIDE_EFFECTS_BASELINE is not set: set it to the file to write, e.g. "
    'SIDE_EFFECTS_BASELINE = BASE_DIR / "side_effects_baseline.json".'
)


@dataclass(frozen=True, slots=True)
class Baseline:
    """The accepted findings: ``(check id, object)`` pairs and ``(guard rule, who)`` pairs."""

    path: Path | None
    checks: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    guards: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    def __len__(self) -> int:
        """How many findings the baseline accepts."""
        return len(self.checks) + len(self.guards)

    @property
    def shown_path(self) -> str:
        """The file's path, relative to its project root when inside one (the same anywhere)."""
        if self.path is None:
            return ""
        relative = relative_to_root(self.path.resolve())
        return relative.as_posix() if relative is not None else str(self.path)

    def with_checks(self, checks: set[tuple[str, str]]) -> Baseline:
        """This baseline with ``checks`` instead of its accepted check findings."""
        return replace(self, checks=frozenset(checks))

    def with_guards(self, guards: set[tuple[str, str]]) -> Baseline:
        """This baseline with ``guards`` instead of its accepted guard findings."""
        return replace(self, guards=frozenset(guards))

    def write(self) -> None:
        """Write the file: sorted entries, stable keys, one per line, so a diff reviews it."""
        if self.path is None:
            raise ValueError(NOT_SET)
        content = {
            CHECKS: [{"id": id_, "object": obj} for id_, obj in sorted(self.checks)],
            GUARDS: [{"rule": rule, "who": who} for rule, who in sorted(self.guards)],
        }
        self.path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")


def load_baseline() -> Baseline:
    """The project's baseline; an empty one (``path`` None) when the setting is not set."""
    configured = setting("SIDE_EFFECTS_BASELINE")
    if configured is None:
        return Baseline(None)
    path = Path(configured)
    if not path.exists():
        return Baseline(path)
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        return Baseline(
            path,
            frozenset((each["id"], each["object"]) for each in content.get(CHECKS, [])),
            frozenset((each["rule"], each["who"]) for each in content.get(GUARDS, [])),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ImproperlyConfigured(
            f"SIDE_EFFECTS_BASELINE {path} is not a baseline ({type(error).__name__}: {error}): "
            f"restore it from version control, or delete it and run {REWRITE[CHECKS]} and "
            f"{REWRITE[GUARDS]}."
        ) from error
