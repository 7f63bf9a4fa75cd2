"""A guarded test run, as pytest's plugin and Django's test runner both hold one.

:class:`GuardedRun` installs the receiver guards for the run and judges what they recorded
during each test (or a class's set-up): a violation the baseline accepts
(``SIDE_EFFECTS_BASELINE``) does not fail, nor does any under ``SIDE_EFFECTS_REPORT_ONLY``. It
tallies every violation of the run, each distinct one once with how many times it happened,
for the summary at the end, which also names the baseline's stale entries after a full run
(they fail it) and, with ``--side-effects-baseline-update``, rewrites the baseline's guards. A
receiver no test of a full run triggers (:meth:`GuardedRun.untested`, whichever process ran
the test) is a violation of the rule ``untested``, which the baseline and report-only mode treat
like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..inspection.baseline import GUARDS, NOT_SET, REWRITE, load_baseline
from ..runtime.conf import setting
from ..runtime.naming import count
from ..runtime.registry import Registration, registrations
from . import advice
from .guards import ReceiverGuards
from .guards.violations import Violation, render, render_all

# The option that rewrites the baseline's guards, under pytest and under manage.py test.
UPDATE_OPTION = "--side-effects-baseline-update"
UPDATE_HELP = (
    "accept every receiver-rule violation of this full run in SIDE_EFFECTS_BASELINE (the "
    "file's guards part): only new ones fail from then on"
)


def _untested(registration: Registration) -> Violation:
    """A receiver no test triggered, as a violation of the rule ``untested``."""
    what = "was triggered by no test in this full run."
    return Violation(f"Receiver {registration.path}", what, advice.UNTESTED, rule="untested")


def untested_message(untested: list[Registration]) -> str:
    """The failure for receivers no test of a full run triggered."""
    one = len(untested) == 1
    violation = Violation(
        count(len(untested), "registered receiver"),
        f"{'was' if one else 'were'} triggered by no test in this full run, so no budget or "
        f"guard ever checked {'it' if one else 'them'}:",
        advice.UNTESTED,
        tuple(each.path + (" (on_commit=True)" if each.on_commit else "") for each in untested),
    )
    return render(violation)


def baseline_entry(violation: Violation) -> tuple[str, str]:
    """A violation's key in the baseline: the rule broken, and who broke it."""
    return (violation.rule, violation.who)


@dataclass
class Tally:
    """One distinct violation of the run: how often, where first, whether the baseline has it."""

    violation: Violation
    times: int
    first_in: str
    accepted: bool

    def line(self) -> str:
        """``<who> <what> (N times; first in <test>)``, one line."""
        times = f"{count(self.times, 'time')}; " if self.times > 1 else ""
        accepted = ", accepted by the baseline" if self.accepted else ""
        violation = self.violation
        return f"{violation.who} {violation.what} ({times}first in {self.first_in}{accepted})"

    def as_data(self) -> dict[str, Any]:
        """The tally as plain data (an xdist worker sends it to the controller)."""
        violation = self.violation
        fields = (violation.who, violation.what, violation.fix, violation.rule)
        return {"violation": fields, "times": self.times, "first_in": self.first_in}


class GuardedRun:
    """The guards of one test run, its baseline, and every violation it has seen."""

    def __init__(self, *, update_baseline: bool = False) -> None:
        self.guards = ReceiverGuards()
        self.baseline = load_baseline()
        self.update_baseline = update_baseline
        # Rewriting the baseline records today's violations: none fails a test meanwhile.
        self.report_only = bool(setting("SIDE_EFFECTS_REPORT_ONLY")) or update_baseline
        self.tallies: dict[tuple[str, str, str], Tally] = {}
        # The receivers that tests in other processes (xdist, --parallel workers) triggered.
        self.triggered_elsewhere: set[str] = set()

    def install(self) -> None:
        """Start guarding (the app registry must be ready)."""
        self.guards.install()

    def uninstall(self) -> None:
        """Stop guarding."""
        self.guards.uninstall()

    def take(self, where: str) -> list[Violation]:
        """The violations recorded since the last look that fail ``where`` (a test, a class).

        All of them are tallied; those the baseline accepts, or all under report-only, fail
        nothing.
        """
        taken = self.guards.take()
        for violation in taken:
            self._tally(violation, where)
        if self.report_only:
            return []
        return [each for each in taken if baseline_entry(each) not in self.baseline.guards]

    def failure(self, where: str, label: str = "") -> str:
        """The message that fails ``where``, ``""`` when nothing does; ``label`` heads it."""
        failing = self.take(where)
        if not failing:
            return ""
        heading = f"{label}: a receiver broke its rules.\n\n" if label else ""
        return heading + render_all(failing)

    def untested(self) -> list[Registration]:
        """The registered receivers no test of this run triggered, in any of its processes."""
        triggered = {*self.guards.stats, *self.triggered_elsewhere}
        return [each for each in registrations() if each.path not in triggered]

    def failing_untested(self, untested: list[Registration]) -> list[Registration]:
        """The receivers no test of a full run triggered that fail it (all are tallied).

        None fails under report-only; nor does one the baseline accepts (rule ``untested``).
        """
        for registration in untested:
            self._tally(_untested(registration), "this full run")
        if self.report_only:
            return []
        entries = self.baseline.guards
        return [each for each in untested if baseline_entry(_untested(each)) not in entries]

    def merge(self, tallies: list[dict[str, Any]]) -> None:
        """Add the tallies an xdist worker sent (:meth:`Tally.as_data`)."""
        for data in tallies:
            who, what, fix, rule = data["violation"]
            violation = Violation(who, what, fix, rule=rule)
            for _ in range(data["times"]):
                self._tally(violation, data["first_in"])

    def finish(self, *, full_run: bool) -> tuple[list[str], bool]:
        """The summary's lines, and whether the run fails for the baseline's stale entries.

        With ``--side-effects-baseline-update``, rewrites the baseline's guards instead (and
        fails when it cannot: no setting, or not a full run).
        """
        lines = self._summary()
        if self.update_baseline:
            written = self.baseline.path is not None and full_run
            return [*lines, self._rewrite() if written else self._not_rewritten()], not written
        stale = sorted(self.baseline.guards - self._seen()) if full_run else []
        if stale:
            lines += [
                f"The baseline {self.baseline.shown_path} still accepts "
                f"{count(len(stale), 'guard finding')} that this full run did not see (fixed, or "
                "the receiver or override is gone):",
                *(f"    {rule}: {who}" for rule, who in stale),
                advice.STALE_BASELINE.format(rewrite=REWRITE[GUARDS]),
            ]
        return lines, bool(stale) and not self.report_only

    def _tally(self, violation: Violation, where: str) -> None:
        """Count one violation seen in ``where``."""
        tally = self.tallies.get(violation.key)
        if tally is None:
            accepted = baseline_entry(violation) in self.baseline.guards
            self.tallies[violation.key] = Tally(violation, 1, where, accepted)
        else:
            tally.times += 1

    def _seen(self) -> set[tuple[str, str]]:
        """The baseline entries of the violations this run saw."""
        return {baseline_entry(tally.violation) for tally in self.tallies.values()}

    def _summary(self) -> list[str]:
        """Each distinct violation on one line, with a count; the baseline's size."""
        lines = []
        if self.tallies:
            total = sum(tally.times for tally in self.tallies.values())
            distinct = count(len(self.tallies), "distinct violation")
            lines.append(f"Receiver rules broken in this run: {distinct}, {total} in all:")
            lines += [f"  {tally.line()}" for tally in self.tallies.values()]
        if self.report_only and not self.update_baseline and self.tallies:
            lines.append(advice.REPORT_ONLY.format(rewrite=REWRITE[GUARDS]))
        if self.baseline.path is not None:
            lines.append(
                f"Baseline: {count(len(self.baseline), 'accepted finding')} "
                f"({self.baseline.shown_path}), "
                f"{count(len(self.baseline.guards), 'guard finding')}."
            )
        return lines

    def _not_rewritten(self) -> str:
        """Why the baseline was not rewritten."""
        return NOT_SET if self.baseline.path is None else advice.BASELINE_NEEDS_FULL_RUN

    def _rewrite(self) -> str:
        """Write the run's violations as the baseline's guards; what was done."""
        seen = self._seen()
        self.baseline.with_guards(seen).write()
        removed, added = len(self.baseline.guards - seen), len(seen - self.baseline.guards)
        return (
            f"{self.baseline.shown_path}: {count(len(seen), 'accepted guard finding')} "
            f"({added} added, {removed} removed). Review and commit it."
        )
