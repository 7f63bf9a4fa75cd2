"""Validate every answer before cookiecutter writes the project; refuse bad ones clearly.

Each problem is printed as one line on stderr naming the answer, what is wrong and how to fix
it; all problems are reported at once, then the hook exits 1 and cookiecutter removes the
project directory it has just created (still empty: this hook runs before any file is written).

``background_tasks`` and ``include_example_app`` are normally checked by cookiecutter itself
(choices, yes/no) before this hook runs; a replay file or a call through the API skips that
conversion, so they are checked here too.
"""

import json
import keyword
import re
import sys
import unicodedata
from collections.abc import Callable

# python-slugify comes with cookiecutter, which runs this hook with its own interpreter.
from slugify import slugify

# Rendered by cookiecutter: every answer as JSON, inside a Python string literal, so quotes,
# backslashes and line breaks in an answer cannot break this file.
ANSWERS = json.loads({{cookiecutter | tojson | tojson}})

# Standard-library modules, plus those of newer Pythons than the one running cookiecutter.
STDLIB_MODULES = frozenset(sys.stdlib_module_names) | {"annotationlib", "compression"}

# Import names of the generated project's dependencies, direct and transitive, with both
# background_tasks options, its dev group and its build backend: the project's root is first
# on sys.path, so a package of the same name would be imported in their place. Kept equal to
# what those requirements resolve to by tests/test_ecosystem.py, which prints the difference.
DEPENDENCIES = frozenset(
    {
        "amqp", "asgiref", "ast_serialize", "billiard", "celery", "cfgv", "click",
        "click_didyoumean", "click_plugins", "click_repl", "dateutil", "debug_toolbar", "distlib",
        "django", "django_stubs_ext", "django_tasks_db", "environ", "filelock", "grimp", "gunicorn",
        "hatchling", "identify", "importlinter", "iniconfig", "kombu", "librt", "markdown_it",
        "mdurl", "mypy", "mypy_django_plugin", "mypy_extensions", "mypyc", "nodeenv",
        "opentelemetry", "packaging", "pathspec", "platformdirs", "pluggy", "pre_commit",
        "prompt_toolkit", "psycopg",
        "psycopg_binary", "py", "pygments", "pytest", "pytest_django", "python_discovery", "redis",
        "rich", "ruff", "six", "sqlparse", "tomlkit", "trove_classifiers", "typing_extensions",
        "tzlocal", "vine", "virtualenv", "wcwidth", "whitenoise", "yaml",
    }
)  # fmt: skip
# Modules a project environment may hold that the resolution above does not show: the
# installer of a pip-made virtual environment, and dependencies required on Windows only.
INSTALLER_AND_PLATFORM_MODULES = frozenset({"pip", "setuptools", "colorama", "tzdata"})

# Names the generated project already uses, and what uses them.
PROJECT_NAMES = {
    "catalog": "the example app",
    "config": "the settings package",
    "conftest": "pytest's conftest.py",
    "docs": "the docs directory",
    "manage": "manage.py",
    "side_effects": "the receiver kit",
    "signals": "each app's receivers module",
    "staticfiles": "the collected static files",
    "test": "Python's own regression-test package",
    "tests": "the tests directory",
}

# A package name whose distribution name (underscores as dashes) is valid too: no trailing "_".
SLUG_PATTERN = re.compile(r"[a-z](?:[a-z0-9_]*[a-z0-9])?")
ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
EMAIL_PATTERN = re.compile(ATOM + r"(?:\." + ATOM + r")*@(?:" + LABEL + r"\.)+[A-Za-z]{2,63}")
MAX_NAME_LENGTH = 60
MAX_SLUG_LENGTH = 40
MAX_TEXT_LENGTH = 200
MAX_EMAIL_LENGTH = 254
EXAMPLES = {
    "project_name": "Acme Shop",
    "description": "An online shop for Acme's products.",
    "author_name": "Acme Engineering",
}


def slug_problem(slug: str) -> str | None:
    """What makes ``slug`` unusable as the project's package name, or None if nothing does."""
    if not SLUG_PATTERN.fullmatch(slug):
        return (
            "is not a valid package name (lowercase ASCII letters, digits and underscores, "
            "starting with a letter, not ending with an underscore)"
        )
    if len(slug) > MAX_SLUG_LENGTH:
        return f"is longer than {MAX_SLUG_LENGTH} characters"
    if keyword.iskeyword(slug) or keyword.issoftkeyword(slug):
        return "is a Python keyword"
    if slug in STDLIB_MODULES:
        return f"shadows the standard-library module {slug!r}"
    if slug in DEPENDENCIES | INSTALLER_AND_PLATFORM_MODULES:
        return f"shadows {slug!r}, a package the project's dependencies provide"
    if slug in PROJECT_NAMES:
        return f"is taken by {PROJECT_NAMES[slug]} in the generated project"
    return None


def suggested_slug(text: str) -> str:
    """A usable package name close to ``text``, for the fix in an error message."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_") or "project"
    slug = slug if slug[0].isalpha() else f"project_{slug}"
    slug = slug[: MAX_SLUG_LENGTH - len("_app")].rstrip("_")
    return slug if slug_problem(slug) is None else f"{slug}_app"


def derived_slug(name: str) -> str:
    """The default ``project_slug`` that cookiecutter.json derives (keep the two in step)."""
    return slugify(name, separator="_") or "project"


def check_text(answer: str, value: str, max_length: int = MAX_TEXT_LENGTH) -> list[str]:
    """One line of free text: it lands in pyproject.toml, a docstring and the README.

    Quotes, backslashes, braces and any printable Unicode are escaped where they land
    (``templates/escape.jinja``); only what no line of text can hold is refused.
    """
    if not value.strip():
        example = EXAMPLES.get(answer, "...")
        return [f'{answer} is empty; write one line for it, e.g. {answer}="{example}".']
    if not value.isprintable():
        return [
            f"{answer} contains a line break, tab or other non-printing character; "
            "write it as one plain line."
        ]
    if len(value) > max_length:
        return [f"{answer} is {len(value)} characters long; keep it to {max_length}."]
    return []


def check_project_name(name: str) -> list[str]:
    """A name people read: one line of text, short, with at least one letter."""
    found = check_text("project_name", name, MAX_NAME_LENGTH)
    if not found and not any(character.isalpha() for character in name):
        found = [
            f"project_name {name!r} has no letters; name the project with words, "
            f'e.g. project_name="{EXAMPLES["project_name"]}".'
        ]
    return found


def check_project_slug(slug: str) -> list[str]:
    """The package name: a lowercase identifier that shadows nothing the project imports."""
    problem = slug_problem(slug)
    if problem is None:
        return []
    return [f"project_slug {slug!r} {problem}; pass project_slug={suggested_slug(slug)}."]


def check_author_email(email: str) -> list[str]:
    """An address that mail servers and package metadata accept: local@domain.tld."""
    if len(email) <= MAX_EMAIL_LENGTH and EMAIL_PATTERN.fullmatch(email):
        return []
    return [
        f"author_email {email!r} is not an e-mail address; give one like "
        "author_email=team@example.com."
    ]


def check_background_tasks(choice: object) -> list[str]:
    """One of the two supported ways to run background work."""
    if choice in ("database", "celery"):
        return []
    return [
        f"background_tasks {choice!r} is not an option; "
        "pass background_tasks=database or background_tasks=celery."
    ]


def check_include_example_app(value: object) -> list[str]:
    """A boolean: cookiecutter turns yes/no, true/false, y/n, on/off and 1/0 into one."""
    if isinstance(value, bool):
        return []
    return [
        f"include_example_app {value!r} is not a yes/no answer; pass include_example_app=yes or "
        "include_example_app=no (unquoted true or false in a replay file or through the API)."
    ]


TEXT_CHECKS: dict[str, Callable[[str], list[str]]] = {
    "project_name": check_project_name,
    "project_slug": check_project_slug,
    "description": lambda value: check_text("description", value),
    "author_name": lambda value: check_text("author_name", value),
    "author_email": check_author_email,
}
CHOICE_CHECKS: dict[str, Callable[[object], list[str]]] = {
    "background_tasks": check_background_tasks,
    "include_example_app": check_include_example_app,
}


def check_text_answer(answers: dict[str, object], key: str) -> list[str]:
    """Run the check of a text answer, refusing first a value that is not text at all."""
    value = answers.get(key)
    if not isinstance(value, str):
        return [f"{key} {value!r} is not text; give it as a string."]
    return TEXT_CHECKS[key](value)


def problems(answers: dict[str, object]) -> list[str]:
    """Every problem with ``answers``, one message each, in the order of the questions.

    A slug derived from a bad name is not reported again: fixing the name fixes both.
    """
    keys = list(TEXT_CHECKS)
    name = answers.get("project_name")
    if (
        isinstance(name, str)
        and check_project_name(name)
        and answers.get("project_slug") == derived_slug(name)
    ):
        keys.remove("project_slug")
    found = [message for key in keys for message in check_text_answer(answers, key)]
    return found + [
        message for key, check in CHOICE_CHECKS.items() for message in check(answers.get(key))
    ]


def main() -> int:
    """Print each problem as one line and return the exit status."""
    found = problems(ANSWERS)
    for message in found:
        print(f"error: {message}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
