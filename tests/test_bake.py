"""Every combination of options renders cleanly and passes its own gate and ruff."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from .helpers import TEMPLATE_DIR, bake_project, output_of, run_gate, run_in_project

COMBINATIONS = [
    pytest.param(background_tasks, include_example_app, id=f"{background_tasks}-{label}")
    for background_tasks in ("database", "celery")
    for include_example_app, label in ((True, "example"), (False, "bare"))
]

# Django's startapp template and the kit's Django templates legitimately hold Django template
# syntax, copied without rendering (cookiecutter.json's _copy_without_render).
VERBATIM_DIRECTORIES = ("app_template", "templates")
# GitHub Actions expressions (${{ ... }}) are meant to stay.
JINJA_LEFTOVERS = re.compile(r"(?<!\$)\{\{|\{%|\{#|cookiecutter")


def project_files(project: Path) -> list[Path]:
    return [
        path
        for path in project.rglob("*")
        if path.is_file() and not set(VERBATIM_DIRECTORIES) & set(path.parts)
    ]


def test_default_answers_render_acme_shop(default_project: Path) -> None:
    assert default_project.name == "acme_shop"
    assert (default_project / "acme_shop" / "catalog" / "services" / "__init__.py").is_file()
    assert 'name = "acme-shop"' in (default_project / "pyproject.toml").read_text()


@pytest.mark.parametrize(("background_tasks", "include_example_app"), COMBINATIONS)
def test_combination_renders_and_passes_its_gate(
    tmp_path: Path, background_tasks: str, include_example_app: bool
) -> None:
    project = bake_project(
        tmp_path, background_tasks=background_tasks, include_example_app=include_example_app
    )

    leftovers = [
        f"{path.relative_to(project)}: {match.group()}"
        for path in project_files(project)
        if (match := JINJA_LEFTOVERS.search(path.read_text()))
    ]
    assert leftovers == [], "unrendered template text"

    assert (project / "config" / "celery.py").exists() == (background_tasks == "celery")
    task_tests = sorted(path.name for path in project.rglob("test_tasks_on_*.py"))
    assert task_tests == ([f"test_tasks_on_{background_tasks}.py"] if include_example_app else [])
    assert (project / "acme_shop" / "catalog").exists() == include_example_app
    background = project / "acme_shop" / "background"
    assert (background / "outbox.py").exists() == (background_tasks == "celery")
    assert (background / "recovery.py").exists() == (background_tasks == "database")
    commands = {path.stem for path in (background / "management" / "commands").glob("[!_]*.py")}
    worker_command = "db_worker" if background_tasks == "database" else "relay_outbox"
    assert commands == {"dead_tasks", worker_command}
    dependencies = (project / "pyproject.toml").read_text()
    assert ("celery" in dependencies) == (background_tasks == "celery")
    assert ("django-tasks-db" in dependencies) == (background_tasks == "database")

    for command in (("ruff", "check", "."), ("ruff", "format", "--check", ".")):
        result = run_in_project(project, sys.executable, "-m", *command)
        assert result.returncode == 0, output_of(result)

    gate = run_gate(project)
    assert gate.returncode == 0, output_of(gate)
    assert " passed" in gate.stdout


def test_django_template_syntax_is_copied_verbatim(default_project: Path) -> None:
    """startapp's templates hold ``{{ app_name }}``: cookiecutter must copy, not render, them."""
    source = next(TEMPLATE_DIR.glob("*/*/side_effects/scaffolding/app_template"))
    copied = default_project / "acme_shop" / "side_effects" / "scaffolding" / "app_template"

    source_files = sorted(path.relative_to(source) for path in source.rglob("*") if path.is_file())
    assert source_files == sorted(
        path.relative_to(copied) for path in copied.rglob("*") if path.is_file()
    )
    assert any("{{" in (source / name).read_text() for name in source_files)
    for name in source_files:
        assert (copied / name).read_bytes() == (source / name).read_bytes(), name


# What a web process's start-up (wsgi.py) leaves loaded of the kit, printed as JSON.
KIT_MODULES_AT_STARTUP = """
import json, sys
from django.core.wsgi import get_wsgi_application
get_wsgi_application()
kit = [name for name in sys.modules if name.startswith("acme_shop.side_effects.")]
print(json.dumps(sorted(kit)))
"""


def test_a_web_process_loads_the_kits_runtime_and_nothing_above_it(default_project: Path) -> None:
    """The receiver checks are imported when Django first runs checks, never at start-up."""
    started = run_in_project(
        default_project,
        sys.executable,
        "-c",
        KIT_MODULES_AT_STARTUP,
        DJANGO_SETTINGS_MODULE="config.settings.test",
    )
    assert started.returncode == 0, output_of(started)
    loaded = json.loads(started.stdout.splitlines()[-1])

    # Django imports each installed app's package and apps.py: the kit's two apps stop there.
    app_configs = {
        f"acme_shop.side_effects.{app}{module}"
        for app in ("inspection", "scaffolding")
        for module in ("", ".apps")
    }
    assert "acme_shop.side_effects.runtime.decorator" in loaded
    beyond_runtime = [
        name
        for name in loaded
        if not name.startswith("acme_shop.side_effects.runtime") and name not in app_configs
    ]
    assert beyond_runtime == []
