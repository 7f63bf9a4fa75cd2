"""Settings for the test suite: fast hashing, in-memory e-mail, background work run on demand."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-test-only-secret-key")
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Login throttling off, so that the test client's login() works (django-axes needs a request,
# which it does not pass); tests/test_login_throttling.py turns it on to check it.
AXES_ENABLED = False
MAILERS = {
    "default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    "background": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
}
WHITENOISE_AUTOREFRESH = True  # serve from the finders; no collectstatic before tests
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Background work is queued as in production (in the caller's transaction) and run where a test
# says so: `run_background_work()` from {{ cookiecutter.project_slug }}.background.testing.
BACKGROUND_RETRY_DELAY = 0
{%- if cookiecutter.background_tasks == "celery" %}
# The relay hands tasks to Celery, which runs them in-process: no broker needed for pytest.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
{%- endif %}

# A failing receiver fails the test that triggered it.
SIDE_EFFECTS_RAISE_EXCEPTIONS = True
