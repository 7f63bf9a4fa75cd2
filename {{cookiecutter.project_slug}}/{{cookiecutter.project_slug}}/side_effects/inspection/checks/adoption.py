"""How the checks' findings reach the gate while a project adopts the kit.

With ``SIDE_EFFECTS_BASELINE``, a finding the baseline accepts is not shown, and an entry no
longer found is stale (E009: the file must shrink as findings are fixed). With
``SIDE_EFFECTS_REPORT_ONLY``, every finding is still shown, as Info with its own id, so that
``check --fail-level WARNING`` passes: a first step of adoption, not a way to stay.
"""

from __future__ import annotations

from django.core import checks

from ...runtime.conf import setting
from ..baseline import CHECKS, REWRITE, Baseline, load_baseline

E009 = "side_effects.E009"


def finding(message: checks.CheckMessage) -> tuple[str, str]:
    """A finding's key in the baseline: its check id and the object it names."""
    return (str(message.id), str(message.obj))


def is_finding(message: checks.CheckMessage) -> bool:
    """Whether the message fails ``check --fail-level WARNING`` (what a baseline can accept)."""
    return message.level >= checks.WARNING


def adopted(
    messages: list[checks.CheckMessage], *, whole_project: bool
) -> list[checks.CheckMessage]:
    """``messages`` less the baselined ones, plus the stale entries; as Info if report-only.

    Only a check of the whole project (no ``app_configs``) can tell an entry is stale.
    """
    baseline = load_baseline()
    found = {finding(each) for each in messages if is_finding(each)}
    shown = [
        each for each in messages if not is_finding(each) or finding(each) not in baseline.checks
    ]
    if whole_project:
        shown += [_stale(baseline, id_, obj) for id_, obj in sorted(baseline.checks - found)]
    if setting("SIDE_EFFECTS_REPORT_ONLY"):
        shown = [_reported(each) if is_finding(each) else each for each in shown]
    return shown


def _stale(baseline: Baseline, id_: str, obj: str) -> checks.Error:
    """A baseline entry whose finding is gone: fixed, or its object no longer exists."""
    rewrite = REWRITE[CHECKS]
    return checks.Error(
        f"The baseline {baseline.shown_path} still accepts {id_} for {obj}, which the checks no "
        "longer find (fixed, or gone).",
        hint=f"Run {rewrite} to rewrite the file, and commit it: a baseline only shrinks.",
        obj=obj,
        id=E009,
    )


def _reported(message: checks.CheckMessage) -> checks.Info:
    """The finding as Info (SIDE_EFFECTS_REPORT_ONLY), keeping its id and saying it would fail."""
    return checks.Info(
        f"[report only, would fail as {'an error' if message.is_serious() else 'a warning'}] "
        f"{message.msg}",
        hint=message.hint,
        obj=message.obj,
        id=message.id,
    )
