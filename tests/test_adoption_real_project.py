"""The kit adopted into a real open-source Django project from the package index: django-axes.

Not written by us, not made from the template: its package at the root, its settings in
``tests/settings.py``, plain ``@receiver`` functions in ``axes/signals.py`` and 350 tests run by
``manage.py test``. The adopt command and the README's settings steps (``tests/adoption.py``)
give it the kit; then, as a team would: ``check`` names its receivers and fails, the signal map
lists them, a baseline accepts today's findings, a slice of the project's own tests runs green
with the guards on (serially and with ``--parallel``); a new plain receiver fails ``check``, a
new receiver over its budget fails the slice, and a baselined finding that is fixed fails as
stale until the baseline is rewritten.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .adoption import BASELINE, PACKAGE, TEST_SLICE, adopt_kit, download_project
from .helpers import output_of, run_in_project

pytestmark = pytest.mark.slow

# A receiver added after the baseline, plain: a new finding.
NEW_PLAIN_RECEIVER = '''

@receiver(user_logged_in)
def note_login(*args, **kwargs):
    """Note a login (added after the baseline)."""
'''

# A converted receiver that queries inside a budget of none, on a signal the slice sends.
NEW_OVER_BUDGET_RECEIVER = '''

from axes.side_effects import side_effect


@side_effect(user_login_failed, max_queries=0)
def count_attempts(*args, **kwargs):
    """Count the stored access attempts (added after the baseline)."""
    AccessAttempt.objects.count()
'''

# The baselined plain receiver of setting_changed, converted: its E002 entry is stale.
PLAIN_SETTING_RECEIVER = "@receiver(setting_changed)\ndef handle_setting_changed("
CONVERTED_SETTING_RECEIVER = (
    "from axes.side_effects import side_effect\n\n\n"
    "@side_effect(setting_changed, max_queries=0)\ndef handle_setting_changed("
)


@pytest.fixture
def axes(tmp_path: Path) -> Path:
    """django-axes from PyPI, with the kit adopted (each test its own copy)."""
    root = download_project(tmp_path)
    adopt_kit(root)
    return root


def manage(root: Path, *args: str) -> tuple[int, str]:
    """``python manage.py ARGS`` in the project: its exit status and output."""
    result = run_in_project(root, sys.executable, "manage.py", *args, timeout=300)
    return result.returncode, output_of(result)


def test_the_kit_is_adopted_gradually_into_a_real_project(axes: Path) -> None:
    status, output = manage(axes, "check")
    assert status != 0, output
    assert f"{PACKAGE}.signals.handle_user_login_failed: (side_effects.E002)" in output
    # It hands the work, through a decorator, to the handler AxesProxyHandler picks at run time.
    unseen = "The estimate leaves out the calls chosen at run time: cls.get_implementation()"
    assert f"{unseen}.user_login_failed() at axes/handlers/proxy.py:" in output
    assert "which it calls through axes.helpers.toggleable.<locals>.inner" in output
    assert "side_effects.E005" not in output
    assert "import contracts" not in output

    status, signal_map = manage(axes, "signalmap")
    assert status == 0, signal_map
    assert f"{PACKAGE}.signals.handle_post_save_access_attempt" in signal_map

    status, output = manage(axes, "signalbaseline")
    assert status == 0, output
    assert (axes / BASELINE).is_file()
    status, output = manage(axes, "check")
    assert status == 0, output
    assert "Baseline:" in manage(axes, "signalmap")[1]

    for parallel in ([], ["--parallel", "2"]):  # each worker process guarded, too
        status, output = manage(axes, "test", *parallel, *TEST_SLICE)
        assert status == 0, output
        assert "OK" in output
        assert ("Cloning test database" in output) == bool(parallel)  # workers, each its own

    signals = axes / PACKAGE / "signals.py"
    original = signals.read_text()
    signals.write_text(original + NEW_PLAIN_RECEIVER)
    status, output = manage(axes, "check")
    assert status != 0, output
    assert f"{PACKAGE}.signals.note_login: (side_effects.E002)" in output
    assert "handle_user_login_failed" not in output  # accepted by the baseline

    assert PLAIN_SETTING_RECEIVER in original
    signals.write_text(original.replace(PLAIN_SETTING_RECEIVER, CONVERTED_SETTING_RECEIVER))
    status, output = manage(axes, "check")
    assert status != 0, output
    assert "side_effects.E009" in output
    assert f"{PACKAGE}.signals.handle_setting_changed" in output
    assert "python manage.py signalbaseline" in output
    assert manage(axes, "signalbaseline")[0] == 0
    assert f"{PACKAGE}.signals.handle_setting_changed" not in (axes / BASELINE).read_text()
    assert manage(axes, "check")[0] == 0


def test_a_new_receiver_over_its_budget_fails_the_projects_tests(axes: Path) -> None:
    assert manage(axes, "signalbaseline")[0] == 0
    signals = axes / PACKAGE / "signals.py"
    signals.write_text(signals.read_text() + NEW_OVER_BUDGET_RECEIVER)
    assert manage(axes, "check")[0] == 0

    for parallel in ([], ["--parallel", "2"]):
        status, output = manage(axes, "test", *parallel, *TEST_SLICE)

        assert status != 0, output
        assert f"Receiver {PACKAGE}.signals.count_attempts ran 1 database query" in output
        assert "its budget is max_queries=0" in output
