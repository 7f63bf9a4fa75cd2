"""Error reports by e-mail that show no secret, cannot flood, and never break the response."""

import hashlib
import logging
import re
import threading
import time
import traceback
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.log import AdminEmailHandler as DjangoAdminEmailHandler
from django.views.debug import SafeExceptionReporterFilter

# A password in a URL's userinfo (scheme://user:PASSWORD@host, or scheme://TOKEN@host), and in
# a DSN's or a query string's key=value pairs (password=PASSWORD, ?password=PASSWORD).
URL_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/?#@\s]+)@")
KEYWORD_PASSWORD = re.compile(
    r"(?P<key>\b(?:password|passwd|pwd)\s*=\s*)(?P<value>'[^']*'|[^\s&;,]+)", re.IGNORECASE
)


class SecretMaskingFilter(SafeExceptionReporterFilter):
    """Django's filter (settings named like KEY, TOKEN, PASSWORD... hidden), and also every
    password written inside a value: ``CELERY_BROKER_URL``, a cache's ``LOCATION``, a DSN.

    Applies to every setting and ``request.META`` entry, at any depth of dicts and lists, so a
    new URL-style setting is covered without naming it here. The user name and host stay
    visible: they tell the reader which server was meant.
    """

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        cleansed = super().cleanse_setting(key, value)
        # type(), not isinstance(): a lazy object (the CSRF token in META) poses as a str.
        return mask_passwords(cleansed) if type(cleansed) is str else cleansed


def mask_passwords(text: str) -> str:
    """``text`` with every password of a URL or DSN in it replaced by the filter's mask."""
    substitute = SafeExceptionReporterFilter.cleansed_substitute

    def userinfo(match: re.Match[str]) -> str:
        user, separator, _ = match["userinfo"].partition(":")
        masked = f"{user}:{substitute}" if separator else substitute  # a lone part may be a token
        return f"{match['scheme']}{masked}@"

    text = URL_USERINFO.sub(userinfo, text)
    return KEYWORD_PASSWORD.sub(lambda match: f"{match['key']}{substitute}", text)


class AdminEmailHandler(DjangoAdminEmailHandler):
    """Django's ``mail_admins`` handler, made safe for incidents.

    - The same error is mailed once per ``ERROR_EMAIL_INTERVAL`` seconds, not once per request:
      a burst of identical 500s (a database outage, a broken page under load) is one e-mail.
      The log line of every occurrence is still printed by the console handler.
    - Django's handler lets the mail backend's exception escape (e.g. connection refused), and
      the request that was answering a 500 then dies without a response. Here the failure is
      reported on stderr, like any failing log handler's, and the response is sent.
    """

    def emit(self, record: logging.LogRecord) -> None:
        if not _first_in_interval(error_signature(record)):
            return
        try:
            super().emit(record)
        except Exception:
            self.handleError(record)


def error_signature(record: logging.LogRecord) -> str:
    """What makes two reports the same error: the exception's type and the line that raised it
    (so one outage seen by many views is one error), or for a report without an exception, its
    logger and message."""
    if record.exc_info and record.exc_info[1] is not None:
        error = record.exc_info[1]
        frames = traceback.extract_tb(error.__traceback__)
        raised_at = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else ""
        parts = [type(error).__qualname__, raised_at]
    else:
        parts = [record.name, str(record.msg), str(getattr(record, "status_code", ""))]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


_mailed_at: dict[str, float] = {}  # signature -> when this process last mailed it
_mailed_lock = threading.Lock()


def _first_in_interval(signature: str) -> bool:
    """Whether no report with ``signature`` was mailed in the last ``ERROR_EMAIL_INTERVAL``.

    The process's own memory answers first (no cache round trip in a burst); the cache then
    makes it one e-mail across processes when it is shared. A cache that fails cannot stop a
    report: this process's memory still bounds the burst.
    """
    interval = settings.ERROR_EMAIL_INTERVAL
    now = time.monotonic()
    with _mailed_lock:
        if signature in _mailed_at and now - _mailed_at[signature] < interval:
            return False
        for stale in [key for key, at in _mailed_at.items() if now - at >= interval]:
            del _mailed_at[stale]
        _mailed_at[signature] = now
    try:
        return bool(cache.add(f"error-email:{signature}", True, timeout=interval))
    except Exception:
        return True
