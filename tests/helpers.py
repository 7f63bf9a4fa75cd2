"""Helpers shared by the template's test modules: bake the template, run a baked project's tools.

Test modules and benchmarks import these plain functions and constants from here; fixtures live
in ``conftest.py`` (which imports what it needs from here) and the real-server fixtures and
classes in ``servers.py``. A helper that only one test module uses stays in that module.
"""

from __future__ import annotations

import http.cookies
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING

from cookiecutter.main import cookiecutter

if TYPE_CHECKING:
    from .servers import SmtpSink

TEMPLATE_DIR = Path(__file__).resolve().parent.parent  # the template repository's root
VENV_BIN = Path(sys.executable).parent  # the test environment's executables (ruff, cruft, ...)

# The Python package of a project baked with the default answers.
PACKAGE = "acme_shop"

# Environment variables of the outer pytest run that must not leak into a baked project's run.
LEAKY_VARIABLES = (
    "DJANGO_SETTINGS_MODULE",
    "PYTEST_ADDOPTS",
    "PYTEST_XDIST_WORKER",
    "PYTEST_XDIST_WORKER_COUNT",
    "PYTEST_CURRENT_TEST",
    "DATABASE_URL",
)

# A secret key that production settings accept (long, random-looking, not a development key).
PRODUCTION_KEY = "a-long-random-production-secret-key-0123456789-abcdefghijklmnop"

# The account API clients log in with to write (a superuser: it has every permission).
API_USER = "writer"
API_PASSWORD = "a-long-password-for-the-api-tests"  # noqa: S105 (a throwaway test account)
# A CSRF token of the right form: Django compares the cookie with the header, nothing else.
CSRF_TOKEN = "x" * 32

# Who receives the example task's e-mail, and who sends it, under mailing_env().
WATCHERS = ["watcher@example.com", "buyer@example.com"]
SENDER = "shop@example.com"


def bake_project(output_dir: Path, **answers: object) -> Path:
    """Render the template with ``answers`` over its defaults and return the project's root.

    Cookiecutter's replay and cache directories go into ``output_dir`` too, never the home
    directory.
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    project = cookiecutter(
        str(TEMPLATE_DIR),
        no_input=True,
        output_dir=str(output_dir),
        config_file=str(cookiecutter_config(output_dir)),
        extra_context=answers,
    )
    return Path(project)


def cookiecutter_config(directory: Path) -> Path:
    """A cookiecutter configuration file whose replay and cache directories are in ``directory``."""
    config_file = directory / "cookiecutter-config.yaml"
    config_file.write_text(
        f"cookiecutters_dir: {directory / 'cookiecutters'}\nreplay_dir: {directory / 'replay'}\n"
    )
    return config_file


def project_env(**overrides: str) -> dict[str, str]:
    """The environment a baked project's commands run in: this interpreter's, minus leaks."""
    env = {key: value for key, value in os.environ.items() if key not in LEAKY_VARIABLES}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(overrides)
    return env


def run_in_project(
    project: Path, *command: str, timeout: float = 300, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` at the project's root and capture its output (never raises on failure)."""
    return subprocess.run(
        list(command),
        cwd=project,
        env=project_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_gate(project: Path, *pytest_args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the baked project's whole gate (its ``pytest``) with this interpreter."""
    return run_in_project(
        project, sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *pytest_args, **env
    )


def manage(
    project: Path, *args: str, require_success: bool = True, timeout: float = 180, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``python manage.py ARGS`` at the project's root, with ``env`` over project_env().

    Asserts that it succeeded (naming the command, with its output) unless ``require_success``
    is false, for a test that expects a refusal.
    """
    result = run_in_project(project, sys.executable, "manage.py", *args, timeout=timeout, **env)
    if require_success:
        assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{output_of(result)}"
    return result


def output_of(result: subprocess.CompletedProcess[str]) -> str:
    """Both streams of a finished command, for assertions and failure messages."""
    return f"{result.stdout}\n{result.stderr}"


def isolated_env() -> dict[str, str]:
    """This process's environment without the template's test environment in it."""
    hidden = {
        *LEAKY_VARIABLES,
        "VIRTUAL_ENV",
        "UV_PROJECT_ENVIRONMENT",
        "PYTHONPATH",
        "PYTHONHOME",
    }
    env = {key: value for key, value in os.environ.items() if key not in hidden}
    env["PATH"] = os.pathsep.join(
        entry
        for entry in env.get("PATH", "").split(os.pathsep)
        if entry and Path(entry).resolve() != VENV_BIN.resolve()
    )
    env["UV_PYTHON_DOWNLOADS"] = "never"
    return env


def production_env(**overrides: str) -> dict[str, str]:
    """The environment of a production deployment: settings from the environment only."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_READ_DOT_ENV_FILE": "false",
        "SECRET_KEY": PRODUCTION_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        **overrides,
    }


def mailing_env(smtp_server: SmtpSink) -> dict[str, str]:
    """Settings that send the example task's e-mail to ``smtp_server``."""
    return {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
        "DEFAULT_FROM_EMAIL": SENDER,
        "CATALOG_PRICE_WATCHERS": ",".join(WATCHERS),
    }


def database_name(url: str) -> str:
    """The name of the database a ``postgresql://.../NAME`` URL points to."""
    return urllib.parse.urlsplit(url).path.lstrip("/")


def append(project: Path, module: str, code: str) -> None:
    """Append ``code`` to a module of the baked package (``module`` relative to PACKAGE)."""
    path = project / PACKAGE / module
    path.write_text(path.read_text() + code)


def regenerate_signal_map(project: Path) -> str:
    """What the developer is told to run: ``signalmap --format markdown > docs/signals.md``.

    Asserts that the command succeeded; returns the map.
    """
    result = manage(project, "signalmap", "--format", "markdown")
    (project / "docs" / "signals.md").write_text(result.stdout)
    return result.stdout


def create_api_user(project: Path, env: dict[str, str]) -> None:
    """Create the superuser ``API_USER`` with ``createsuperuser``, as an operator would."""
    manage(
        project, "createsuperuser", "--no-input", "--username", API_USER,
        "--email", "writer@example.com", DJANGO_SUPERUSER_PASSWORD=API_PASSWORD, **env,
    )  # fmt: skip


def https_headers(port: int, **headers: str) -> dict[str, str]:
    """What a browser behind the TLS proxy sends with a POST: the proxy's header, its origin
    and a CSRF token (cookie and header); ``headers`` over these."""
    return {
        "X-Forwarded-Proto": "https",
        "Origin": f"https://127.0.0.1:{port}",
        "Cookie": f"csrftoken={CSRF_TOKEN}",
        "X-CSRFToken": CSRF_TOKEN,
        "Content-Type": "application/x-www-form-urlencoded",
        **headers,
    }


def log_in(port: int, username: str = API_USER, password: str = API_PASSWORD) -> str:
    """Log in through the admin's login page on 127.0.0.1:``port``; return the ``Cookie``
    header (session and CSRF token) for the requests that follow."""
    from .servers import http_request  # servers.py is a pytest plugin: imported by pytest first

    response = http_request(
        port, "/admin/login/", method="POST", headers=https_headers(port),
        body=urllib.parse.urlencode({"username": username, "password": password}).encode(),
    )  # fmt: skip
    cookies = http.cookies.SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    assert response.status == 302 and "sessionid" in cookies, (
        f"logging in as {username!r} failed: {response.status} {response.text[:500]}"
    )
    return f"csrftoken={CSRF_TOKEN}; sessionid={cookies['sessionid'].value}"
