"""Bad answers are refused before anything is written: one clear line each, no directory left.

Only the pre-generation hook runs for a refused answer, so these tests are fast; the unusual
but valid answers bake a project and check what the answers became, not the project's gate.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from html import unescape
from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter
from markdown_it import MarkdownIt

from .helpers import TEMPLATE_DIR, bake_project, output_of, run_in_project

# What bake_project keeps in the output directory for cookiecutter itself.
COOKIECUTTER_STATE = {"cookiecutter-config.yaml", "cookiecutters", "replay"}


def leftovers(output_dir: Path) -> list[str]:
    """Whatever a refused bake left in ``output_dir`` besides cookiecutter's own state."""
    return sorted(path.name for path in output_dir.iterdir() if path.name not in COOKIECUTTER_STATE)


def hook_errors(stderr: str) -> list[str]:
    """The hook's own lines in ``stderr`` (cookiecutter adds a traceback of its own after them)."""
    return [line for line in stderr.splitlines() if line.startswith("error:")]


BAD_ANSWERS = [
    pytest.param({"project_name": ""}, "project_name is empty", id="empty-name"),
    pytest.param({"project_name": "   "}, "project_name is empty", id="blank-name"),
    pytest.param({"project_name": "!!!"}, "project_name '!!!' has no letters", id="no-letters"),
    pytest.param({"project_name": "Shop " * 20}, "keep it to 60", id="absurdly-long-name"),
    pytest.param(
        {"project_name": "Acme\nShop"}, "project_name contains a line break", id="multiline-name"
    ),
    pytest.param(
        {"project_slug": "acme-shop"},
        "'acme-shop' is not a valid package name",
        id="slug-dash",
    ),
    pytest.param({"project_slug": "9lives"}, "pass project_slug=project_9lives.", id="slug-digit"),
    pytest.param({"project_slug": "_acme"}, "pass project_slug=acme.", id="slug-underscore"),
    pytest.param({"project_slug": "acme_"}, "not ending with an underscore", id="slug-trailing"),
    pytest.param({"project_slug": "AcmeShop"}, "pass project_slug=acmeshop.", id="slug-upper"),
    pytest.param({"project_slug": "café"}, "pass project_slug=cafe.", id="slug-non-ascii"),
    pytest.param({"project_slug": "a" * 41}, "longer than 40 characters", id="slug-too-long"),
    pytest.param({"project_slug": "class"}, "'class' is a Python keyword", id="slug-keyword"),
    pytest.param({"project_slug": "match"}, "'match' is a Python keyword", id="slug-soft-keyword"),
    pytest.param({"project_slug": "type"}, "'type' is a Python keyword", id="slug-type"),
    pytest.param(
        {"project_slug": "json"},
        "shadows the standard-library module 'json'; pass project_slug=json_app.",
        id="slug-stdlib",
    ),
    pytest.param({"project_slug": "django"}, "shadows 'django', a package", id="slug-django"),
    pytest.param({"project_slug": "celery"}, "shadows 'celery', a package", id="slug-celery"),
    pytest.param({"project_slug": "six"}, "shadows 'six', a package", id="slug-transitive-dep"),
    pytest.param({"project_slug": "config"}, "taken by the settings package", id="slug-config"),
    pytest.param(
        {"project_slug": "signals"}, "taken by each app's receivers module", id="slug-signals"
    ),
    pytest.param({"project_slug": "test"}, "taken by Python's own", id="slug-test"),
    pytest.param({"project_slug": "tests"}, "taken by the tests directory", id="slug-tests"),
    pytest.param({"description": ""}, "description is empty", id="empty-description"),
    pytest.param({"description": "x" * 201}, "keep it to 200", id="long-description"),
    pytest.param(
        {"author_email": "not-an-email"},
        "author_email 'not-an-email' is not an e-mail address",
        id="email-no-at",
    ),
    pytest.param(
        {"author_email": "a@b@example.com"}, "is not an e-mail address", id="email-two-ats"
    ),
    pytest.param(
        {"author_email": "team@example"}, "is not an e-mail address", id="email-no-domain"
    ),
    pytest.param(
        {"author_email": "my team@example.com"}, "is not an e-mail address", id="email-space"
    ),
    pytest.param(
        {"author_email": "team..dev@example.com"}, "is not an e-mail address", id="email-dots"
    ),
]


@pytest.mark.parametrize(("answers", "message"), BAD_ANSWERS)
def test_bad_answer_is_refused_and_leaves_no_directory(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], answers: dict[str, str], message: str
) -> None:
    output_dir = tmp_path / "out"

    with pytest.raises(FailedHookException):
        bake_project(output_dir, **answers)

    errors = hook_errors(capfd.readouterr().err)
    assert len(errors) == 1, errors
    assert message in errors[0]
    assert leftovers(output_dir) == []


def test_every_problem_is_reported_at_once(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(FailedHookException):
        bake_project(tmp_path, project_slug="json", author_email="nope", description="")

    errors = hook_errors(capfd.readouterr().err)
    assert [error.split()[1] for error in errors] == ["project_slug", "description", "author_email"]


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


def test_replayed_answers_are_checked_by_the_hook(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A replay file skips cookiecutter's own conversions; the hook still refuses bad values."""
    answers = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
    answers |= {
        "project_name": 12,
        "project_slug": "acme_shop",
        "background_tasks": "rq",
        "include_example_app": "yes",
    }
    replay_file = tmp_path / "acme.json"
    replay_file.write_text(json.dumps({"cookiecutter": answers}))
    config_file = tmp_path / "config.yaml"
    config_file.write_text(f"replay_dir: {tmp_path / 'replay'}\n")
    output_dir = tmp_path / "out"

    with pytest.raises(FailedHookException):
        cookiecutter(
            str(TEMPLATE_DIR),
            replay=str(replay_file),
            output_dir=str(output_dir),
            config_file=str(config_file),
        )

    assert hook_errors(capfd.readouterr().err) == [
        "error: project_name 12 is not text; give it as a string.",
        "error: background_tasks 'rq' is not an option; "
        "pass background_tasks=database or background_tasks=celery.",
        "error: include_example_app 'yes' is not a yes/no answer; pass include_example_app=yes "
        "or include_example_app=no (unquoted true or false in a replay file or through the API).",
    ]
    assert list(output_dir.iterdir()) == []


@pytest.mark.parametrize(
    ("answers", "example_app"),
    [
        ({"project_name": "Shop 2.0 - Next"}, True),
        ({"project_name": "Bäckerei Müller", "project_slug": "baeckerei"}, True),
        ({"project_name": "Acme Shop " * 5 + "Online", "project_slug": "acme"}, True),
        (
            {"author_name": "Zoë O'Brien", "description": "Bob's shop & café, <now> 100% online."},
            True,
        ),
        ({"author_email": "first.last+django@mail.example.co.uk"}, True),
        ({"include_example_app": "no", "background_tasks": "celery"}, False),
        ({"include_example_app": "yes"}, True),
        ({"include_example_app": "Off"}, False),
        ({"include_example_app": "y"}, True),
        ({"include_example_app": "FALSE"}, False),
    ],
    ids=[
        "digits-and-dashes",
        "non-ascii-name",
        "60-character-name",
        "apostrophes-and-symbols",
        "plus-address",
        "no-as-text",
        "yes-as-text",
        "off-as-text",
        "y-as-text",
        "false-in-capitals",
    ],
)
def test_unusual_but_valid_answers_render(
    tmp_path: Path, answers: dict[str, str], example_app: bool
) -> None:
    project = bake_project(tmp_path, **answers)

    assert (project / "manage.py").is_file()
    assert (project / project.name / "catalog").is_dir() is example_app
    metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert metadata["description"] == answers.get("description", metadata["description"])
    assert metadata["authors"][0]["name"] == answers.get("author_name", "Acme Engineering")


@pytest.mark.parametrize("name", ["AC/DC Fan Club", "Acme Inc."])
def test_plausible_names_derive_a_usable_slug(tmp_path: Path, name: str) -> None:
    project = bake_project(tmp_path / "out", project_name=name)

    assert project.parent == tmp_path / "out"
    assert (project / "manage.py").is_file()


# Free text as people write it: quotes, backslashes, Markdown and Jinja punctuation, typography.
FREE_TEXT = {
    "project_name": 'The "Best" Shop \\ Café {{ 🛒 }}',
    "description": (
        'Bob\'s "quoted" shop \\n with {{ braces }}, {% tags %}, <b>html</b> & *stars* _u_ '
        "`code` [link](x) # | ~ \u2013 \u2019 naïve 🛒 ''' \"\"\" end\\"
    ),
    "author_name": 'Zoë "Z" O\'Brien \\ {#',
}


def bake_from_replay(output_dir: Path, **answers: object) -> Path:
    """Bake with ``answers`` taken literally, as typed at the prompts.

    ``--no-input`` values (``key=value`` or ``extra_context``) are Jinja templates to cookiecutter,
    so a literal ``{{`` there must be written ``{{ '{{' }}``; a replay file, like the prompts,
    passes text through as it is.
    """
    context = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
    context = {key: value for key, value in context.items() if not key.startswith("__")}
    context |= {"project_slug": "best_shop", "background_tasks": "database", **answers}
    replay_file = output_dir / "answers.json"
    output_dir.mkdir(parents=True, exist_ok=True)
    replay_file.write_text(json.dumps({"cookiecutter": context}))
    config_file = output_dir / "config.yaml"
    config_file.write_text(f"replay_dir: {output_dir / 'replay'}\n")
    project = cookiecutter(
        str(TEMPLATE_DIR),
        replay=str(replay_file),
        output_dir=str(output_dir),
        config_file=str(config_file),
    )
    return Path(project)


def markdown_text(markdown: str, block: int) -> str:
    """The text of the ``block``-th block of ``markdown`` as a reader sees it rendered."""
    html = MarkdownIt("commonmark").render(markdown).splitlines()[block]
    return unescape(re.sub(r"<[^>]+>", "", html))


@pytest.fixture(scope="module")
def free_text_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bake_from_replay(tmp_path_factory.mktemp("free-text"), **FREE_TEXT)


def test_free_text_lands_intact_in_pyproject(free_text_project: Path) -> None:
    metadata = tomllib.loads((free_text_project / "pyproject.toml").read_text())["project"]

    assert metadata["description"] == FREE_TEXT["description"]
    assert metadata["authors"][0]["name"] == FREE_TEXT["author_name"]


def test_free_text_renders_as_itself_in_the_readme(free_text_project: Path) -> None:
    readme = (free_text_project / "README.md").read_text()

    assert markdown_text(readme, 0) == FREE_TEXT["project_name"]
    assert markdown_text(readme, 1) == FREE_TEXT["description"]


def test_free_text_makes_a_valid_ruff_clean_package_docstring(free_text_project: Path) -> None:
    source = (free_text_project / "best_shop" / "__init__.py").read_text()
    docstring = ast.get_docstring(ast.parse(source)) or ""

    expected = f"{FREE_TEXT['project_name']}. {FREE_TEXT['description']}"
    assert " ".join(docstring.split()) == " ".join(expected.split())
    result = run_in_project(free_text_project, sys.executable, "-m", "ruff", "check", ".")
    assert result.returncode == 0, output_of(result)
    result = run_in_project(free_text_project, sys.executable, "-m", "ruff", "format", "--check")
    assert result.returncode == 0, output_of(result)


def test_quotes_and_backslashes_pass_on_the_command_line(tmp_path: Path) -> None:
    answers = {"description": 'The "best" shop, C:\\shop', "author_name": 'Zoë "Z" \\ Müller'}

    project = bake_project(tmp_path, **answers)

    metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert metadata["description"] == answers["description"]
    assert metadata["authors"][0]["name"] == answers["author_name"]
    ast.parse((project / "acme_shop" / "__init__.py").read_text())
