"""Settings for the test suite: fast hashing, in-memory e-mail, tasks run in-process."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-test-only-secret-key")
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
WHITENOISE_AUTOREFRESH = True  # serve from the finders; no collectstatic before tests
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
{%- if cookiecutter.background_tasks == "database" %}

# Tasks run in-process the moment they are enqueued: no worker needed for pytest.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
{%- else %}

# Tasks run in-process the moment they are sent: no broker needed for pytest.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = "memory://"
{%- endif %}

# A failing receiver fails the test that triggered it.
SIDE_EFFECTS_RAISE_EXCEPTIONS = True
