"""Adopting the kit step by step: report-only checks, a baseline that shrinks, repeats counted."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.dispatch import Signal
from pytest_django.fixtures import Settings

from ..inspection.checks import check_receivers
from ..inspection.signal_map import build, render
from ..runtime.naming import count
from ..runtime.registry import registrations
from ..testing.guards.violations import Violation, render_all
from ..testing.session import GuardedRun
from .receivers import SIGNALS_MODULE, Connect, ConnectPlainly, make_receiver

ping = Signal()
PLAIN = f"{SIGNALS_MODULE}.connected_plainly"
NEWER = f"{SIGNALS_MODULE}.connected_plainly_too"


def findings() -> list[checks.CheckMessage]:
    """The kit's check messages that fail ``check --fail-level WARNING``."""
    return [each for each in check_receivers() if each.level >= checks.WARNING]


def signalbaseline() -> str:
    """What ``manage.py signalbaseline`` prints."""
    out = StringIO()
    call_command("signalbaseline", stdout=out)
    return out.getvalue()


def test_report_only_shows_each_finding_as_info_with_its_id(
    connect_plainly: ConnectPlainly, settings: Settings
) -> None:
    connect_plainly(ping, make_receiver("connected_plainly", calls=[]))
    settings.SIDE_EFFECTS_REPORT_ONLY = True

    [message] = [each for each in check_receivers() if each.obj == PLAIN]

    assert findings() == []
    assert isinstance(message, checks.Info)
    assert message.id == "side_effects.E002"
    assert message.msg.startswith("[report only, would fail as an error] ")
    assert "without @side_effect" in message.msg


def test_a_baseline_fails_only_new_findings_and_only_shrinks(
    connect_plainly: ConnectPlainly, settings: Settings, tmp_path: Path
) -> None:
    # A project that adopted the kit may have findings of its own: they are accepted too.
    own = [{"id": each.id, "object": each.obj} for each in findings()]
    settings.SIDE_EFFECTS_BASELINE = baseline = tmp_path / "baseline.json"
    plain = make_receiver("connected_plainly", calls=[])
    connect_plainly(ping, plain)

    accepted = count(len(own) + 1, "accepted check finding")
    assert f"{accepted} ({len(own) + 1} added, 0 removed)" in signalbaseline()
    written = json.loads(baseline.read_text())
    entries = [*own, {"id": "side_effects.E002", "object": PLAIN}]
    assert written["checks"] == sorted(entries, key=lambda each: (each["id"], each["object"]))
    assert written["guards"] == []
    assert findings() == []

    connect_plainly(ping, make_receiver("connected_plainly_too", calls=[]))
    assert [(each.id, each.obj) for each in findings()] == [("side_effects.E002", NEWER)]

    ping.disconnect(plain)  # the accepted finding is fixed: its entry is stale
    [stale] = [each for each in findings() if each.id == "side_effects.E009"]
    assert f"still accepts side_effects.E002 for {PLAIN}" in stale.msg
    assert "Run `python manage.py signalbaseline` to rewrite the file" in str(stale.hint)

    assert "(1 added, 1 removed)" in signalbaseline()
    assert findings() == []
    rewritten = json.loads(baseline.read_text())["checks"]
    assert {"id": "side_effects.E002", "object": NEWER} in rewritten
    assert {"id": "side_effects.E002", "object": PLAIN} not in rewritten


def test_the_signal_map_shows_the_baselines_size_only_when_there_is_one(
    settings: Settings, tmp_path: Path
) -> None:
    without = {name: render(build(), name) for name in ("text", "markdown", "json")}
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"checks": [{"id": "side_effects.E002", "object": PLAIN}]}))
    settings.SIDE_EFFECTS_BASELINE = baseline

    line = f"Baseline: 1 accepted finding ({baseline})"
    assert all("Baseline" not in text for text in without.values())
    assert line in render(build(), "text")
    assert f"{line}: only new findings fail the gate." in render(build(), "markdown")
    shown = json.loads(render(build(), "json"))["baseline"]
    assert shown == {"path": str(baseline), "accepted": 1}


def test_the_same_violation_repeated_is_shown_once_with_a_count() -> None:
    over = Violation("Receiver shop.signals.audit", "ran 2 database queries.", "Move it.")
    other = Violation("Order.save()", "writes rows of other tables: audit.", "Use a service.")

    text = render_all([over, other, over, over])

    assert text.count("Receiver shop.signals.audit ran 2 database queries. (3 times)") == 1
    assert "Order.save() writes rows of other tables: audit.\nUse a service." in text
    assert over.rule == "test_adoption"  # the module that made it names the rule


def test_signalbaseline_says_which_setting_names_the_file() -> None:
    with pytest.raises(CommandError, match="SIDE_EFFECTS_BASELINE is not set: set it to the file"):
        signalbaseline()


def test_an_untested_receiver_the_baseline_accepts_does_not_fail_a_full_run(
    connect: Connect, settings: Settings, tmp_path: Path
) -> None:
    connect(ping, make_receiver("accepted_untested", calls=[]))
    connect(ping, make_receiver("new_untested", calls=[]))
    [accepted, new] = [each for each in registrations() if each.path.endswith("_untested")]
    baseline = tmp_path / "baseline.json"
    entry = {"rule": "untested", "who": f"Receiver {accepted.path}"}
    baseline.write_text(json.dumps({"guards": [entry]}))
    settings.SIDE_EFFECTS_BASELINE = baseline

    run = GuardedRun()
    assert run.failing_untested([accepted, new]) == [new]
    lines, stale = run.finish(full_run=True)
    assert not stale
    assert f"Receiver {new.path} was triggered by no test in this full run." in "\n".join(lines)

    settings.SIDE_EFFECTS_REPORT_ONLY = True
    assert GuardedRun().failing_untested([accepted, new]) == []
    lines, stale = GuardedRun().finish(full_run=True)  # the accepted receiver is tested now
    assert not stale  # shown, failing nothing under report-only
    assert f"    untested: Receiver {accepted.path}" in lines


def test_a_broken_baseline_file_is_named_with_how_to_restore_it(
    settings: Settings, tmp_path: Path
) -> None:
    settings.SIDE_EFFECTS_BASELINE = baseline = tmp_path / "baseline.json"
    baseline.write_text('{"checks": [{"id": "side_effects.E002"}]}')

    with pytest.raises(ImproperlyConfigured, match=f"SIDE_EFFECTS_BASELINE {baseline} is not a"):
        check_receivers()


def test_rewriting_the_guards_baseline_needs_a_full_run(settings: Settings, tmp_path: Path) -> None:
    settings.SIDE_EFFECTS_BASELINE = tmp_path / "baseline.json"

    lines, failed = GuardedRun(update_baseline=True).finish(full_run=False)

    assert failed
    assert "--side-effects-baseline-update needs a full run" in lines[-1]
    assert not (tmp_path / "baseline.json").exists()
