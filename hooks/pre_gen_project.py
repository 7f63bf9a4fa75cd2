"""Validate every answer before cookiecutter writes the project; refuse bad ones clearly.

Each problem is printed as one line on stderr naming the answer, what is wrong and how to fix
it; all problems are reported at once, then the hook exits 1 and cookiecutter removes the
half-made project directory. ``background_tasks`` and ``include_example_app`` are also checked
by cookiecutter itself (choices and yes/no) before this hook runs.
"""

import json
import keyword
import re
import sys
from collections.abc import Callable

# Rendered by cookiecutter: every answer as JSON, inside a Python string literal.
ANSWERS = json.loads({{cookiecutter | tojson | tojson}})

# Top-level names the project package must not take: its dependencies, and names the
# generated project or Python's tooling already uses for something else.
RESERVED_NAMES = frozenset(
    {
        "asgiref",
        "billiard",
        "catalog",
        "celery",
        "config",
        "conftest",
        "django",
        "django_environ",
        "django_stubs_ext",
        "django_tasks",
        "django_tasks_db",
        "docs",
        "environ",
        "gunicorn",
        "hatchling",
        "importlinter",
        "kombu",
        "manage",
        "pip",
        "psycopg",
        "pytest",
        "pytest_django",
        "redis",
        "ruff",
        "setuptools",
        "side_effects",
        "signals",
        "site",
        "sqlparse",
        "static",
        "templates",
        "test",
        "tests",
        "vine",
        "whitenoise",
    }
)
SLUG_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
MAX_NAME_LENGTH = 60
MAX_SLUG_LENGTH = 40
MAX_TEXT_LENGTH = 200


def suggested_slug(text: str) -> str:
    """A valid package name close to ``text``, for the fix in an error message."""
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "project"
    slug = slug if slug[0].isalpha() else f"project_{slug}"
    return slug[:MAX_SLUG_LENGTH].rstrip("_")


def check_project_name(name: str) -> list[str]:
    """A human-readable name: not blank, one printable line, not absurdly long."""
    if not name.strip():
        return ["project_name is empty; give the project a name, e.g. project_name='Acme Shop'."]
    if not name.isprintable():
        return ["project_name contains a line break or control character; use one plain line."]
    if len(name) > MAX_NAME_LENGTH:
        return [
            f"project_name is {len(name)} characters long; keep it to {MAX_NAME_LENGTH} "
            "(a longer description goes into description=...)."
        ]
    if not any(character.isalpha() for character in name):
        return [f"project_name {name!r} has no letters; name the project with words."]
    return []


def check_project_slug(slug: str) -> list[str]:
    """The package name: a lowercase identifier that shadows nothing it will import."""
    fix = f"pass project_slug={suggested_slug(slug + '_app' if slug else 'project')}"
    if not SLUG_PATTERN.fullmatch(slug):
        return [
            f"project_slug {slug!r} is not a valid package name (lowercase letters, digits and "
            f"underscores, starting with a letter); {fix} or rename the project."
        ]
    if len(slug) > MAX_SLUG_LENGTH:
        return [f"project_slug {slug!r} is longer than {MAX_SLUG_LENGTH} characters; {fix}."]
    if keyword.iskeyword(slug) or keyword.issoftkeyword(slug):
        return [f"project_slug {slug!r} is a Python keyword; {fix}."]
    if slug in sys.stdlib_module_names:
        return [f"project_slug {slug!r} shadows the standard-library module {slug!r}; {fix}."]
    if slug in RESERVED_NAMES:
        return [
            f"project_slug {slug!r} shadows a dependency or a name the project uses itself; {fix}."
        ]
    return []


def check_single_line(answer: str, value: str) -> list[str]:
    """Free text that lands in pyproject.toml, docstrings and the README."""
    if not value.strip():
        return [f"{answer} is empty; write one line for it."]
    if not value.isprintable():
        return [f"{answer} contains a line break or control character; use one plain line."]
    if '"' in value or "\\" in value:
        return [f"{answer} contains a double quote or backslash; leave them out."]
    if len(value) > MAX_TEXT_LENGTH:
        return [f"{answer} is longer than {MAX_TEXT_LENGTH} characters; shorten it."]
    return []


def check_author_email(email: str) -> list[str]:
    """An address that mail servers and package metadata accept."""
    if EMAIL_PATTERN.fullmatch(email):
        return []
    return [
        f"author_email {email!r} is not an e-mail address; give one like "
        "author_email=team@example.com."
    ]


def check_background_tasks(choice: str) -> list[str]:
    """One of the two supported ways to run background work."""
    if choice in ("database", "celery"):
        return []
    return [f"background_tasks {choice!r} is not an option; choose 'database' or 'celery'."]


def check_include_example_app(value: object) -> list[str]:
    """A yes/no answer (cookiecutter turns yes/no/true/false into a boolean)."""
    if isinstance(value, bool):
        return []
    return [f"include_example_app {value!r} is not yes or no; answer yes or no."]


CHECKS: dict[str, Callable[[object], list[str]]] = {
    "project_name": check_project_name,
    "project_slug": check_project_slug,
    "description": lambda value: check_single_line("description", value),
    "author_name": lambda value: check_single_line("author_name", value),
    "author_email": check_author_email,
    "background_tasks": check_background_tasks,
    "include_example_app": check_include_example_app,
}


def derived_slug(name: str) -> str:
    """The default ``project_slug`` that cookiecutter.json derives from ``project_name``."""
    return name.lower().strip().replace(" ", "_").replace("-", "_").replace(".", "_") or "project"


def problems(answers: dict[str, object]) -> list[str]:
    """Every problem with ``answers``, one message each, in the order of the questions.

    A slug derived from a bad name is not reported again: fixing the name fixes both.
    """
    checks = dict(CHECKS)
    name = str(answers["project_name"])
    if check_project_name(name) and answers["project_slug"] == derived_slug(name):
        del checks["project_slug"]
    return [message for key, check in checks.items() for message in check(answers[key])]


def main() -> int:
    """Print each problem as one line and return the exit status."""
    found = problems(ANSWERS)
    for message in found:
        print(f"error: {message}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
