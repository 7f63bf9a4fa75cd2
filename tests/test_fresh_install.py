"""A baked project installs into a brand-new virtual environment and passes its gate there.

The other tests run baked projects with the template's own test environment, which holds every
option's dependencies; this one proves that a project's ``pyproject.toml`` declares all that
its code, its gate and its linters need. Both documented ways are exercised, one option each:
``uv sync`` for Celery (the generated README's way, dev group included by default) and
``pip install -e . --group dev`` for the database option (dependency groups need pip >= 25.1,
so the new environment's pip is upgraded first, as a user on an older bundled pip would have
to). Installers use their normal caches, so after the first
run this takes seconds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import bake_project, isolated_env, output_of

pytestmark = pytest.mark.slow

INSTALL_TIMEOUT = 300


def run(project: Path, *command: str | Path, env: dict[str, str]) -> str:
    """Run ``command`` at the project's root, require success, return its output."""
    result = subprocess.run(
        [str(part) for part in command],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"{' '.join(map(str, command))} failed:\n{output_of(result)}"
    return output_of(result)


def install_with_uv(project: Path, venv: Path, env: dict[str, str]) -> None:
    uv = os.environ.get("UV") or shutil.which("uv")  # `uv run` tells its children where it is
    if uv is None:
        pytest.skip("uv is not installed")
    run(
        project,
        uv,
        "sync",
        "--python",
        sys.executable,
        env={**env, "UV_PROJECT_ENVIRONMENT": str(venv)},
    )


def install_with_pip(project: Path, venv: Path, env: dict[str, str]) -> None:
    run(project, sys.executable, "-m", "venv", venv, env=env)
    python = venv / "bin" / "python"
    run(project, python, "-m", "pip", "install", "--quiet", "--upgrade", "pip>=25.1", env=env)
    run(project, python, "-m", "pip", "install", "--quiet", "-e", ".", "--group", "dev", env=env)


@pytest.mark.parametrize(
    ("installer", "background_tasks"),
    [
        # Each option once, each installer once: uv for Celery's extra dependencies.
        pytest.param(install_with_uv, "celery", id="uv-sync-celery"),
        pytest.param(install_with_pip, "database", id="pip-group-dev-database"),
    ],
)
def test_project_installs_from_its_pyproject_and_passes_its_gate(
    tmp_path: Path, installer, background_tasks: str
) -> None:
    project = bake_project(tmp_path, background_tasks=background_tasks)
    venv = project / ".venv"
    env = isolated_env()

    installer(project, venv, env)

    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    python = venv / "bin" / "python"
    # The new environment sees its own packages only, not the template's test environment.
    where = run(
        project,
        python,
        "-c",
        "import importlib.util as u, django, acme_shop;"
        "print(django.__file__, acme_shop.__file__, u.find_spec('cookiecutter'))",
        env=env,
    ).split()
    assert Path(where[0]).is_relative_to(venv), where
    assert Path(where[1]).is_relative_to(project), where
    assert where[2] == "None", "the new environment sees the template's test environment"

    gate = run(project, python, "-m", "pytest", "-p", "no:cacheprovider", env=env)
    assert " passed" in gate and " failed" not in gate, gate
    assert "All checks passed!" in run(project, venv / "bin" / "ruff", "check", ".", env=env)
    assert "already formatted" in run(
        project, venv / "bin" / "ruff", "format", "--check", ".", env=env
    )
    # Strict typing in the project's own environment: one without Celery must not need it.
    mypy = run(project, python, "-m", "mypy", "--cache-dir", tmp_path / "mypy", ".", env=env)
    assert "Success: no issues found" in mypy, mypy
