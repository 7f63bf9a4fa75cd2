"""The ``adopt`` template adds the kit to an existing Django project, on the project's terms.

A small project is made by hand the way existing ones are laid out (django-axes' shape: the
package ``shop`` at the root, the settings in ``tests/settings.py``, apps beside the package,
its own ``makemigrations``, plain ``@receiver`` functions, a ``signals`` module in a package
that is not an app). The kit is rendered into it with the command the README gives; then
``manage.py check`` judges its receivers without a word about the template's layout, the
project's own command still runs and the signal map lists its receivers. Bad answers write
nothing.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .helpers import TEMPLATE_DIR, output_of, run_in_project

# The existing project, file by file.
HOST_PROJECT = {
    "manage.py": """#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
""",
    "shop/__init__.py": "",
    "shop/apps.py": """from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "shop"
""",
    "orders/__init__.py": "",
    "orders/apps.py": """from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self):
        from common import signals as common_signals  # noqa: F401

        from . import signals  # noqa: F401
""",
    "orders/signals.py": '''from django.contrib.auth.models import User
from django.db.models.signals import post_save
from django.dispatch import receiver


@receiver(post_save, sender=User)
def welcome_customer(sender, instance, created, **kwargs):
    """Send the new customer a welcome e-mail."""
''',
    "orders/management/__init__.py": "",
    "orders/management/commands/__init__.py": "",
    "orders/management/commands/makemigrations.py": """import os

from django.core.management.base import CommandError
from django.core.management.commands import makemigrations


class Command(makemigrations.Command):
    def handle(self, *args, **options):
        if os.environ.get("SHOP_ENV") != "development":
            raise CommandError("shop: makemigrations runs in development only.")
        super().handle(*args, **options)
""",
    "common/__init__.py": "",
    "common/signals.py": '''from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in)
def count_login(sender, user, **kwargs):
    """Count the login for the dashboard."""
''',
    "tests/__init__.py": "",
    "tests/settings.py": """SECRET_KEY = "only-for-the-tests"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "shop",
    "orders",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
""",
}


# Step 2 for pytest: the project's conftest.py enables the kit's plugin.
PYTEST_STEP = 'pytest_plugins = ["shop.side_effects.testing.pytest_plugin"]'


def make_host(root: Path) -> Path:
    """Write the existing project under ``root``; return its root."""
    for name, text in HOST_PROJECT.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def adopt(root: Path, into: str, **answers: str) -> subprocess.CompletedProcess[str]:
    """The README's command, ``cookiecutter TEMPLATE --directory adopt -o ROOT/INTO``, with
    ``answers`` and no questions; cookiecutter's own state goes beside the project."""
    output_dir, state = root / into, root.parent
    config_file = state / "cookiecutter-config.yaml"
    config_file.write_text(f"cookiecutters_dir: {state / 'cc'}\nreplay_dir: {state / 'replay'}\n")
    command = [sys.executable, "-m", "cookiecutter", str(TEMPLATE_DIR), "--directory", "adopt"]
    command += ["-o", str(output_dir), "--no-input", "--config-file", str(config_file)]
    command += [f"{key}={value}" for key, value in answers.items()]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The host project with the kit adopted and its settings added; the command's output."""
    root = make_host(tmp_path_factory.mktemp("adoption") / "host")
    result = adopt(root, "shop", package="shop", settings_module="tests.settings")
    assert result.returncode == 0, output_of(result)
    settings = root / "tests" / "settings.py"
    settings.write_text(settings.read_text() + settings_step(result.stdout))
    (root / "conftest.py").write_text(f"{PYTEST_STEP}\n")
    return root, result.stdout


def settings_step(steps: str) -> str:
    """The lines the printed steps say to add to the settings module (step 1's code)."""
    step = steps.partition("1. Settings")[2].partition("The kit needs")[0]
    return textwrap.dedent(step.partition("\n")[2])


def manage(root: Path, *arguments: str, **env: str) -> str:
    """``python manage.py ARGUMENTS`` in the host project: its output, and the exit status."""
    result = run_in_project(root, sys.executable, "manage.py", *arguments, **env)
    return f"exit {result.returncode}\n{output_of(result)}"


def test_the_kit_is_rendered_into_the_package(adopted: tuple[Path, str]) -> None:
    root, _ = adopted
    kit = root / "shop" / "side_effects"

    assert (kit / "runtime" / "decorator.py").is_file()
    assert (kit / "tracing" / "templates" / "side_effects" / "panel.html").is_file()
    assert not (kit / "scaffolding").exists()  # the template's layout only
    advice = (kit / "testing" / "advice.py").read_text()
    assert "a task of the project's queue that the service making the change enqueues" in advice
    for template_only in ("background", "<app>/tasks.py", "{{", "{%"):
        assert template_only not in advice


def test_the_command_prints_the_steps_that_follow(adopted: tuple[Path, str]) -> None:
    _, steps = adopted

    for step in (
        "1. Settings (tests.settings):",
        'INSTALLED_APPS = [*INSTALLED_APPS, "shop.side_effects.inspection"]',
        "SIDE_EFFECTS_PROJECT_ROOTS = [Path(__file__).resolve().parents[1]]",
        "SIDE_EFFECTS_TEMPLATE_LAYOUT = False",
        PYTEST_STEP,
        'TEST_RUNNER = "shop.side_effects.testing.django_runner.GuardedTestRunner"',
        "SIDE_EFFECTS_BASELINE",
        "SIDE_EFFECTS_REPORT_ONLY",
        "python manage.py check --tag signals",
        "python manage.py signalmap",
    ):
        assert step in steps, steps


def test_check_judges_the_receivers_and_not_the_layout(adopted: tuple[Path, str]) -> None:
    root, _ = adopted

    output = manage(root, "check")

    assert output.startswith("exit 1"), output
    assert "orders.signals.welcome_customer: (side_effects.E002)" in output
    # A signals module of a package that is no app, imported at start-up: at home.
    assert "common.signals.count_login: (side_effects.E002)" in output
    assert "common.signals.count_login: (side_effects.E001)" not in output
    assert "from shop.side_effects" in output
    for template_only in ("E005", "contract", "pyproject.toml", "startapp", "config/settings"):
        assert template_only not in output


def test_the_projects_own_makemigrations_still_runs(adopted: tuple[Path, str]) -> None:
    root, _ = adopted

    refused = manage(root, "makemigrations", "--skip-checks")
    allowed = manage(root, "makemigrations", "--skip-checks", SHOP_ENV="development")

    assert refused.startswith("exit 1"), refused
    assert "shop: makemigrations runs in development only." in refused
    assert allowed.startswith("exit 0"), allowed
    assert "No changes detected" in allowed


def test_the_signal_map_lists_the_projects_receivers(adopted: tuple[Path, str]) -> None:
    root, _ = adopted

    output = manage(root, "signalmap")
    markdown = manage(root, "signalmap", "--format", "markdown")

    assert output.startswith("exit 0"), output
    assert "orders.signals.welcome_customer" in output
    assert "common.signals.count_login" in output
    assert "| `orders.signals.welcome_customer` |" in markdown, markdown
    assert "The gate" not in markdown  # the template's pytest gate, which the project lacks


def test_the_kits_own_tests_pass_under_the_projects_settings(adopted: tuple[Path, str]) -> None:
    root, _ = adopted

    pytest = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--ds=tests.settings"]
    run = run_in_project(root, *pytest, "-q", "shop/side_effects")

    assert run.returncode == 0, output_of(run)
    assert " passed" in run.stdout


def hook_errors(stderr: str) -> list[str]:
    """The hook's own lines in ``stderr`` (cookiecutter adds a traceback of its own after them)."""
    return [line for line in stderr.splitlines() if line.startswith("error:")]


@pytest.mark.parametrize(
    ("answers", "into", "message"),
    [
        pytest.param(
            {"package": "my-shop"},
            "my-shop",
            "package 'my-shop' is not a Python identifier",
            id="package",
        ),
        pytest.param(
            {"settings_module": "tests/settings.py"},
            "shop",
            "is a file name; pass the dotted module DJANGO_SETTINGS_MODULE names, e.g. "
            "settings_module=tests.settings.",
            id="settings-file",
        ),
        pytest.param(
            {"settings_module": "tests..settings"},
            "shop",
            "settings_module 'tests..settings' is not a dotted module path",
            id="settings-not-dotted",
        ),
        pytest.param(
            {}, "orders/management", "is not the directory of the package 'shop'", id="wrong-o"
        ),
    ],
)
def test_a_bad_answer_is_refused_and_writes_nothing(
    tmp_path: Path, answers: dict[str, str], into: str, message: str
) -> None:
    root = make_host(tmp_path / "host")
    (root / "my-shop").mkdir()
    (root / "my-shop" / "__init__.py").write_text("")
    before = sorted(root.rglob("*"))

    result = adopt(
        root, into, **{"package": "shop", "settings_module": "tests.settings", **answers}
    )

    errors = hook_errors(result.stderr)
    assert result.returncode != 0
    assert len(errors) == 1, output_of(result)
    assert message in errors[0]
    assert sorted(root.rglob("*")) == before
