"""Settings for a developer's machine: debug on, e-mail printed to the console."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env.str("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
WHITENOISE_AUTOREFRESH = True

# A failing receiver should be loud while developing.
SIDE_EFFECTS_RAISE_EXCEPTIONS = env.bool("SIDE_EFFECTS_RAISE_EXCEPTIONS", default=True)
