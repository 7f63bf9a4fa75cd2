"""Settings shared by every environment.

Everything secret or host-specific comes from the environment. On a developer's machine
(``config.settings.local``) a ``.env`` file at the project's root adds to it (never committed);
production and the tests read no ``.env`` unless ``DJANGO_READ_DOT_ENV_FILE=true`` says so.
See ``.env.example`` for the variables this project reads. ``SECRET_KEY`` is set per environment.
"""

import contextlib
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ

# Django's generic classes (ModelAdmin[Product], ModelForm[Product]) accept type arguments.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
DOT_ENV_FILE = BASE_DIR / ".env"
# This module cannot see which settings module imported it; the environment names it.
READ_DOT_ENV_FILE = env.bool(
    "DJANGO_READ_DOT_ENV_FILE",
    default=env.str("DJANGO_SETTINGS_MODULE", default="") == "config.settings.local",
)
if READ_DOT_ENV_FILE:
    environ.Env.read_env(DOT_ENV_FILE)

# Where the SQLite file and collected static files go: the checkout's root, next to manage.py,
# or the current directory when the project runs from an installed wheel (never site-packages).
RUN_DIR = BASE_DIR if (BASE_DIR / "manage.py").is_file() else Path.cwd()
DATA_DIR = Path(env.str("DJANGO_DATA_DIR", default=str(RUN_DIR)))

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",  # throttles login attempts (the admin's included)
    "{{ cookiecutter.project_slug }}.background",  # before django_tasks_db: its db_worker wins
{%- if cookiecutter.background_tasks == "database" %}
    "django_tasks_db",
{%- endif %}
    "{{ cookiecutter.project_slug }}.side_effects.inspection",  # receiver checks, signalmap
    "{{ cookiecutter.project_slug }}.side_effects.scaffolding",  # startapp, makemigrations
{%- if cookiecutter.include_example_app %}
    "{{ cookiecutter.project_slug }}.catalog",
{%- endif %}
]

MIDDLEWARE = [
    # A database that is down or stops answering is a fast 503 (config/database_outages.py).
    "config.database_outages.DatabaseOutageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # answers a locked-out login attempt
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def create_private_sqlite_file(database: dict[str, Any]) -> None:
    """Create ``database``'s SQLite file readable by its owner only, before SQLite creates it
    readable by everyone (the journal and WAL files SQLite adds take the same mode)."""
    name = str(database["NAME"])
    if database["ENGINE"] != "django.db.backends.sqlite3" or name.startswith((":", "file:")):
        return
    path = Path(name)
    if path.parent.is_dir():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A request still waiting on the database this many seconds after it started has its
# connection cut and is answered 503 (config/database_outages.py), as when the database is
# down. Keep it, plus DATABASE_CONNECT_TIMEOUT, under the web server's timeout (gunicorn's 30 s),
# which kills the worker and drops the client's connection instead.
DATABASE_REQUEST_TIMEOUT = env.float("DATABASE_REQUEST_TIMEOUT", default=20)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    postgresql_options = DATABASES["default"].setdefault("OPTIONS", {})
    # A request waits at most this long for a connection instead of the OS's minutes.
    postgresql_options["connect_timeout"] = env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    # The server cancels any statement that runs longer (a lock held, a slow query); 0 turns
    # it off, e.g. `DATABASE_STATEMENT_TIMEOUT=0 python manage.py migrate` for a long migration.
    statement_timeout_ms = round(env.float("DATABASE_STATEMENT_TIMEOUT", default=15) * 1000)
    statement_timeout = f"-c statement_timeout={statement_timeout_ms}"
    postgresql_options["options"] = f"{postgresql_options.get('options', '')} {statement_timeout}"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A cache that stalls must not stall the request: bounded connect and read (seconds).
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_connect_timeout=env.float("CACHE_TIMEOUT", default=1),
        socket_timeout=env.float("CACHE_TIMEOUT", default=1),
    )

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out client before any check
    "django.contrib.auth.backends.ModelBackend",
]
# Failed logins (django-axes): this many from one client for one user name lock that pair out
# for AXES_COOLOFF_MINUTES; a successful login resets the count. Behind proxies, set
# AXES_PROXY_COUNT to their number so the client's address is read from X-Forwarded-For.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner at every start; failures and lockouts are still logged
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SMTP_OPTIONS = {
    "host": env.str("EMAIL_HOST", default="localhost"),
    "port": env.int("EMAIL_PORT", default=25),
    "username": env.str("EMAIL_HOST_USER", default=""),
    "password": env.str("EMAIL_HOST_PASSWORD", default=""),
    "use_tls": env.bool("EMAIL_USE_TLS", default=False),
}
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
# No SMTP wait is unbounded (seconds). Requests (error reports) wait briefly; background tasks
# send with the "background" mailer, which waits longer: an SMTP server that confirms a message
# after the timeout has usually sent it, and the task's retry would send it again (RFC 5321
# gives a server up to 10 minutes to confirm). Keep it below BACKGROUND_TASK_LEASE.
MAILERS = {
    "default": {
        "BACKEND": SMTP_BACKEND,
        "OPTIONS": {**SMTP_OPTIONS, "timeout": env.float("EMAIL_TIMEOUT", default=10)},
    },
    "background": {
        "BACKEND": SMTP_BACKEND,
        "OPTIONS": {**SMTP_OPTIONS, "timeout": env.float("BACKGROUND_EMAIL_TIMEOUT", default=300)},
    },
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="{{ cookiecutter.author_email }}")
{%- if cookiecutter.include_example_app %}

# Who gets an e-mail when a product changes (the example app's background task).
CATALOG_PRICE_WATCHERS: list[str] = env.list("CATALOG_PRICE_WATCHERS", default=[])
{%- endif %}

# Background work (see the README's "Background work: what is guaranteed"). Seconds a started
# task may run before it is presumed abandoned and run again: keep it above the longest task.
BACKGROUND_TASK_LEASE = env.int("BACKGROUND_TASK_LEASE", default=600)
# Runs of a failing task before it is dead (`python manage.py dead_tasks` lists and requeues).
BACKGROUND_MAX_ATTEMPTS = env.int("BACKGROUND_MAX_ATTEMPTS", default=5)
# Wait before the first retry, doubled for each further one, up to the maximum (seconds).
BACKGROUND_RETRY_DELAY = env.float("BACKGROUND_RETRY_DELAY", default=10)
BACKGROUND_RETRY_MAX_DELAY = env.float("BACKGROUND_RETRY_MAX_DELAY", default=600)
# How often a worker looks for tasks whose worker died, past their lease (seconds).
BACKGROUND_RECLAIM_INTERVAL = env.float("BACKGROUND_RECLAIM_INTERVAL", default=30)
# A worker or relay whose database{% if cookiecutter.background_tasks == "celery" %} or broker{% endif %} is down waits BACKGROUND_RETRY_DELAY, doubled
# per failed attempt up to this (seconds), and resumes by itself.
BACKGROUND_RECONNECT_MAX_DELAY = env.float("BACKGROUND_RECONNECT_MAX_DELAY", default=30)
{%- if cookiecutter.background_tasks == "database" %}

# Tasks are rows of the project database (django-tasks-db), enqueued inside the caller's
# transaction and run by `python manage.py db_worker`; each carries its trace context.
TASKS = {
    "default": {
        "BACKEND": "{{ cookiecutter.project_slug }}.background.backend.TracedDatabaseBackend",
    },
}
{%- else %}
# How often `python manage.py relay_outbox` looks for new outbox rows when idle (seconds).
BACKGROUND_RELAY_INTERVAL = env.float("BACKGROUND_RELAY_INTERVAL", default=0.5)
# Seconds after publishing a task with no outcome recorded (the broker lost it) before the
# relay publishes it again: keep it above the longest a task waits in the queue and is retried.
BACKGROUND_DELIVERY_LEASE = env.int("BACKGROUND_DELIVERY_LEASE", default=3600)

# Celery workers fed by a Redis broker (`celery -A config worker`). Only the relay and the
# workers talk to the broker, never a request, and always with bounded waits (seconds).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://localhost:6379/0")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_TIMEOUT", default=2)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    # A message a worker took but never acknowledged (the worker died) is delivered again after
    # this long: the lease, so keep it above the longest task too.
    "visibility_timeout": BACKGROUND_TASK_LEASE,
    # Workers sweep for such messages this often (kombu's default is every 100 s).
    "unacked_restore_interval": BACKGROUND_RECLAIM_INTERVAL,
    "unacked_restore_throttle": 1,
}
# Acknowledge a message when its task has finished, and give it back to the broker when the
# worker process running it dies, so a crash does not lose it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
{%- endif %}

# Receivers connected with @side_effect log their failures; whether the failure then propagates
# to the code that sent the signal is decided here (on in local and tests, off in production).
SIDE_EFFECTS_RAISE_EXCEPTIONS = env.bool("SIDE_EFFECTS_RAISE_EXCEPTIONS", default=False)
# The query budget of a receiver that does not pass max_queries (checked by the pytest plugin).
SIDE_EFFECTS_DEFAULT_MAX_QUERIES = 1
# Seconds one receiver call may take in the tests when it does not pass max_seconds.
SIDE_EFFECTS_DEFAULT_MAX_SECONDS = 0.25
# The most any receiver may ask for (system check side_effects.E006): one that needs more does
# a task's work. Raise a ceiling here, in a change reviewers see, never per receiver.
SIDE_EFFECTS_MAX_QUERIES_CEILING = 5
SIDE_EFFECTS_MAX_SECONDS_CEILING = 1.0
# `python manage.py test` holds receivers to their rules as `pytest` does (the gate is pytest).
TEST_RUNNER = "{{ cookiecutter.project_slug }}.side_effects.testing.django_runner.GuardedTestRunner"

# Error reports (config/error_reports.py): every password in a URL- or DSN-style value is
# masked, and one error (its type and where it was raised) is e-mailed at most once per this
# many seconds: once in all with a shared CACHE_URL (Redis), once per process with the default.
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.error_reports.SecretMaskingFilter"
ERROR_EMAIL_INTERVAL = env.float("ERROR_EMAIL_INTERVAL", default=300)

# Every line is printed once, by the root logger. Django's default configuration gives the
# "django" logger a console handler of its own when DEBUG is on, which printed django.* lines
# (django.tasks: every task a worker runs) twice; here it keeps only the e-mail to ADMINS.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {"plain": {"format": "%(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        # Django's handler, except that an unreachable mail server cannot turn an error
        # report into a dropped connection (config/error_reports.py).
        "mail_admins": {
            "class": "config.error_reports.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        # A request with a Host not in ALLOWED_HOSTS is anyone's to send: logged, not mailed.
        "django.security.DisallowedHost": {"handlers": ["console"], "propagate": False},
    },
}
