"""Run a baked project's commands in its own virtual environment, warm, as its developers would.

The template's test environment holds every option's packages and extra pytest plugins (xdist,
Celery's), which a project's own environment does not have; and a machine may set
``PYTHONDONTWRITEBYTECODE``, which makes every run compile its modules from source. Neither is
the gate a developer waits for, so the benchmarks install the project with ``uv sync`` (its
``pyproject.toml``, dev group included) and let Python cache bytecode.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers import isolated_env


def own_environment(project: Path) -> dict[str, str]:
    """Install ``project`` into ``<project>/.venv``; the variables its commands then run with."""
    uv = shutil.which("uv")
    if uv is None:
        sys.exit("the benchmarks install each project with uv, which is not installed")
    env = isolated_env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    venv = project / ".venv"
    installed = subprocess.run(
        [uv, "sync", "--quiet", "--python", sys.executable],
        cwd=project,
        env={**env, "UV_PROJECT_ENVIRONMENT": str(venv)},
        capture_output=True,
        text=True,
        check=False,
    )
    if installed.returncode != 0:
        sys.exit(f"uv sync failed in {project}:\n{installed.stderr}")
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    return env


def run_checked(project: Path, env: dict[str, str], *command: str) -> str:
    """Run ``command`` at the project's root in ``env``, return its output; stop if it fails."""
    result = subprocess.run(
        list(command), cwd=project, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed in {project}:\n{result.stdout}\n{result.stderr}")
    return result.stdout
