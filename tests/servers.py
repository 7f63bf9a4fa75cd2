"""Real servers for the slow tests, started on loopback and always stopped.

Fixtures: ``postgresql`` and ``redis_server`` (one private server per test session, that is per
xdist worker, in a temporary directory, on a free port of 127.0.0.1) and ``smtp_server`` (an SMTP
sink in a thread, per test, that records the messages it receives and can refuse sessions),
``blackhole`` (a port that never answers). ``running_postgresql()`` gives a test a server of its
own that it can stop, restart or freeze (``stopped()``, ``restart()``, ``frozen()``).
``start_process`` runs a long-lived command (gunicorn, a worker) as a context manager that stops
it on exit.

Every process runs in its own process group with its output in a log file; stopping sends SIGTERM
to the group, then SIGKILL after a bounded wait, so no worker child outlives its test, whether the
test passed or failed (and an ``atexit`` hook catches anything a crash left behind). Every wait
polls with a deadline and fails with the server's log when the deadline passes.

A missing server binary skips the test with the reason. Under ``CI`` (set by CI systems and for
``.ci/run``) it fails instead: ``.ci/run`` installs the servers, so a skip there would hide a
broken install step.
"""

from __future__ import annotations

import atexit
import contextlib
import email
import email.policy
import glob
import http.client
import os
import pwd
import re
import shutil
import signal
import socket
import socketserver
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest

LOOPBACK = "127.0.0.1"
STARTUP_TIMEOUT = 30.0  # seconds for a server to accept work
STOP_TIMEOUT = 10.0  # seconds between SIGTERM and SIGKILL
PORT_ATTEMPTS = 3  # a free port can be taken by someone else before the server binds it


class ServerError(RuntimeError):
    """A server did not start, or a condition on it was not met in time."""


def server_absent(reason: str) -> None:
    """Skip the test because a server is not installed; fail instead under CI."""
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"{reason} (CI must run every real-server test: .ci/run installs it)")
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port of 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def wait_for[T](
    condition: Callable[[], T | None],
    *,
    what: str,
    timeout: float = STARTUP_TIMEOUT,
    process: ManagedProcess | None = None,
) -> T:
    """Poll ``condition`` until it returns something truthy, and return that.

    Raises ``ServerError`` naming ``what`` (with ``process``'s log) when ``timeout`` seconds pass
    or when ``process`` exits first.
    """
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        result = condition()
        if result:
            return result
        if process is not None and process.popen.poll() is not None:
            raise ServerError(
                f"{process.name} exited with status {process.popen.returncode} while waiting "
                f"for {what}\n{process.log_tail()}"
            )
        if time.monotonic() > deadline:
            log = process.log_tail() if process is not None else ""
            raise ServerError(f"timed out after {timeout:.0f}s waiting for {what}\n{log}")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.25)


# --- processes ---------------------------------------------------------------------------------

_RUNNING: set[ManagedProcess] = set()


class ManagedProcess:
    """A command running in its own process group, its output in ``log_path``."""

    def __init__(
        self,
        name: str,
        command: list[str],
        *,
        log_path: Path,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        user: str | None = None,
    ) -> None:
        self.name = name
        self.command = command
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.popen = subprocess.Popen(
                command,
                cwd=cwd,
                env=dict(env) if env is not None else None,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped with its children
                **_as_user(user),
            )
        _RUNNING.add(self)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        tail = "\n".join(self.log_text().splitlines()[-lines:])
        return f"--- last lines of {self.name}'s log ({self.log_path}) ---\n{tail}"

    def wait_for_log(
        self, pattern: str, *, what: str, timeout: float = STARTUP_TIMEOUT
    ) -> re.Match[str]:
        """Wait until the log matches the regular expression ``pattern``; return the match."""
        regex = re.compile(pattern)
        return wait_for(
            lambda: regex.search(self.log_text()), what=what, timeout=timeout, process=self
        )

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it after ``STOP_TIMEOUT``; idempotent."""
        _RUNNING.discard(self)
        self._signal_group(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=STOP_TIMEOUT)
        # Children (gunicorn and celery workers) may outlive their parent: kill what is left.
        self._signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=STOP_TIMEOUT)

    def kill(self) -> None:
        """SIGKILL the whole process group at once, as a crash or the OOM killer would."""
        _RUNNING.discard(self)
        self._signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=STOP_TIMEOUT)

    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signum)


@atexit.register
def _stop_leftovers() -> None:
    for process in list(_RUNNING):
        process.stop()


def _as_user(user: str | None) -> dict[str, object]:
    """Popen arguments that run the command as ``user`` (only when we are root)."""
    if user is None or os.geteuid() != 0:
        return {}
    entry = pwd.getpwnam(user)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


@contextlib.contextmanager
def start_process(
    name: str,
    *command: str,
    log_dir: Path,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[ManagedProcess]:
    """Run ``command`` for the duration of the ``with`` block, then stop it (also on error)."""
    process = ManagedProcess(
        name, list(command), log_path=log_dir / f"{name}.log", cwd=cwd, env=env
    )
    try:
        yield process
    finally:
        process.stop()


def _start_on_free_port(
    name: str,
    command_for: Callable[[int], list[str]],
    ready: Callable[[int], bool],
    *,
    log_dir: Path,
    user: str | None = None,
) -> tuple[ManagedProcess, int]:
    """Start a server on a free port and wait until ``ready(port)``; retry on a port race."""
    for attempt in range(1, PORT_ATTEMPTS + 1):
        port = free_port()
        process = ManagedProcess(
            name, command_for(port), log_path=log_dir / f"{name}-{attempt}.log", user=user
        )
        try:
            wait_for(lambda port=port: ready(port), what=f"{name} on port {port}", process=process)
        except ServerError:
            process.stop()
            if attempt == PORT_ATTEMPTS or "in use" not in process.log_text():
                raise
        else:
            return process, port
    raise AssertionError("unreachable")


# --- PostgreSQL --------------------------------------------------------------------------------

POSTGRES_USER = "postgres"


def postgres_bin_dir() -> Path | None:
    """The newest PostgreSQL server's bin directory (Debian's layout first, then PATH)."""

    def version(path: str) -> float:
        match = re.search(r"/postgresql/([\d.]+)/", path)
        return float(match[1]) if match else 0.0

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version)
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class PostgreSQLProcess:
    """The postmaster of a PostgreSQL server, which a test may stop, restart or freeze."""

    process: ManagedProcess
    command: list[str]
    log_dir: Path
    user: str | None
    restarts: int = 0

    def fast_shutdown(self) -> None:
        """Stop as ``pg_ctl stop -m fast`` does: clients are disconnected, nothing waits."""
        _RUNNING.discard(self.process)
        with contextlib.suppress(ProcessLookupError):
            self.process.popen.send_signal(signal.SIGINT)
        try:
            self.process.popen.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def start(self, ready: Callable[[], bool]) -> None:
        self.restarts += 1
        self.process = ManagedProcess(
            "postgresql", self.command, user=self.user,
            log_path=self.log_dir / f"postgresql-restart-{self.restarts}.log",
        )  # fmt: skip
        wait_for(ready, what="PostgreSQL to accept connections again", process=self.process)

    def pids(self) -> list[int]:
        """The postmaster's process id and its children's (backends, background workers)."""
        postmaster = self.process.popen.pid
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                    children.append(int(stat.parent.name))
        return [postmaster, *children]


@dataclass
class PostgreSQL:
    """A running PostgreSQL server: superuser ``postgres``, trust authentication, loopback."""

    port: int
    host: str = LOOPBACK
    user: str = POSTGRES_USER
    _created: set[str] = field(default_factory=set)
    _server: PostgreSQLProcess | None = None

    @contextlib.contextmanager
    def stopped(self) -> Iterator[None]:
        """The server shut down (fast) for the ``with`` block, started again on the same port
        afterwards, also when the block fails."""
        assert self._server is not None, "only a server started by running_postgresql() stops"
        self._server.fast_shutdown()
        try:
            yield
        finally:
            self._server.start(self.accepts_connections)

    def restart(self) -> None:
        """Shut the server down (fast) and start it again on the same port."""
        with self.stopped():
            pass

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """Every process of the server stopped (SIGSTOP) for the ``with`` block, as a hung
        database: connections stay open and nothing answers. Always resumed (SIGCONT)."""
        assert self._server is not None, "only a server started by running_postgresql() freezes"
        frozen: list[int] = []
        try:
            for pid in self._server.pids():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGSTOP)
                    frozen.append(pid)
            yield
        finally:
            for pid in frozen:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)

    def url(self, database: str) -> str:
        """The ``DATABASE_URL`` of ``database`` on this server."""
        return f"postgres://{self.user}@{self.host}:{self.port}/{database}"

    def connect(self, database: str = "postgres", **options: object):
        import psycopg  # only the slow tests need it

        return psycopg.connect(self.url(database), autocommit=True, **options)

    def create_database(self, prefix: str) -> str:
        """Create a new, empty database whose name starts with ``prefix``; return its URL."""
        name = f"{re.sub(r'[^a-z0-9_]', '_', prefix.lower())[:40]}_{len(self._created)}"
        with self.connect() as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        self._created.add(name)
        return self.url(name)

    def query(self, database: str, sql: str, *params: object) -> list[tuple]:
        """Run ``sql`` in ``database`` and return its rows."""
        with self.connect(database) as connection:
            return connection.execute(sql, params).fetchall()

    def databases(self) -> set[str]:
        return {name for (name,) in self.query("postgres", "SELECT datname FROM pg_database")}

    def accepts_connections(self) -> bool:
        try:
            with self.connect(connect_timeout=1):
                return True
        except Exception:  # starting up, refused, ...: not ready yet
            return False


@pytest.fixture(scope="session")
def postgresql() -> Iterator[PostgreSQL]:
    """A private PostgreSQL server for this test session (fsync off: throwaway data)."""
    with running_postgresql() as server:
        yield server


@contextlib.contextmanager
def running_postgresql() -> Iterator[PostgreSQL]:
    """Start a private PostgreSQL server (also for the benchmarks) and stop it on exit."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        server_absent(
            "PostgreSQL is not installed (no initdb under /usr/lib/postgresql or on PATH)"
        )
    run_as = None
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        try:
            pwd.getpwnam(POSTGRES_USER)
        except KeyError:
            server_absent(
                f"running as root and there is no {POSTGRES_USER!r} user to run PostgreSQL"
            )
        run_as = POSTGRES_USER
    # Not under pytest's basetemp: its parents are private to root, and the server runs as postgres.
    base = Path(tempfile.mkdtemp(prefix="template-tests-postgresql-"))
    try:
        if run_as is not None:
            entry = pwd.getpwnam(run_as)
            os.chown(base, entry.pw_uid, entry.pw_gid)
        data = base / "data"
        initdb = subprocess.run(
            [str(bin_dir / "initdb"), "-D", str(data), "-U", POSTGRES_USER, "-A", "trust",
             "-E", "UTF8", "--no-locale", "--no-sync"],
            capture_output=True, text=True, timeout=120, check=False, **_as_user(run_as),
        )  # fmt: skip
        if initdb.returncode != 0:
            raise ServerError(f"initdb failed:\n{initdb.stdout}\n{initdb.stderr}")

        def command(port: int) -> list[str]:
            return [
                str(bin_dir / "postgres"), "-D", str(data), "-h", LOOPBACK, "-p", str(port),
                "-k", "",  # no Unix socket: TCP on loopback only
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            ]  # fmt: skip

        process, port = _start_on_free_port(
            "postgresql",
            command,
            lambda port: PostgreSQL(port).accepts_connections(),
            log_dir=base,
            user=run_as,
        )
        server = PostgreSQLProcess(process, command(port), base, run_as)
        try:
            yield PostgreSQL(port, _server=server)
        finally:
            server.process.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)


# --- Redis -------------------------------------------------------------------------------------


@dataclass
class Redis:
    """A running Redis server on loopback."""

    port: int
    host: str = LOOPBACK

    def url(self, db: int = 0) -> str:
        return f"redis://{self.host}:{self.port}/{db}"

    def ping(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(64).startswith(b"+PONG")
        except OSError:
            return False


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Redis]:
    """A private Redis server for this test session (no persistence)."""
    with running_redis(tmp_path_factory.mktemp("redis")) as server:
        yield server


def redis_command(port: int, directory: Path) -> list[str]:
    """The command line of a Redis server on ``port`` without persistence, its files in
    ``directory``; skips the test (fails it under CI) when Redis is not installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        server_absent("redis-server is not installed")
    return [
        binary, "--bind", LOOPBACK, "--port", str(port), "--dir", str(directory),
        "--save", "", "--appendonly", "no", "--daemonize", "no",
    ]  # fmt: skip


@contextlib.contextmanager
def running_redis(base: Path) -> Iterator[Redis]:
    """Start a private Redis server with its files in ``base``; stop it on exit."""
    process, port = _start_on_free_port(
        "redis", lambda port: redis_command(port, base), lambda port: Redis(port).ping(),
        log_dir=base,
    )  # fmt: skip
    try:
        yield Redis(port)
    finally:
        process.stop()


# --- SMTP --------------------------------------------------------------------------------------


@dataclass
class ReceivedMail:
    """One message as the SMTP server received it: the envelope and the parsed message."""

    sender: str
    recipients: list[str]
    message: EmailMessage


class SmtpSink(socketserver.ThreadingTCPServer):
    """A minimal SMTP server on loopback that keeps every message it is sent.

    It speaks just enough SMTP (RFC 5321: HELO/EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) for
    Python's ``smtplib``, and so for Django's SMTP mail backend as configured in production.
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__((LOOPBACK, 0), _SmtpHandler)
        self.port: int = self.server_address[1]
        self.messages: list[ReceivedMail] = []
        # Sessions still to be refused with "421" (an SMTP server that is down), and refused.
        self.refuse_sessions = 0
        self.refused = 0
        # Seconds between receiving a message and confirming it (a slow server): kept anyway.
        self.confirm_delay = 0.0
        self._received = threading.Condition()

    def store(self, mail: ReceivedMail) -> None:
        with self._received:
            self.messages.append(mail)
            self._received.notify_all()

    def wait_for_messages(
        self,
        count: int = 1,
        *,
        timeout: float = STARTUP_TIMEOUT,
        process: ManagedProcess | None = None,
    ) -> list[ReceivedMail]:
        """Wait until ``count`` messages have arrived; fail with ``process``'s log if not."""

        def arrived() -> list[ReceivedMail] | None:
            with self._received:
                self._received.wait(timeout=0.1)
                return list(self.messages) if len(self.messages) >= count else None

        return wait_for(arrived, what=f"{count} e-mail(s) on the SMTP server", timeout=timeout,
                        process=process)  # fmt: skip


class _SmtpHandler(socketserver.StreamRequestHandler):
    server: SmtpSink
    timeout = 30

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        if self.server.refuse_sessions > 0:
            self.server.refuse_sessions -= 1
            self.server.refused += 1
            self.reply("421 localhost service not available")
            return
        self.reply("220 localhost test SMTP sink")
        sender, recipients = "", []
        while line := self.rfile.readline():
            verb, _, argument = line.decode("ascii", "replace").strip().partition(" ")
            match verb.upper():
                case "EHLO" | "HELO":
                    self.reply("250 localhost")
                case "MAIL":
                    sender, recipients = _address(argument), []
                    self.reply("250 OK")
                case "RCPT":
                    recipients.append(_address(argument))
                    self.reply("250 OK")
                case "DATA":
                    self.reply("354 End data with <CR><LF>.<CR><LF>")
                    message = email.message_from_bytes(
                        self._read_data(), policy=email.policy.default
                    )
                    self.server.store(ReceivedMail(sender, recipients, message))
                    time.sleep(self.server.confirm_delay)
                    self.reply("250 OK: queued")
                case "RSET":
                    sender, recipients = "", []
                    self.reply("250 OK")
                case "NOOP":
                    self.reply("250 OK")
                case "QUIT":
                    self.reply("221 Bye")
                    return
                case _:
                    self.reply("502 Command not implemented")

    def _read_data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b".") else line)  # undo dot-stuffing
        return b"".join(lines)


def _address(argument: str) -> str:
    """``FROM:<a@b> SIZE=1`` -> ``a@b``."""
    match = re.search(r"<([^>]*)>", argument)
    return match[1] if match else argument.partition(":")[2].strip()


@pytest.fixture
def smtp_server() -> Iterator[SmtpSink]:
    """An SMTP sink on a free loopback port, for this test only."""
    with running_smtp_sink() as sink:
        yield sink


@contextlib.contextmanager
def running_smtp_sink() -> Iterator[SmtpSink]:
    """An SMTP sink on a free loopback port for the ``with`` block (for wider-scoped fixtures)."""
    sink = SmtpSink()
    thread = threading.Thread(
        target=sink.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield sink
    finally:
        sink.shutdown()
        sink.server_close()
        thread.join(timeout=STOP_TIMEOUT)


@pytest.fixture
def blackhole() -> Iterator[int]:
    """A loopback port that accepts connections and never answers (a hung server)."""
    listener = socket.create_server((LOOPBACK, 0))
    accepted: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                accepted.append(listener.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
        for connection in accepted:
            connection.close()


# --- HTTP --------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def http_request(
    port: int,
    path: str,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 10,
) -> Response:
    """One HTTP request to 127.0.0.1:``port``; redirects are returned, not followed."""
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=dict(headers or {}))
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read())
    finally:
        connection.close()
