"""Bad answers are refused before anything is written: one clear line each, no directory left."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException

from .conftest import TEMPLATE_DIR, bake_project

# What bake_project keeps in the output directory for cookiecutter itself.
COOKIECUTTER_STATE = {"cookiecutter-config.yaml", "cookiecutters", "replay"}


def leftovers(output_dir: Path) -> list[str]:
    """Whatever a refused bake left in ``output_dir`` besides cookiecutter's own state."""
    return sorted(path.name for path in output_dir.iterdir() if path.name not in COOKIECUTTER_STATE)


BAD_ANSWERS = [
    pytest.param({"project_name": ""}, "project_name is empty", id="empty-name"),
    pytest.param({"project_name": "   "}, "project_name is empty", id="blank-name"),
    pytest.param({"project_name": "!!!"}, "project_name '!!!' has no letters", id="no-letters"),
    pytest.param({"project_name": "Shop " * 20}, "keep it to 60", id="absurdly-long-name"),
    pytest.param(
        {"project_name": "Acme\nShop"}, "project_name contains a line break", id="multiline-name"
    ),
    pytest.param(
        {"project_slug": "acme-shop"}, "'acme-shop' is not a valid package name", id="slug-dash"
    ),
    pytest.param(
        {"project_slug": "9lives"}, "'9lives' is not a valid package name", id="slug-digit"
    ),
    pytest.param(
        {"project_slug": "AcmeShop"}, "'AcmeShop' is not a valid package name", id="slug-upper"
    ),
    pytest.param({"project_slug": "class"}, "'class' is a Python keyword", id="slug-keyword"),
    pytest.param({"project_slug": "match"}, "'match' is a Python keyword", id="slug-soft-kw"),
    pytest.param(
        {"project_slug": "json"}, "shadows the standard-library module 'json'", id="slug-stdlib"
    ),
    pytest.param({"project_slug": "django"}, "'django' shadows a dependency", id="slug-django"),
    pytest.param({"project_slug": "celery"}, "'celery' shadows a dependency", id="slug-celery"),
    pytest.param({"project_slug": "config"}, "'config' shadows a dependency", id="slug-config"),
    pytest.param({"project_slug": "signals"}, "'signals' shadows a dependency", id="slug-signals"),
    pytest.param({"project_slug": "test"}, "'test' shadows a dependency", id="slug-test"),
    pytest.param({"description": ""}, "description is empty", id="empty-description"),
    pytest.param(
        {"description": 'A "quoted" shop'}, "description contains a double quote", id="quote"
    ),
    pytest.param(
        {"author_name": "A\\B"},
        "author_name contains a double quote or backslash",
        id="author-backslash",
    ),
    pytest.param(
        {"author_email": "not-an-email"},
        "author_email 'not-an-email' is not an e-mail",
        id="email-no-at",
    ),
    pytest.param(
        {"author_email": "a@b@example.com"}, "is not an e-mail address", id="email-two-ats"
    ),
    pytest.param(
        {"author_email": "team@example"}, "is not an e-mail address", id="email-no-domain"
    ),
]


@pytest.mark.parametrize(("answers", "message"), BAD_ANSWERS)
def test_bad_answer_is_refused_and_leaves_no_directory(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], answers: dict[str, str], message: str
) -> None:
    output_dir = tmp_path / "out"

    with pytest.raises(FailedHookException):
        bake_project(output_dir, **answers)

    errors = [line for line in capfd.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, errors
    assert message in errors[0]
    assert leftovers(output_dir) == []


def test_every_problem_is_reported_at_once(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(FailedHookException):
        bake_project(tmp_path, project_slug="json", author_email="nope", description="")

    errors = [line for line in capfd.readouterr().err.splitlines() if line.startswith("error:")]
    assert [error.split()[1] for error in errors] == ["project_slug", "description", "author_email"]


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"background_tasks": "rq"}, "choices are ['database', 'celery']"),
        ({"include_example_app": "maybe"}, "could not be converted to a boolean"),
    ],
    ids=["unknown-background-tasks", "not-yes-or-no"],
)
def test_cookiecutter_refuses_answers_outside_the_choices(
    tmp_path: Path, answers: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        bake_project(tmp_path, **answers)

    assert leftovers(tmp_path) == []


def test_command_line_refusal_names_the_problem_and_the_fix(tmp_path: Path) -> None:
    output_dir = tmp_path / "out"
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(output_dir)]
    result = subprocess.run(
        [*command, str(TEMPLATE_DIR), "project_slug=json"],
        capture_output=True,
        text=True,
        check=False,
        env={"HOME": str(tmp_path / "home")},  # cookiecutter's replay and cache land there
    )

    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "error: project_slug 'json' shadows the standard-library module 'json'; "
        "pass project_slug=json_app."
    )
    assert list(output_dir.iterdir()) == []


@pytest.mark.parametrize(
    "answers",
    [
        {"project_name": "Shop 2.0 - Next"},
        {"project_name": "Bäckerei Müller", "project_slug": "baeckerei"},
        {"include_example_app": "no", "background_tasks": "celery"},
        {"include_example_app": "yes"},
        {"author_email": "first.last+django@mail.example.co.uk"},
    ],
    ids=["digits-and-dashes", "non-ascii-name", "no-as-text", "yes-as-text", "plus-address"],
)
def test_unusual_but_valid_answers_render(tmp_path: Path, answers: dict[str, str]) -> None:
    project = bake_project(tmp_path, **answers)

    assert (project / "manage.py").is_file()
