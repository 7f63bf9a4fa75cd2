"""Production settings: refuse to start without a secret key and hosts; HTTPS everywhere.

``python manage.py check --deploy --fail-level WARNING`` passes with these settings.
"""

from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, DEFAULT_FROM_EMAIL, create_private_sqlite_file, env

KEY_ADVICE = (
    "set SECRET_KEY in the environment to a long random value, e.g. the output of "
    '`python -c "import secrets; print(secrets.token_urlsafe(50))"`.'
)


def production_secret_key(key: str) -> str:
    """``key`` if it is fit for production; otherwise refuse to start, saying why in one line."""
    if not key:
        raise ImproperlyConfigured(f"SECRET_KEY is not set; {KEY_ADVICE}")
    if key.startswith(SECRET_KEY_INSECURE_PREFIX) or key == "change-me":
        raise ImproperlyConfigured(f"SECRET_KEY is a development key; {KEY_ADVICE}")
    if len(key) < SECRET_KEY_MIN_LENGTH or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        raise ImproperlyConfigured(
            f"SECRET_KEY is too weak (under {SECRET_KEY_MIN_LENGTH} characters or under "
            f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} distinct ones); {KEY_ADVICE}"
        )
    return key


DEBUG = False
SECRET_KEY = production_secret_key(env.str("SECRET_KEY", default=""))
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the host names this site answers to.")
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A kept connection is checked before a request reuses it, so one that a database restart
# closed is replaced instead of failing that request with a 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
create_private_sqlite_file(DATABASES["default"])

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

ADMINS = env.list("ADMINS", default=["{{ cookiecutter.author_email }}"])
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# A broken receiver is logged, never allowed to break the request that triggered it.
SIDE_EFFECTS_RAISE_EXCEPTIONS = env.bool("SIDE_EFFECTS_RAISE_EXCEPTIONS", default=False)
