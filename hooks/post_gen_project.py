"""Finish a freshly rendered project: drop the files of options not chosen, write ``.env``.

Runs inside the new project's directory. ``.env`` gets a fresh random ``SECRET_KEY`` and is kept
out of git by the project's ``.gitignore``.
"""

import secrets
import shutil
from pathlib import Path

PACKAGE = "{{ cookiecutter.project_slug }}"
BACKGROUND_TASKS = "{{ cookiecutter.background_tasks }}"
INCLUDE_EXAMPLE_APP = "{{ cookiecutter.include_example_app }}" == "True"

# Paths that belong to one answer only, removed when that answer was not chosen.
BACKGROUND = Path(PACKAGE, "background")
# The background app's tests drive it through the example app's task.
FILES_OF_EXAMPLE_APP = [Path(PACKAGE, "catalog"), BACKGROUND / "tests"]
FILES_OF_BACKGROUND_TASKS = {
    "database": [
        Path(PACKAGE, "catalog", "tests", "test_tasks_on_database.py"),
        BACKGROUND / "recovery.py",
        BACKGROUND / "management" / "commands" / "db_worker.py",
        BACKGROUND / "tests" / "test_recovery.py",
    ],
    "celery": [
        Path("config", "celery.py"),
        Path(PACKAGE, "catalog", "tests", "test_tasks_on_celery.py"),
        BACKGROUND / "admin.py",
        BACKGROUND / "base_task.py",
        BACKGROUND / "migrations",
        BACKGROUND / "models.py",
        BACKGROUND / "outbox.py",
        BACKGROUND / "management" / "commands" / "relay_outbox.py",
        BACKGROUND / "tests" / "test_outbox.py",
    ],
}


def remove(paths: list[Path]) -> None:
    """Delete files and directories that the chosen options do not use (if still there)."""
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def write_dot_env() -> None:
    """Create ``.env`` from ``.env.example`` with a fresh secret key."""
    secret_key = secrets.token_urlsafe(50)  # no characters that .env files treat specially
    example = Path(".env.example").read_text()
    Path(".env").write_text(example.replace("SECRET_KEY=change-me", f"SECRET_KEY={secret_key}"))


def main() -> None:
    """Apply the answers that decide which files exist."""
    for option, paths in FILES_OF_BACKGROUND_TASKS.items():
        if option != BACKGROUND_TASKS:
            remove(paths)
    if not INCLUDE_EXAMPLE_APP:
        remove(FILES_OF_EXAMPLE_APP)
    write_dot_env()


if __name__ == "__main__":
    main()
