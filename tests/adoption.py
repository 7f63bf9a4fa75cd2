"""A real open-source Django project from the package index, with the kit adopted into it.

The project is django-axes (not ours, with a ``manage.py``, its own settings module, signals,
receivers and 350 tests run by Django's test runner), taken as its source distribution from
PyPI's simple index (pinned and checked against its SHA-256) and unpacked; :func:`adopt_kit`
runs the one documented command (the ``adopt`` template rendered with cookiecutter's
``--directory``) and the settings steps the README gives after it. Used by
``tests/test_adoption_real_project.py`` and ``benchmarks/bench_adoption.py``.
"""

from __future__ import annotations

import hashlib
import re
import tarfile
import urllib.parse
import urllib.request
from pathlib import Path

from cookiecutter.main import cookiecutter

from .helpers import TEMPLATE_DIR, cookiecutter_config

PROJECT = "django-axes"
VERSION = "8.3.1"
SDIST_SHA256 = "d57e923c0ba33cf45275253dd1313c3a3ff04bec686b38d677beb2b3d43c7bcd"
SIMPLE_INDEX = f"https://pypi.org/simple/{PROJECT}/"
PACKAGE = "axes"
SETTINGS_MODULE = "tests.settings"
# A slice of the project's own tests that sends its signals (login failures, a lock-out).
TEST_SLICE = (
    "tests.test_signals",
    "tests.test_attempts",
    "tests.test_models",
    "tests.test_middleware",
)
BASELINE = "side_effects_baseline.json"

# The settings steps the adopt command prints, as a team would paste them (README).
ADOPTION_SETTINGS = f"""

# The receiver kit, adopted (python -m cookiecutter ... --directory adopt).
from pathlib import Path as _Path

INSTALLED_APPS += ["{PACKAGE}.side_effects.inspection"]
SIDE_EFFECTS_PROJECT_ROOTS = [_Path(__file__).resolve().parent.parent]
SIDE_EFFECTS_TEMPLATE_LAYOUT = False
SIDE_EFFECTS_BASELINE = _Path(__file__).resolve().parent.parent / "{BASELINE}"
TEST_RUNNER = "{PACKAGE}.side_effects.testing.django_runner.GuardedTestRunner"
"""


def download_project(directory: Path) -> Path:
    """Unpack django-axes' source distribution from PyPI into ``directory``; its root."""
    directory.mkdir(parents=True, exist_ok=True)
    archive = directory / f"django_axes-{VERSION}.tar.gz"
    archive.write_bytes(_fetch_checked(_sdist_url()))
    with tarfile.open(archive) as sdist:
        sdist.extractall(directory, filter="data")
    return directory / f"django_axes-{VERSION}"


def _sdist_url() -> str:
    """The source distribution's address, from the project's page of the simple index."""
    with urllib.request.urlopen(SIMPLE_INDEX, timeout=30) as response:
        page = response.read().decode()
    name = re.escape(f"django_axes-{VERSION}.tar.gz")
    found = re.search(rf'href="([^"]*{name}[^"]*)"', page)
    if found is None:
        raise LookupError(f"{PROJECT} {VERSION} has no source distribution on {SIMPLE_INDEX}")
    return urllib.parse.urljoin(SIMPLE_INDEX, found[1]).partition("#")[0]


def _fetch_checked(url: str) -> bytes:
    """The bytes at ``url``, refused unless they are the pinned release."""
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (an https link of the index)
        content = response.read()
    digest = hashlib.sha256(content).hexdigest()
    if digest != SDIST_SHA256:
        raise ValueError(f"{url} has SHA-256 {digest}, not the pinned {SDIST_SHA256}")
    return content


def adopt_kit(root: Path) -> None:
    """Run the adopt command on the project at ``root``, then the README's settings steps."""
    cookiecutter(
        str(TEMPLATE_DIR),
        directory="adopt",
        no_input=True,
        output_dir=str(root / PACKAGE),
        extra_context={"package": PACKAGE, "settings_module": SETTINGS_MODULE},
        config_file=str(cookiecutter_config(root.parent)),
    )
    settings = root / Path(*SETTINGS_MODULE.split(".")).with_suffix(".py")
    settings.write_text(settings.read_text() + ADOPTION_SETTINGS)
