"""Where settings come from and where data goes: ``.env`` locally only, never site-packages.

The generated project's own tests check production's refusals with the real environment; these
need files around the project (a ``.env``, an installed copy of the package) and so run here.
"""

from __future__ import annotations

import re
import shutil
import stat
import sys
from pathlib import Path

import pytest

from .helpers import PRODUCTION_KEY, bake_project, manage, output_of, run_in_project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bake_project(tmp_path_factory.mktemp("settings"))


def test_first_local_run_writes_a_private_dot_env_with_a_fresh_key(tmp_path: Path) -> None:
    projects = [bake_project(tmp_path / name) for name in ("one", "two")]
    assert [(project / ".env").exists() for project in projects] == [False, False]

    for project in projects:
        manage(project, "check")

    dot_envs = [project / ".env" for project in projects]
    keys = [re.search(r"^SECRET_KEY=(.+)$", path.read_text(), re.MULTILINE)[1] for path in dot_envs]
    assert keys[0] != keys[1]
    assert all(key.startswith("django-insecure-") and len(key) >= 66 for key in keys)
    assert [stat.S_IMODE(path.stat().st_mode) for path in dot_envs] == [0o600, 0o600]
    assert ".env" in (projects[0] / ".gitignore").read_text().splitlines()


def test_the_sqlite_database_is_readable_by_its_owner_only(project: Path) -> None:
    database = project / "db.sqlite3"
    database.unlink(missing_ok=True)

    manage(project, "migrate", "--no-input", SECRET_KEY=PRODUCTION_KEY)

    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert "*.sqlite3" in (project / ".gitignore").read_text().splitlines()


def test_production_ignores_dot_env(project: Path) -> None:
    (project / ".env").write_text(f"SECRET_KEY={PRODUCTION_KEY}\nALLOWED_HOSTS=shop.example.com\n")

    result = manage(
        project, "check", require_success=False, DJANGO_SETTINGS_MODULE="config.settings.production"
    )

    assert result.returncode != 0
    assert (
        "ImproperlyConfigured: SECRET_KEY is not set; set SECRET_KEY in the environment"
        in output_of(result)
    )


def test_production_refuses_a_development_key_even_from_dot_env(project: Path) -> None:
    (project / ".env").write_text(
        "SECRET_KEY=django-insecure-local-key-0123456789-abcdefghijklmnopqrstuvwxyz\n"
        "ALLOWED_HOSTS=shop.example.com\n"
    )

    result = manage(
        project,
        "check",
        require_success=False,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_READ_DOT_ENV_FILE="true",
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is a development key" in output_of(result)


def test_production_refuses_a_weak_key(project: Path) -> None:
    result = manage(
        project,
        "check",
        require_success=False,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="shop.example.com",
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is too weak" in output_of(result)


def test_an_installed_package_keeps_its_data_in_the_current_directory(
    project: Path, tmp_path: Path
) -> None:
    """Run from a wheel (no manage.py beside the code), SQLite and static files stay out of it."""
    site_packages = tmp_path / "site-packages"
    for package in ("config", project.name):
        shutil.copytree(project / package, site_packages / package)
    work = tmp_path / "work"
    work.mkdir()
    show = (
        "from django.conf import settings; "
        "print(settings.DATABASES['default']['NAME']); print(settings.STATIC_ROOT)"
    )

    result = run_in_project(
        work,
        sys.executable,
        "-c",
        f"import django; django.setup(); {show}",
        PYTHONPATH=str(site_packages),
        DJANGO_SETTINGS_MODULE="config.settings.test",
    )

    assert result.returncode == 0, output_of(result)
    assert result.stdout.split() == [str(work / "db.sqlite3"), str(work / "staticfiles")]


def test_django_log_lines_are_printed_once(project: Path) -> None:
    """django.tasks logs each task a db_worker runs; Django's own console must not repeat it."""
    log = "import logging; logging.getLogger('django.tasks').info('Task finished')"

    result = run_in_project(
        project,
        sys.executable,
        "-c",
        f"import django; django.setup(); {log}",
        DJANGO_SETTINGS_MODULE="config.settings.local",
        SECRET_KEY=PRODUCTION_KEY,
    )

    assert result.returncode == 0, output_of(result)
    assert result.stderr.splitlines() == ["INFO django.tasks Task finished"]
