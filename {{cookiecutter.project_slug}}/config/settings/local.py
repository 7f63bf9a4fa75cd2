"""Settings for a developer's machine: debug on, e-mail printed to the console, what fired shown.

The first run writes ``.env`` from ``.env.example`` with a fresh development ``SECRET_KEY``,
readable by its owner only, as is the SQLite database; nothing secret is part of the generated
project itself.
"""

import os
import secrets
from pathlib import Path

from debug_toolbar.settings import PANELS_DEFAULTS
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    BASE_DIR,
    DATABASES,
    DOT_ENV_FILE,
    INSTALLED_APPS,
    MIDDLEWARE,
    READ_DOT_ENV_FILE,
    create_private_sqlite_file,
    env,
)

# Django's own mark for a key that must never reach production (the production settings refuse it).
DEVELOPMENT_KEY_PREFIX = "django-insecure-"


def write_dot_env_with_fresh_key(dot_env: Path) -> str:
    """Create ``dot_env`` from ``.env.example`` with a new development key; return the key."""
    key = DEVELOPMENT_KEY_PREFIX + secrets.token_urlsafe(50)
    example = (BASE_DIR / ".env.example").read_text()
    descriptor = os.open(dot_env, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(example.replace("SECRET_KEY=change-me", f"SECRET_KEY={key}"))
    return key


def development_secret_key() -> str:
    """``SECRET_KEY`` from the environment or ``.env``; on the first run, a freshly written one."""
    if key := env.str("SECRET_KEY", default=""):
        return key
    if READ_DOT_ENV_FILE and not DOT_ENV_FILE.exists():
        return write_dot_env_with_fresh_key(DOT_ENV_FILE)
    raise ImproperlyConfigured(
        f"SECRET_KEY is not set; add a SECRET_KEY line to {DOT_ENV_FILE} (or delete that file "
        "to have a fresh one written), or set it in the environment."
    )


SECRET_KEY = development_secret_key()
create_private_sqlite_file(DATABASES["default"])
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

MAILERS = {
    "default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"},
    "background": {"BACKEND": "django.core.mail.backends.console.EmailBackend"},
}
WHITENOISE_AUTOREFRESH = True

# A failing receiver should be loud while developing.
SIDE_EFFECTS_RAISE_EXCEPTIONS = env.bool("SIDE_EFFECTS_RAISE_EXCEPTIONS", default=True)

# Seeing what fires (README): each request, command and task logs the receivers it set off
# (logger "<package>.side_effects.trace"), and django-debug-toolbar shows them in its "Side
# effects" panel, for requests from INTERNAL_IPS.
INSTALLED_APPS = [
    *INSTALLED_APPS,
    "debug_toolbar",
    "{{ cookiecutter.project_slug }}.side_effects.tracing",
]
MIDDLEWARE = [
    "debug_toolbar.middleware.DebugToolbarMiddleware",
    *MIDDLEWARE,
    "{{ cookiecutter.project_slug }}.side_effects.tracing.middleware.TraceMiddleware",
]
INTERNAL_IPS = env.list("INTERNAL_IPS", default=["127.0.0.1", "::1"])
# The toolbar's own panels, with "Side effects" second, below "History".
DEBUG_TOOLBAR_PANELS = [
    PANELS_DEFAULTS[0],
    "{{ cookiecutter.project_slug }}.side_effects.tracing.panel.SideEffectsPanel",
    *PANELS_DEFAULTS[1:],
]
SIDE_EFFECTS_TRACE = env.bool("SIDE_EFFECTS_TRACE", default=True)
# Milliseconds of receiver time below which a trace is not logged (0: every one that fired).
SIDE_EFFECTS_TRACE_MIN_MS = env.float("SIDE_EFFECTS_TRACE_MIN_MS", default=0)
