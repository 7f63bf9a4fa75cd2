"""A project made with cruft stays updatable: an empty diff when fresh, clean template updates.

The template is copied (as the worktree has it, ignored files left out) into a git repository
made by the test, so cruft clones, checks out and re-renders it exactly as it would a remote.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .helpers import TEMPLATE_DIR, VENV_BIN, output_of, run_in_project

CRUFT = str(VENV_BIN / "cruft")


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` with a fixed identity and return its output (failing loudly)."""
    result = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"git {' '.join(args)}:\n{output_of(result)}"
    return result.stdout


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", message)


def template_repository(destination: Path) -> Path:
    """A git repository holding the template's files (tracked or new, never ignored ones)."""
    listed = git(TEMPLATE_DIR, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    for name in filter(None, listed.split("\0")):
        source = TEMPLATE_DIR / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
            target.chmod(source.stat().st_mode)
    git(destination, "init", "--quiet", "--initial-branch", "main")
    commit_all(destination, "template")
    return destination


def cruft(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run cruft in ``directory``, which also stands in for the home directory."""
    return run_in_project(directory, CRUFT, *args, HOME=str(directory))


@pytest.fixture
def cruft_project(tmp_path: Path) -> tuple[Path, Path]:
    """A template repository and a project created from it with ``cruft create``, committed."""
    template = template_repository(tmp_path / "template")
    (tmp_path / "out").mkdir()
    created = cruft(tmp_path / "out", "create", "--no-input", str(template))
    assert created.returncode == 0, output_of(created)
    project = tmp_path / "out" / "acme_shop"
    git(project, "init", "--quiet", "--initial-branch", "main")
    commit_all(project, "project")
    return template, project


def test_fresh_project_shows_an_empty_cruft_diff(cruft_project: tuple[Path, Path]) -> None:
    _, project = cruft_project
    first_run = run_in_project(project, str(VENV_BIN / "python"), "manage.py", "check")
    assert first_run.returncode == 0, output_of(first_run)
    assert (project / ".env").is_file()  # the local secret exists, outside the rendered tree

    result = cruft(project, "diff", "--exit-code")

    assert result.returncode == 0, output_of(result)
    assert result.stdout.strip() == ""


def test_cruft_update_applies_a_template_change_without_rejects(
    cruft_project: tuple[Path, Path],
) -> None:
    template, project = cruft_project
    run_in_project(project, str(VENV_BIN / "python"), "manage.py", "check")
    readme = template / "{{cookiecutter.project_slug}}" / "README.md"
    readme.write_text(readme.read_text() + "\nUpdated by the template.\n")
    settings = template / "{{cookiecutter.project_slug}}" / "config" / "settings" / "base.py"
    settings.write_text(settings.read_text().replace('TIME_ZONE = "UTC"', 'TIME_ZONE = "UTC"  # x'))
    commit_all(template, "a template change")

    result = cruft(project, "update", "--skip-apply-ask")

    assert result.returncode == 0, output_of(result)
    assert sorted(path.name for path in project.rglob("*.rej")) == []
    assert (project / "README.md").read_text().endswith("Updated by the template.\n")
    assert 'TIME_ZONE = "UTC"  # x' in (project / "config" / "settings" / "base.py").read_text()
