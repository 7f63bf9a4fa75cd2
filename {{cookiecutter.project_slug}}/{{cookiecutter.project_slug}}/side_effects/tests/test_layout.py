"""Where the project's code lives, and whether it has the template's layout, are settings.

``SIDE_EFFECTS_PROJECT_ROOTS`` decides what is judged; ``SIDE_EFFECTS_TEMPLATE_LAYOUT`` off (a
project that adopted the kit) drops E005 and every word about the import contracts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from types import ModuleType

import pytest
from django.apps import AppConfig
from django.dispatch import Signal
from django.test import override_settings

from ..inspection.checks import apps_and_modules, check_receivers, placement
from ..inspection.connections import app_of
from ..inspection.loading import ProjectModules, load_project_modules
from ..inspection.scope import forget_project_roots, is_project_file, is_project_module
from ..runtime.conf import DEFAULT_PROJECT_ROOT, PROJECT_PACKAGE, project_roots
from .receivers import Connect, ConnectPlainly, make_receiver
from .test_checks import messages_about

ping = Signal()
# A package of the project that is not an installed app, and its receivers' module.
COMMON_SIGNALS = f"{PROJECT_PACKAGE}.common.signals"


@contextmanager
def roots_setting(value: list[str] | None) -> Iterator[None]:
    """``SIDE_EFFECTS_PROJECT_ROOTS = value`` for the block, read afresh on both sides."""
    try:
        with override_settings(SIDE_EFFECTS_PROJECT_ROOTS=value):
            forget_project_roots()
            yield
    finally:
        forget_project_roots()


def roots(*directories: Path) -> AbstractContextManager[None]:
    """``SIDE_EFFECTS_PROJECT_ROOTS = directories`` for the block."""
    return roots_setting([str(each) for each in directories])


# Either layout, whichever the running settings have (a project that adopted the kit runs
# these tests too).
adopted = override_settings(SIDE_EFFECTS_TEMPLATE_LAYOUT=False)
template_layout = override_settings(SIDE_EFFECTS_TEMPLATE_LAYOUT=True)


@pytest.fixture
def common_is_no_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make COMMON_SIGNALS belong to no installed app (the project package may be one)."""

    def no_app_for_common(module: str) -> AppConfig | None:
        return None if module.startswith(COMMON_SIGNALS) else app_of(module)

    monkeypatch.setattr(placement, "app_of", no_app_for_common)


def app_outside_the_package(tmp_path: Path) -> AppConfig:
    """An app ``billing`` beside the project package, as an existing project has them."""
    module = ModuleType("billing")
    module.__path__ = [str(tmp_path)]
    return AppConfig("billing", module)


def test_the_default_root_is_the_repository_root() -> None:
    with roots_setting(None):
        assert project_roots() == (DEFAULT_PROJECT_ROOT,)
        assert is_project_module(f"{PROJECT_PACKAGE}.side_effects")


def test_a_root_setting_changes_what_is_judged(
    connect_plainly: ConnectPlainly, tmp_path: Path
) -> None:
    connect_plainly(ping, make_receiver("judged_here", calls=[]))
    assert messages_about("judged_here")

    with roots(tmp_path):
        assert messages_about("judged_here") == []
        assert not is_project_module(f"{PROJECT_PACKAGE}.side_effects")
        assert is_project_file(str(tmp_path / "elsewhere" / "signals.py"))

    assert [message.id for message in messages_about("judged_here")] == ["side_effects.E002"]


def test_e007_a_root_that_is_not_a_directory(tmp_path: Path) -> None:
    with roots(tmp_path / "sorce", DEFAULT_PROJECT_ROOT):
        [message] = apps_and_modules.check_project_roots()

    assert message.id == "side_effects.E008"
    assert f"names {tmp_path / 'sorce'}, which is not a directory" in message.msg
    assert "SIDE_EFFECTS_PROJECT_ROOTS = [Path(__file__).resolve().parents[1]]" in str(message.hint)


def test_e007_roots_that_hold_no_installed_app(tmp_path: Path) -> None:
    with roots(tmp_path):
        messages = [each for each in check_receivers() if each.id == "side_effects.E008"]

    assert [message.msg for message in messages] == [
        "SIDE_EFFECTS_PROJECT_ROOTS holds none of the installed apps, so no receiver there is "
        "judged."
    ]


def test_the_default_roots_pass_their_check() -> None:
    assert apps_and_modules.check_project_roots() == []


def test_several_roots_each_hold_project_code(tmp_path: Path) -> None:
    with roots(tmp_path, DEFAULT_PROJECT_ROOT):
        assert is_project_file(str(tmp_path / "apps" / "models.py"))
        assert is_project_module(f"{PROJECT_PACKAGE}.side_effects")


@template_layout
def test_e005_an_app_outside_the_package_in_the_template_layout(tmp_path: Path) -> None:
    [message] = apps_and_modules.check_inside_package(app_outside_the_package(tmp_path))

    assert message.id == "side_effects.E005"
    assert "import contracts (pyproject.toml)" in message.msg
    assert "startapp" in str(message.hint)


@adopted
def test_an_adopted_project_keeps_its_apps_where_they_are(tmp_path: Path) -> None:
    assert apps_and_modules.check_inside_package(app_outside_the_package(tmp_path)) == []


@template_layout
@pytest.mark.usefixtures("common_is_no_app")
def test_e001_names_the_contracts_in_the_template_layout(connect: Connect) -> None:
    connect(ping, make_receiver("in_common", calls=[], module=COMMON_SIGNALS))

    [message] = messages_about("in_common", module=COMMON_SIGNALS)

    assert message.id == "side_effects.E001"
    assert "the import contracts cover it" in str(message.hint)


@adopted
@pytest.mark.usefixtures("common_is_no_app")
def test_e001_a_non_app_signals_module_that_nothing_imports_at_startup(connect: Connect) -> None:
    connect(ping, make_receiver("in_common", calls=[], module=COMMON_SIGNALS))

    [message] = messages_about("in_common", module=COMMON_SIGNALS)

    assert message.id == "side_effects.E001"
    assert f"defined in {COMMON_SIGNALS}, which nothing imports at startup" in message.msg
    assert f"Import {COMMON_SIGNALS} in the ready() of the AppConfig" in str(message.hint)
    assert "contract" not in f"{message.msg} {message.hint}"


@adopted
@pytest.mark.usefixtures("common_is_no_app")
def test_a_non_app_signals_module_imported_at_startup_is_accepted(
    connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = load_project_modules()
    at_startup = ProjectModules(loaded.at_startup | {COMMON_SIGNALS}, (), loaded.sources)
    monkeypatch.setattr(placement, "load_project_modules", lambda: at_startup)
    connect(ping, make_receiver("in_common", calls=[], module=COMMON_SIGNALS))

    assert messages_about("in_common", module=COMMON_SIGNALS) == []


@adopted
def test_an_adopted_projects_hints_name_no_template_file(
    connect: Connect, connect_plainly: ConnectPlainly
) -> None:
    services = f"{PROJECT_PACKAGE}.common.services"
    connect(ping, make_receiver("misplaced", calls=[], module=services, doc=None))
    connect(ping, make_receiver("greedy", calls=[]), max_queries=50)

    messages = messages_about("misplaced", module=services) + messages_about("greedy")

    assert {message.id for message in messages} == {
        "side_effects.E001",
        "side_effects.E006",
        "side_effects.W001",
    }
    said = " ".join(f"{message.msg} {message.hint}" for message in messages)
    for template_only in ("contract", "config/settings/base.py", "docs/signals.md", "startapp"):
        assert template_only not in said
