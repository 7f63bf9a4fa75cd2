"""``python manage.py signalbaseline``: accept today's check findings in the baseline file.

Writes the ``checks`` part of ``SIDE_EFFECTS_BASELINE`` (the ``guards`` part is kept) with
every finding of the kit's checks, so that ``check`` fails only on new ones. Run it once when
adopting the kit, and again after fixing findings: the checks fail on an entry that is fixed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ....runtime.naming import count
from ...baseline import NOT_SET, load_baseline
from ...checks import find_problems
from ...checks.adoption import finding, is_finding


class Command(BaseCommand):
    """Rewrite the baseline's accepted check findings."""

    help = (
        "Write every current finding of the kit's checks to SIDE_EFFECTS_BASELINE, so that "
        "only new findings fail; run it again after fixing some, to drop them."
    )
    # It records what the checks find: it must run while they fail.
    requires_system_checks: list[str] = []

    def handle(self, *args: object, **options: object) -> None:
        """Write the file and say how many findings it accepts."""
        baseline = load_baseline()
        if baseline.path is None:
            raise CommandError(NOT_SET)
        found = {finding(each) for each in find_problems() if is_finding(each)}
        removed, added = len(baseline.checks - found), len(found - baseline.checks)
        baseline.with_checks(found).write()
        self.stdout.write(
            f"{baseline.shown_path}: {count(len(found), 'accepted check finding')} "
            f"({added} added, {removed} removed). Review and commit it."
        )
