"""A database that is down or hung gets a fast 503, not a 500 after 30 s or a dropped connection.

Three bounds cover the ways a request can wait on PostgreSQL (see the settings): connecting
(``DATABASE_CONNECT_TIMEOUT``), a statement the server runs too long (``statement_timeout``,
cancelled by the server itself), and a server that answers nothing at all (frozen, or a network
that drops packets), where only the client can give up: :class:`DatabaseOutageMiddleware`
cuts the connection of a request still waiting on the database ``DATABASE_REQUEST_TIMEOUT``
seconds after it started. Each ends in a database error, which :func:`database_unavailable`
answers with a plain 503 and one log line: the middleware for an error raised by a view,
``config.views.server_error`` (the 500 handler) for one raised anywhere else.
"""

import logging
import os
import socket
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

# Errors that say the database cannot be reached or did not answer (not a bug in a query).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5
WATCH_INTERVAL = 0.25  # seconds between two looks of the watchdog at the requests it guards


def database_unavailable(request: HttpRequest, error: BaseException) -> HttpResponse:
    """The 503 for a request whose database was down, hung or out of time."""
    logger.warning(
        "Database unavailable for %s %s (%s: %s); answered 503.",
        request.method, request.path, type(error).__name__, str(error).strip(),
    )  # fmt: skip
    connections.close_all()  # the next request starts from a fresh connection
    # The error report Django e-mails next shows the user; finding out who it is would read
    # the session from the database that just failed, and wait for it all over again.
    request.user = AnonymousUser()
    return HttpResponse(
        "Service temporarily unavailable; try again in a few seconds.\n",
        status=503,
        content_type="text/plain; charset=utf-8",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


class DatabaseOutageMiddleware:
    """Answer a view's database outage with a 503, and cut the PostgreSQL connection of a
    request that is still waiting on it past its deadline.

    The 503 is answered here rather than by the 500 handler so that Django's error report
    (e-mailed once per ``ERROR_EMAIL_INTERVAL``) carries no traceback: rendering one shows
    each frame's variables, and a query set among them would query the failed database again.

    A frozen server keeps its sockets open and its kernel acknowledges every packet, so neither
    ``statement_timeout`` nor TCP timeouts end the wait; the web server would kill the worker
    after its own timeout and drop the client's connection. Shutting the socket down wakes the
    waiting query with a database error instead. A connection is cut only while a command is in
    progress on it: a request that is slow for other reasons keeps its connection, unless it
    is still querying once past its deadline.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        database = connections[DEFAULT_DB_ALIAS]
        if database.vendor != "postgresql":
            return self.get_response(request)
        deadline = time.monotonic() + settings.DATABASE_REQUEST_TIMEOUT
        ticket = _watchdog.watch(database, deadline, f"{request.method} {request.path}")
        try:
            return self.get_response(request)
        finally:
            _watchdog.forget(ticket)

    def process_exception(self, request: HttpRequest, error: Exception) -> HttpResponse | None:
        if isinstance(error, DATABASE_UNAVAILABLE):
            return database_unavailable(request, error)
        return None


class _Watchdog:
    """One daemon thread per process that cuts the connections of requests past their deadline."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # ticket -> the request's database connection, its deadline, and the request's name
        self._watched: dict[int, tuple[BaseDatabaseWrapper, float, str]] = {}
        self._tickets = 0
        self._thread: threading.Thread | None = None
        self._pid = 0

    def watch(self, database: BaseDatabaseWrapper, deadline: float, what: str) -> int:
        with self._lock:
            if self._thread is None or self._pid != os.getpid():  # none yet, or forked since
                self._pid = os.getpid()
                self._thread = threading.Thread(
                    target=self._run, name="database-deadline", daemon=True
                )
                self._thread.start()
            self._tickets += 1
            self._watched[self._tickets] = (database, deadline, what)
            return self._tickets

    def forget(self, ticket: int) -> None:
        with self._lock:
            self._watched.pop(ticket, None)

    def _run(self) -> None:
        while True:
            time.sleep(WATCH_INTERVAL)
            now = time.monotonic()
            with self._lock:
                overdue = [
                    (ticket, entry) for ticket, entry in self._watched.items() if entry[1] <= now
                ]
            for ticket, (database, _, what) in overdue:
                if _cut_if_waiting(database):
                    logger.warning(
                        "The database did not answer %s within %s s; cut its connection.",
                        what, settings.DATABASE_REQUEST_TIMEOUT,
                    )  # fmt: skip
                    self.forget(ticket)


def _cut_if_waiting(database: BaseDatabaseWrapper) -> bool:
    """Shut down the socket of ``database``'s connection if a command is waiting on it."""
    from psycopg.pq import TransactionStatus  # PostgreSQL only: imported once one is in use

    raw = database.connection
    try:
        if raw is None or raw.info.transaction_status != TransactionStatus.ACTIVE:
            return False
        with socket.socket(fileno=os.dup(raw.fileno())) as duplicate:
            duplicate.shutdown(socket.SHUT_RDWR)  # the socket itself, for every descriptor of it
    except Exception:  # closed meanwhile: the request has its answer already
        return False
    return True


_watchdog = _Watchdog()
