"""Finish a freshly rendered project: drop the files of options not chosen.

Runs inside the new project's directory. It writes nothing of its own, so two renderings of the
same answers are identical (what cruft's ``diff`` and ``update`` rely on): the local ``.env``
and its secret key are created by the project's local settings on first use.
"""

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
        BACKGROUND / "backend.py",
        BACKGROUND / "tests" / "test_backend.py",
        BACKGROUND / "recovery.py",
        BACKGROUND / "management" / "commands" / "db_worker.py",
        BACKGROUND / "tests" / "test_recovery.py",
    ],
    "celery": [
        Path("config", "celery.py"),
        Path(PACKAGE, "catalog", "tests", "test_tasks_on_celery.py"),
        BACKGROUND / "admin.py",
        BACKGROUND / "base_task.py",
        BACKGROUND / "broker.py",
        BACKGROUND / "checks.py",
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


def main() -> None:
    """Apply the answers that decide which files exist."""
    for option, paths in FILES_OF_BACKGROUND_TASKS.items():
        if option != BACKGROUND_TASKS:
            remove(paths)
    if not INCLUDE_EXAMPLE_APP:
        remove(FILES_OF_EXAMPLE_APP)


if __name__ == "__main__":
    main()
