"""Settings for a developer's machine: debug on, e-mail printed to the console.

The first run writes ``.env`` from ``.env.example`` with a fresh development ``SECRET_KEY``,
readable by its owner only, as is the SQLite database; nothing secret is part of the generated
project itself.
"""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    BASE_DIR,
    DATABASES,
    DOT_ENV_FILE,
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
