"""``manage.py startapp NAME`` creates an app with the project's layout inside the package."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ...runtime.conf import PROJECT_PACKAGE
from ..management.commands.startapp import LayoutCommand

LAYOUT = [
    "__init__.py",
    "admin.py",
    "apps.py",
    "events.py",
    "migrations/__init__.py",
    "models.py",
    "selectors.py",
    "services/__init__.py",
    "signals.py",
    "tasks.py",
    "tests/__init__.py",
    "tests/test_app.py",
    "urls.py",
    "views.py",
]


@pytest.fixture
def package_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Create apps in ``tmp_path`` instead of the project package."""
    monkeypatch.setattr(LayoutCommand, "package_directory", lambda self: tmp_path)
    return tmp_path


def startapp(name: str) -> str:
    """What ``manage.py startapp NAME`` prints."""
    out = StringIO()
    call_command("startapp", name, stdout=out)
    return out.getvalue()


def test_creates_the_project_layout(package_directory: Path) -> None:
    output = startapp("billing")

    app = package_directory / "billing"
    created = sorted(str(path.relative_to(app)) for path in app.rglob("*") if path.is_file())
    assert created == LAYOUT
    assert f'Add "{PROJECT_PACKAGE}.billing" to INSTALLED_APPS' in output


def test_the_app_config_is_named_inside_the_package_and_connects_the_receivers(
    package_directory: Path,
) -> None:
    startapp("gift_cards")

    apps_module = (package_directory / "gift_cards" / "apps.py").read_text()
    assert "class GiftCardsConfig(AppConfig):" in apps_module
    assert f'name = "{PROJECT_PACKAGE}.gift_cards"' in apps_module
    assert "from . import signals  # noqa: F401" in apps_module


def test_every_module_is_rendered_python(package_directory: Path) -> None:
    startapp("billing")

    for path in (package_directory / "billing").rglob("*.py"):
        source = path.read_text()
        assert "{" + "{" not in source, path
        compile(source, str(path), "exec")


def test_refuses_an_app_that_exists(package_directory: Path) -> None:
    (package_directory / "billing").mkdir()

    with pytest.raises(CommandError, match="already exists"):
        startapp("billing")


def test_refuses_a_name_that_is_not_an_identifier(package_directory: Path) -> None:
    with pytest.raises(CommandError, match="not a valid app name"):
        startapp("gift-cards")

    assert not (package_directory / "gift-cards").exists()
