"""The pytest plugin fails a test whose receiver overruns its budget and reports the slowest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ..runtime.conf import KIT_PACKAGE, PROJECT_PACKAGE
from .processes import process_env

# A test module run by a separate pytest: each test sends a signal to a receiver that queries.
INNER_TESTS = '''
import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.dispatch import Signal
from django.test import TestCase

from PROJECT.side_effects import side_effect

over = Signal()
within = Signal()
after_commit = Signal()


@side_effect(over, max_queries=0)
def count_groups(sender, **kwargs):
    """Count the groups: one query, over a budget of none."""
    Group.objects.count()


@side_effect(within, max_queries=1)
def count_groups_once(sender, **kwargs):
    """Count the groups: one query, within its budget."""
    Group.objects.count()


@side_effect(after_commit, on_commit=True, max_queries=1)
def count_groups_twice_after_commit(sender, **kwargs):
    """Count the groups twice once the transaction commits."""
    Group.objects.count()
    Group.objects.exists()


@pytest.mark.django_db
def test_over_budget():
    over.send(sender=None)
    over.send(sender=None)


@pytest.mark.django_db
def test_within_budget():
    within.send(sender=None)


@pytest.mark.django_db(transaction=True)
def test_over_budget_after_commit():
    with transaction.atomic():
        after_commit.send(sender=None)


class TestClassSetUp(TestCase):
    @classmethod
    def setUpTestData(cls):
        over.send(sender=None)

    def test_first(self):
        within.send(sender=None)

    def test_second(self):
        within.send(sender=None)
'''.replace("PROJECT", PROJECT_PACKAGE)


# The inner run, started by conftest.py as soon as these tests are collected (see there).
INNER_RUN = pytest.StashKey["subprocess.Popen[str]"]()


def start_inner_run(directory: Path) -> subprocess.Popen[str]:
    """Start a fresh pytest with the plugin and this run's settings on the inner tests."""
    (directory / "test_budgets.py").write_text(INNER_TESTS)
    (directory / "pytest.ini").write_text("[pytest]\ndjango_find_project = false\n")
    env = process_env()
    plugin = f"{KIT_PACKAGE}.testing.pytest_plugin"
    command = [sys.executable, "-m", "pytest", "-p", plugin, "-p", "no:cacheprovider"]
    command += ["-c", str(directory / "pytest.ini"), "-rf", "--receiver-durations=0"]
    command += ["--side-effects-trace"]
    command += ["--no-migrations"]  # the inner tests query auth tables only: create them directly
    return subprocess.Popen(  # noqa: S603 - this interpreter running pytest on a file made above
        [*command, str(directory)],
        cwd=directory,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def inner_run(request: pytest.FixtureRequest) -> subprocess.CompletedProcess[str]:
    """The inner tests' run, which conftest.py started at collection, once it has finished."""
    started = request.config.stash[INNER_RUN]
    stdout, stderr = started.communicate(timeout=120)
    return subprocess.CompletedProcess(started.args, started.returncode, stdout, stderr)


def test_a_receiver_over_budget_fails_the_test_that_triggered_it(
    inner_run: subprocess.CompletedProcess[str],
) -> None:
    output = inner_run.stdout

    assert inner_run.returncode == 1, output
    assert "2 failed, 2 passed, 1 error" in output
    assert "FAILED test_budgets.py::test_over_budget" in output
    overrun = "Receiver test_budgets.count_groups ran 1 database query; its budget is max_queries=0"
    assert f"{overrun} (savepoints are not counted). (2 times)" in output
    assert "move the work into a task" in output
    assert "raise max_queries in its @side_effect(...)" in output


def test_an_on_commit_receiver_is_measured_when_its_body_runs(
    inner_run: subprocess.CompletedProcess[str],
) -> None:
    assert "FAILED test_budgets.py::test_over_budget_after_commit" in inner_run.stdout
    assert (
        "Receiver test_budgets.count_groups_twice_after_commit ran 2 database queries; "
        "its budget is max_queries=1 (savepoints are not counted)."
    ) in inner_run.stdout


def test_receiver_durations_lists_the_slowest_receivers(
    inner_run: subprocess.CompletedProcess[str],
) -> None:
    summary = inner_run.stdout.partition("slowest receivers")[2]

    for name in ("count_groups", "count_groups_once", "count_groups_twice_after_commit"):
        assert f"  test_budgets.{name}\n" in summary
    assert "1 call " in summary


def test_side_effects_trace_prints_the_receivers_each_test_fired(
    inner_run: subprocess.CompletedProcess[str],
) -> None:
    traces = inner_run.stdout.partition("side effects of each test")[2]

    assert "Side effects of test_budgets.py::test_within_budget: 1 receiver call" in traces
    assert "test_budgets.within from any -> test_budgets.count_groups_once: ran now" in traces
    assert "-> test_budgets.count_groups_twice_after_commit: ran on commit" in traces


def test_a_run_of_chosen_tests_does_not_fail_for_untested_receivers(
    inner_run: subprocess.CompletedProcess[str],
) -> None:
    assert "untested receivers" not in inner_run.stdout


def test_a_violation_in_set_up_test_data_is_charged_to_the_class(
    inner_run: subprocess.CompletedProcess[str],
) -> None:
    output = inner_run.stdout

    assert "TestClassSetUp (class set-up): a receiver broke its rules." in output
    assert "ERROR at setup of TestClassSetUp.test_first" in output  # where pytest runs it


def test_the_summary_shows_each_distinct_violation_once_with_a_count(
    inner_run: subprocess.CompletedProcess[str],
) -> None:
    summary = inner_run.stdout.partition("= receiver rules =")[2]
    overrun = "Receiver test_budgets.count_groups ran 1 database query"

    assert "Receiver rules broken in this run: 2 distinct violations, 4 in all:" in summary
    assert "(3 times; first in test_budgets.py::test_over_budget)" in summary
    # pytest's own short summary lines repeat a failure's first line (in full under CI=true).
    reports = [line for line in inner_run.stdout.splitlines() if not line.startswith("FAILED ")]
    assert "\n".join(reports).count(overrun) == 3  # the test, the class's set-up, the summary
