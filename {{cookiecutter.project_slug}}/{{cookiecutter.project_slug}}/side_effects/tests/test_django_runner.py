"""``manage.py test`` with GuardedTestRunner holds receivers to their rules as the plugin does.

One separate process (:data:`DRIVER`, started by conftest.py at collection, like the plugin's
inner run) runs ``manage.py test`` on a module of Django test cases once per step of
:func:`steps`: by label, failing then report-only, then failing with ``--parallel`` (forked or
spawned workers), then traced (serial and parallel); full runs that fail on a receiver no test
triggers (serial and parallel), but not when they find no test; then full runs that write a
baseline, pass with it, fail on a new violation and a stale entry, and rewrite it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from ..runtime.conf import KIT_PACKAGE, PROJECT_PACKAGE
from ..runtime.naming import count
from .processes import process_env

INNER_TESTS = '''
import os

from django.contrib.auth.models import Group
from django.dispatch import Signal
from django.test import TestCase

from PROJECT.side_effects import side_effect

over = Signal()
within = Signal()
new = Signal()
unused = Signal()


@side_effect(over, max_queries=0)
def count_groups(sender, **kwargs):
    """Count the groups: one query over a budget of none, until it is fixed."""
    if not os.environ.get("INNER_FIXED"):
        Group.objects.count()


@side_effect(within, max_queries=1)
def count_groups_once(sender, **kwargs):
    """Count the groups: one query, within its budget."""
    Group.objects.count()


@side_effect(new, max_queries=0)
def check_groups(sender, **kwargs):
    """Check the groups: one query over a budget of none, once the new code is in."""
    if os.environ.get("INNER_NEW"):
        Group.objects.exists()


@side_effect(unused, max_queries=0)
def never_sent(sender, **kwargs):
    """A receiver of a signal no test sends: untested."""


class ClassSetUpTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        over.send(sender=None)

    def test_clean_after_the_set_up(self):
        within.send(sender=None)


class BudgetTests(TestCase):
    def test_over_budget_three_times(self):
        for _ in range(3):
            over.send(sender=None)

    def test_within_budget(self):
        within.send(sender=None)

    def test_new_code(self):
        new.send(sender=None)
'''.replace("PROJECT", PROJECT_PACKAGE)

# The running settings, for the driver and the workers it spawns: a project that adopted the kit
# may have findings of its own, which are not what these runs test (the runner's guards are).
INNER_SETTINGS = """
from RUNNING import *  # noqa: F403

SILENCED_SYSTEM_CHECKS = [f"side_effects.{level}{n:03}" for level in "EW" for n in range(1, 100)]
"""
SETTINGS_MODULE = "inner_settings"

# Runs each step given as JSON: (name, test labels, environment, settings, options).
DRIVER = """
import json
import multiprocessing
import os
import sys

import django
from django.core.management import call_command
from django.test.utils import override_settings


class NoMigrations(dict):
    def __contains__(self, app_label):
        return True

    def __getitem__(self, app_label):
        return None


django.setup()
platform_start_method = multiprocessing.get_start_method()
for name, labels, environment, settings, options in json.loads(sys.argv[1]):
    os.environ.update(environment)
    start_method = environment.get("INNER_START_METHOD", platform_start_method)
    multiprocessing.set_start_method(start_method, force=True)
    print(f"==> {name}", flush=True)
    with override_settings(MIGRATION_MODULES=NoMigrations(), **settings):
        try:
            call_command("test", *labels, verbosity=2, **options)
            status = 0
        except SystemExit as exit:
            status = exit.code
    sys.stderr.flush()
    print(f"<== {name} exited {status}", flush=True)
"""
MODULE = "test_runner_inner"
RUNNER = f"{KIT_PACKAGE}.testing.django_runner.GuardedTestRunner"
OVERRUN = f"Receiver {MODULE}.count_groups ran 1 database query; its budget is max_queries=0"
UPDATE: dict[str, object] = {"side_effects_baseline_update": True}
PARALLEL: dict[str, object] = {"parallel": 2}  # a worker for each of the two test cases
TRACED: dict[str, object] = {"side_effects_trace": True}
NEW_AND_FIXED = {"INNER_NEW": "1", "INNER_FIXED": "1"}
# A step: its name, the test labels, the environment, the settings, the command's options.
Step = tuple[str, list[str], dict[str, str], dict[str, object], dict[str, object]]


def steps(baseline: Path) -> list[Step]:
    """The driver's steps: by label without then with report-only, then full runs."""
    runner: dict[str, object] = {"TEST_RUNNER": RUNNER}
    with_baseline = {**runner, "SIDE_EFFECTS_BASELINE": str(baseline)}
    return [
        ("failing", [MODULE], {}, runner, {}),
        ("report only", [MODULE], {}, {**runner, "SIDE_EFFECTS_REPORT_ONLY": True}, {}),
        ("parallel", [MODULE], {}, runner, PARALLEL),
        ("parallel, spawned", [MODULE], {"INNER_START_METHOD": "spawn"}, runner, PARALLEL),
        ("traced", [MODULE], {}, runner, TRACED),
        ("traced, parallel", [MODULE], {}, runner, {**PARALLEL, **TRACED}),
        ("untested", [], {}, runner, {}),
        ("untested, parallel", [], {}, runner, PARALLEL),
        ("no test found", [], {}, runner, {"pattern": "no_such_tests*.py"}),
        ("baseline written", [], {}, with_baseline, UPDATE),
        ("baseline accepts", [], {}, with_baseline, {}),
        ("new and fixed", [], NEW_AND_FIXED, with_baseline, {}),
        ("baseline rewritten", [], NEW_AND_FIXED, with_baseline, UPDATE),
    ]


# The driver, started by conftest.py as soon as these tests are collected.
DRIVEN = pytest.StashKey["subprocess.Popen[str]"]()


def start_driver(directory: Path) -> subprocess.Popen[str]:
    """Start the driver on the inner tests, in ``directory``."""
    (directory / f"{MODULE}.py").write_text(INNER_TESTS)
    running = str(settings.SETTINGS_MODULE)
    (directory / f"{SETTINGS_MODULE}.py").write_text(INNER_SETTINGS.replace("RUNNING", running))
    env = process_env(directory, settings_module=SETTINGS_MODULE)
    arguments = json.dumps(steps(directory / "baseline.json"))
    return subprocess.Popen(  # noqa: S603 - this interpreter running the driver written above
        [sys.executable, "-c", DRIVER, arguments],
        cwd=directory,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture(scope="module")
def runs(request: pytest.FixtureRequest) -> dict[str, tuple[int, str]]:
    """Each step's exit status and output, once the driver has finished."""
    started = request.config.stash[DRIVEN]
    output, _ = started.communicate(timeout=240)
    assert started.returncode == 0, output
    found = re.findall(r"^==> (.+?)\n(.*?)^<== \1 exited (\d+)$", output, re.DOTALL | re.M)
    return {name: (int(status), text) for name, text, status in found}


def test_a_test_whose_receiver_breaks_its_budget_fails_once_per_distinct_violation(
    runs: dict[str, tuple[int, str]],
) -> None:
    status, output = runs["failing"]

    assert status == 1, output
    assert "FAILED (failures=2)" in output
    assert f"FAIL: test_over_budget_three_times ({MODULE}.BudgetTests" in output
    assert f"{OVERRUN} (savepoints are not counted). (3 times)" in output
    assert f"test_within_budget ({MODULE}.BudgetTests.test_within_budget) ... ok" in output
    # The class's setUpTestData is charged to the class, not to its first test.
    assert "FAIL: ClassSetUpTests (class set-up)" in output
    assert "ClassSetUpTests.test_clean_after_the_set_up) ... ok" in output
    # Per failure and in the summary, one line each: the log does not grow with repeats.
    assert output.count(OVERRUN) == 3
    summary = output.partition("Receiver rules\n")[2]
    assert "Receiver rules broken in this run: 1 distinct violation, 4 in all:" in summary
    assert f"(4 times; first in {MODULE}.BudgetTests.test_over_budget_three_times)" in summary


@pytest.mark.parametrize("step", ["parallel", "parallel, spawned"])
def test_with_parallel_each_worker_is_guarded_and_judged_as_in_a_serial_run(
    runs: dict[str, tuple[int, str]], step: str
) -> None:
    status, output = runs[step]

    assert status == 1, output
    assert "FAILED (failures=2)" in output
    assert f"FAIL: test_over_budget_three_times ({MODULE}.BudgetTests" in output
    assert f"{OVERRUN} (savepoints are not counted). (3 times)" in output
    assert "FAIL: ClassSetUpTests (class set-up)" in output
    assert f"test_within_budget ({MODULE}.BudgetTests.test_within_budget) ... ok" in output
    summary = output.partition("Receiver rules\n")[2]
    assert "Receiver rules broken in this run: 1 distinct violation, 4 in all:" in summary


@pytest.mark.parametrize("step", ["traced", "traced, parallel"])
def test_side_effects_trace_prints_the_receivers_each_test_fired(
    runs: dict[str, tuple[int, str]], step: str
) -> None:
    _, output = runs[step]

    traces = output.partition("Side effects of each test\n")[2].partition("Receiver rules\n")[0]
    over_budget = f"Side effects of {MODULE}.BudgetTests.test_over_budget_three_times: "
    assert f"{over_budget}3 receiver calls" in traces
    assert traces.count(f"-> {MODULE}.count_groups: ran now") == 3
    # Each test once (recorded where it ran); a class's set-up is no test's.
    assert traces.count(f"Side effects of {MODULE}.BudgetTests.test_within_budget: ") == 1
    set_up_class = f"Side effects of {MODULE}.ClassSetUpTests.test_clean_after_the_set_up: "
    assert f"{set_up_class}1 receiver call" in traces


UNTESTED = re.compile(r"^(\d+) registered receivers? (?:was|were) triggered by no test", re.M)


def untested_in(output: str) -> tuple[int, str]:
    """How many receivers a full run left untested, and the list of them."""
    found = UNTESTED.search(output)
    assert found, output
    return int(found[1]), output[found.start() :]


@pytest.mark.parametrize("step", ["untested", "untested, parallel"])
def test_a_full_run_fails_on_a_receiver_no_test_triggered(
    runs: dict[str, tuple[int, str]], step: str
) -> None:
    status, output = runs[step]

    assert status == 1, output
    _, listed = untested_in(output)
    assert f"    {MODULE}.never_sent\n" in listed
    # Triggered in the runner's process or in a worker: tested.
    assert f"{MODULE}.count_groups_once" not in listed
    assert f"{MODULE}.check_groups" not in listed
    assert "Add a test that does what triggers each one" in listed


def test_a_run_that_finds_no_test_judges_no_receiver(runs: dict[str, tuple[int, str]]) -> None:
    status, output = runs["no test found"]

    assert status == 0, output
    assert "NO TESTS RAN" in output
    assert "triggered by no test" not in output


def test_report_only_passes_and_lists_the_violations(runs: dict[str, tuple[int, str]]) -> None:
    status, output = runs["report only"]

    assert status == 0, output
    assert "FAIL:" not in output
    assert "1 distinct violation, 4 in all:" in output
    assert "SIDE_EFFECTS_REPORT_ONLY is on, so these failed no test" in output


def test_a_baseline_fails_only_new_violations_and_shrinks(
    runs: dict[str, tuple[int, str]],
) -> None:
    written, accepts, changed, rewritten = (
        runs[name]
        for name in ("baseline written", "baseline accepts", "new and fixed", "baseline rewritten")
    )
    # The untested receivers (never_sent, and the project's own) are accepted too.
    accepted = 1 + untested_in(runs["untested"][1])[0]

    assert written[0] == 0, written[1]
    findings = count(accepted, "accepted guard finding")
    assert f"baseline.json: {findings} ({accepted} added, 0 removed)." in written[1]
    assert f"Receiver {MODULE}.never_sent was triggered by no test in this full run." in written[1]
    assert accepts[0] == 0, accepts[1]
    assert "_three_times, accepted by the baseline)" in accepts[1]
    assert f"baseline.json), {count(accepted, 'guard finding')}." in accepts[1]
    # New code breaks a rule, and the accepted violation is fixed: both fail the full run.
    assert changed[0] == 1, changed[1]
    assert "FAIL: test_new_code" in changed[1]
    assert f"Receiver {MODULE}.check_groups ran 1 database query" in changed[1]
    assert "still accepts 1 guard finding that this full run did not see" in changed[1]
    assert f"    query_budget: Receiver {MODULE}.count_groups\n" in changed[1]
    assert "Run `pytest --side-effects-baseline-update`" in changed[1]
    assert rewritten[0] == 0, rewritten[1]
    assert f"{findings} (1 added, 1 removed)." in rewritten[1]
