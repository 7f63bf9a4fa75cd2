"""The runtime guards: what a receiver's body may not do, each seen through a real dispatch.

Each test connects a receiver for itself, sends its signal, and reads what the session's guards
recorded (``report()`` also clears it, so the test's own phase does not fail for it).
"""

from __future__ import annotations

import asyncio
import logging.handlers
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from importlib import import_module
from pathlib import Path

import pytest
{% if cookiecutter.get("background_tasks") == "celery" %}from celery import current_app
{% endif %}from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models.signals import post_migrate, post_save, pre_save
from django.dispatch import Signal
from django.test.utils import CaptureQueriesContext

from ..inspection.scope import is_test_file
from ..runtime.conf import relative_to_root
from ..runtime.registry import Receiver
from ..testing.advice import ENQUEUE
from ..testing.guards import ReceiverGuards, late_wiring
from ..testing.guards.frames import is_kit_file
from ..testing.guards.model_overrides import ModelOverrides
from ..testing.pytest_plugin import guards_of
from . import services, tasks, wiring
from .receivers import SIGNALS_MODULE

pytestmark = pytest.mark.django_db

done = Signal()


def _connect() -> str:
    """Connect to a port nobody listens on."""
    socket.socket().connect_ex(("127.0.0.1", 9))
    return "stock"


class _ProjectHandler(logging.Handler):
    """A logging handler of the project's own (it talks to the network itself)."""

    def emit(self, record: logging.LogRecord) -> None:
        _connect()


PROJECT_LOG = logging.getLogger(f"{__name__}.warehouse")
PROJECT_LOG.addHandler(_ProjectHandler())
PROJECT_LOG.propagate = False
POOL = ThreadPoolExecutor(max_workers=1)  # made at import: no thread starts in a receiver


async def _call_soon() -> None:
    asyncio.get_running_loop().call_soon(len, "x")


@pytest.fixture
def guards(request: pytest.FixtureRequest) -> Iterator[ReceiverGuards]:
    """The session's guards, with nothing recorded before or left after the test."""
    session_guards = guards_of(request.config)
    session_guards.report()
    yield session_guards
    session_guards.report()


@pytest.fixture
def send_to(connect: Callable[..., Receiver]) -> Callable[..., None]:
    """``send_to(body, **options)``: connect ``body`` as a receiver of ``done`` and send it."""

    def _send(body: Callable[[], object], **options: object) -> None:
        def receiver(sender: object, **kwargs: object) -> None:
            body()

        receiver.__name__ = body.__name__
        connect(done, module_level(receiver), **options)
        done.send(sender=None)

    return _send


def module_level(func: Receiver) -> Receiver:
    """Give a receiver made in a test the identity of a function of a signals module."""
    func.__qualname__ = func.__name__
    func.__module__ = SIGNALS_MODULE
    return func


def name(body: Callable[[], object]) -> str:
    return f"Receiver {SIGNALS_MODULE}.{body.__name__}"


def test_savepoints_are_not_counted(guards: ReceiverGuards, send_to: Callable[..., None]) -> None:
    def count_in_a_savepoint() -> None:
        with transaction.atomic():
            Group.objects.count()

    send_to(count_in_a_savepoint, max_queries=1)

    assert guards.report() == ""
    assert guards.stats[f"{SIGNALS_MODULE}.count_in_a_savepoint"].most_queries == 1


def test_a_receiver_over_its_time_budget_is_reported(
    guards: ReceiverGuards, send_to: Callable[..., None]
) -> None:
    def wait() -> None:
        threading.Event().wait(0.05)

    send_to(wait, max_seconds=0.01)

    report = guards.report()
    assert f"{name(wait)} took " in report
    assert "its budget is max_seconds=0.01" in report
    assert "raise max_seconds in its @side_effect(...)" in report


def test_a_receiver_calling_a_service_is_reported(
    guards: ReceiverGuards, send_to: Callable[..., None]
) -> None:
    def recount() -> None:
        services.recount_groups()

    send_to(recount)

    report = guards.report()
    assert f"{name(recount)} called the service {services.__name__}.recount_groups." in report
    assert "call the service from the code that sends the signal" in report


def test_a_receiver_importing_a_services_module_at_run_time_is_reported(
    guards: ReceiverGuards, send_to: Callable[..., None]
) -> None:
    def import_services() -> None:
        import_module(services.__name__)

    del sys.modules[services.__name__]
    try:
        send_to(import_services)
    finally:
        sys.modules[services.__name__] = services

    report = guards.report()
    assert f"{name(import_services)} imported the services module {services.__name__} " in report


@pytest.mark.parametrize(
    ("action", "what"),
    [
        (lambda: socket.socket().connect_ex(("127.0.0.1", 9)), "opened a network connection"),
        (lambda: subprocess.run([sys.executable, "-c", ""], check=True), "started a subprocess"),
        (lambda: threading.Thread(target=print).start(), "started a thread"),
        (lambda: tasks.count_groups.call(), "ran the task"),
    ],
    ids=["socket", "subprocess", "thread", "task-call"],
)
def test_work_outside_the_receiver_is_reported(
    guards: ReceiverGuards, send_to: Callable[..., None], action: Callable[[], object], what: str
) -> None:
    def reach_out() -> None:
        action()

    send_to(reach_out, max_queries=1)

    report = guards.report()
    assert f"{name(reach_out)} {what}" in report
    assert ENQUEUE in report


def test_a_logging_handler_may_connect_to_its_server(
    guards: ReceiverGuards, send_to: Callable[..., None]
) -> None:
    handler = logging.handlers.SocketHandler("127.0.0.1", 9)  # nothing listens: emit fails
    logger = logging.getLogger(f"{__name__}.metrics")
    logger.addHandler(handler)

    def log_a_metric() -> None:
        logger.warning("saved")

    try:
        send_to(log_a_metric)
    finally:
        logger.removeHandler(handler)
        handler.close()

    assert guards.report() == ""


def test_an_enqueue_is_charged_its_insert_and_needs_no_declared_write(
    guards: ReceiverGuards, send_to: Callable[..., None]
) -> None:
    def enqueue() -> None:
        tasks.count_groups.enqueue()

    send_to(enqueue, max_queries=0)

    report = guards.report()
    assert f"{name(enqueue)} ran 1 database query; its budget is max_queries=0" in report
    assert "does not declare" not in report
{%- if cookiecutter.get("background_tasks") == "celery" %}


@pytest.mark.filterwarnings("ignore:task_always_eager has no effect on send_task")
@pytest.mark.parametrize(
    ("publish", "how"),
    [
        (lambda: tasks.count_groups_on_celery.delay(), "(task.delay())"),
        (lambda: tasks.count_groups_on_celery.apply_async(), "(apply_async())"),
        (lambda: current_app.send_task(tasks.count_groups_on_celery.name), "(send_task())"),
    ],
    ids=["delay", "apply_async", "send_task"],
)
def test_a_receiver_reaching_the_broker_past_the_outbox_is_reported(
    guards: ReceiverGuards, send_to: Callable[..., None], publish: Callable[[], object], how: str
) -> None:
    def publish_now() -> None:
        publish()

    send_to(publish_now, max_queries=0)

    report = guards.report()
    assert f"{name(publish_now)} sent the task " in report
    assert f"to the broker directly {how}." in report
    assert "enqueue(task, ...) from {{ cookiecutter.project_slug }}.background.outbox" in report
    assert "ran 1 database query" not in report  # the eager run is the task's work
{%- endif %}


@pytest.mark.parametrize(
    ("action", "what"),
    [
        (lambda: cache.get_or_set("stock", _connect), "opened a network connection"),
        (lambda: PROJECT_LOG.warning("saved"), "opened a network connection"),
        (lambda: POOL.submit(len, "x").result(), "handed len to an executor (submit)."),
        (lambda: asyncio.run(_call_soon()), "handed len to the event loop (call_soon)."),
    ],
    ids=["cache-callable", "project-log-handler", "warm-pool", "event-loop"],
)
def test_work_handed_elsewhere_is_the_receivers(
    guards: ReceiverGuards, send_to: Callable[..., None], action: Callable[[], object], what: str
) -> None:
    def hand_off() -> None:
        action()

    send_to(hand_off, max_queries=0)

    assert f"{name(hand_off)} {what}" in guards.report()


def test_the_advice_says_what_waits_on_the_receiver(
    guards: ReceiverGuards, connect: Callable[..., Receiver]
) -> None:
    def tell_the_crm(sender: object, **kwargs: object) -> None:
        _connect()

    connect(user_login_failed, module_level(tell_the_crm), max_queries=0)
    user_login_failed.send(sender=Group, credentials={}, request=None)

    report = guards.report()
    assert "makes every failed login wait on work outside it" in report
    assert "save" not in report


def test_a_udp_datagram_is_no_connection(
    guards: ReceiverGuards, send_to: Callable[..., None]
) -> None:
    def count_in_statsd() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as statsd:
            statsd.connect(("127.0.0.1", 8125))
            statsd.send(b"saves:1|c")

    send_to(count_in_statsd, max_queries=0)

    assert guards.report() == ""


def test_a_raw_db_api_cursor_is_counted_and_its_writes_judged(
    guards: ReceiverGuards, send_to: Callable[..., None]
) -> None:
    def rename_raw() -> None:
        connection.ensure_connection()
        cursor = connection.connection.cursor()
        cursor.execute("UPDATE auth_group SET name = 'x' WHERE id = -1")
        cursor.close()

    send_to(rename_raw, max_queries=0)

    report = guards.report()
    assert f"{name(rename_raw)} ran 1 database query; its budget is max_queries=0" in report
    assert "-- raw DB-API cursor" in report
    assert f"{name(rename_raw)} wrote rows of auth.Group, which its" in report


def test_a_query_logged_by_the_test_counts_once(
    guards: ReceiverGuards, send_to: Callable[..., None]
) -> None:
    def count_groups() -> None:
        Group.objects.filter(name="x").count()

    # Logging quotes the parameters; on SQLite that is a statement of Django's own, not the
    # receiver's.
    with CaptureQueriesContext(connection):
        send_to(count_groups, max_queries=1)

    assert guards.report() == ""
    assert guards.stats[f"{SIGNALS_MODULE}.count_groups"].most_queries == 1


def test_a_write_needs_declaring(guards: ReceiverGuards, send_to: Callable[..., None]) -> None:
    def update_group() -> None:
        Group.objects.filter(name="none").update(name="undeclared")

    def update_declared_group() -> None:
        Group.objects.filter(name="none").update(name="declared")

    send_to(update_group, max_queries=1)
    undeclared = guards.report()
    send_to(update_declared_group, max_queries=1, writes=(Group,))  # both receivers run

    assert f"{name(update_group)} wrote rows of auth.Group, which its" in undeclared
    assert f"{name(update_declared_group)} wrote" not in guards.report()


def test_on_commit_callbacks_a_receiver_registers_are_charged_to_it(
    guards: ReceiverGuards,
    send_to: Callable[..., None],
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    def count_later() -> None:
        transaction.on_commit(Group.objects.count)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        send_to(count_later, max_queries=0)

    report = guards.report()
    assert f"{name(count_later)} (its on-commit callback " in report
    assert "ran 1 database query; its budget is max_queries=0" in report


@pytest.mark.django_db(transaction=True)
def test_queries_of_an_async_receiver_are_counted(
    guards: ReceiverGuards, connect: Callable[..., Receiver]
) -> None:
    async def count_async(sender: object, **kwargs: object) -> None:
        await Group.objects.acount()

    connect(done, module_level(count_async), max_queries=0)
    done.send(sender=None)

    assert "count_async ran 1 database query" in guards.report()


@pytest.mark.parametrize("normalizes", [False, True], ids=["rule", "normalisation"])
def test_a_pre_save_receiver_changing_its_instance_is_reported_unless_it_normalizes(
    guards: ReceiverGuards, connect: Callable[..., Receiver], normalizes: bool
) -> None:
    def shout(sender: object, instance: Group, **kwargs: object) -> None:
        instance.name = instance.name.upper()

    connect(pre_save, module_level(shout), sender=Group, normalizes=normalizes, max_queries=0)
    Group.objects.create(name="editors")

    report = guards.report()
    if normalizes:
        assert report == ""
    else:
        assert "shout changed the instance it was sent before the save:" in report
        assert "Group.name: 'editors' -> 'EDITORS'" in report
        assert "@side_effect(pre_save, sender=..., normalizes=True)" in report


def test_migration_signals_have_no_budgets(
    guards: ReceiverGuards, connect: Callable[..., Receiver]
) -> None:
    def create_default_groups(sender: object, **kwargs: object) -> None:
        Group.objects.get_or_create(name="editors")
        Group.objects.get_or_create(name="viewers")

    app = apps.get_app_config("side_effects")
    connect(post_migrate, module_level(create_default_groups), sender=app, max_queries=0)
    post_migrate.send(sender=app, app_config=app, verbosity=0, interactive=False, using="default")

    assert guards.report() == ""
    assert guards.stats[f"{SIGNALS_MODULE}.create_default_groups"].most_queries >= 2


def test_a_save_override_writing_other_tables_is_reported(guards: ReceiverGuards) -> None:
    def save(instance: Group) -> None:
        """An override as a project model might have: it renames permissions, then saves."""
        Permission.objects.filter(codename="none").update(name="none")
        super(Group, instance).save()

    # The kit has no model of its own: watch this override as the guards watch a project's.
    [rule] = [rule for rule in guards.rules if isinstance(rule, ModelOverrides)]
    watched = rule.watching(save)
    watched(Group(name="editors"))

    report = guards.report()
    assert "save() writes rows of other tables: auth_permission." in report
    assert "move it to a service that saves the instance" in report


def test_a_failure_shows_the_chain_that_led_to_the_receiver(
    guards: ReceiverGuards, connect: Callable[..., Receiver]
) -> None:
    def count_twice(sender: object, **kwargs: object) -> None:
        Group.objects.count()
        Group.objects.count()

    connect(post_save, module_level(count_twice), sender=Group, max_queries=1)

    Group.objects.create(name="editors")

    report = guards.report()
    here = f"{relative_to_root(Path(__file__).resolve())}:"
    chain = [
        line.strip()
        for line in report.partition("How it got here (outermost first):")[2].splitlines()
    ]
    assert any(
        line.startswith(here) and line.endswith('Group.objects.create(name="editors")')
        for line in chain
    ), report
    assert "-> sends django.db.models.signals.post_save from auth.Group" in chain, report
    assert f"-> receiver {SIGNALS_MODULE}.count_twice" in chain, report


@pytest.fixture
def wiring_is_business_code(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """:mod:`.wiring` judged as the project's business code (the kit does not judge its tests)."""
    helper = wiring.__file__
    for rule, real in [("is_test_file", is_test_file), ("is_kit_file", is_kit_file)]:
        monkeypatch.setattr(
            late_wiring, rule, lambda filename, real=real: filename != helper and real(filename)
        )
    monkeypatch.setattr(late_wiring, "is_business_code", lambda filename: filename == helper)
    yield
    post_save.disconnect(wiring.note_group, sender=Group)


def test_a_test_may_connect_through_a_project_helper(wiring_is_business_code: None) -> None:
    wiring.start_watching_groups()

    assert any(receiver is wiring.note_group for _, receiver, _, _ in post_save.receivers)


def test_project_code_connecting_with_no_test_on_the_stack_is_refused(
    wiring_is_business_code: None,
) -> None:
    # A worker thread runs the helper itself: no test code is on its stack.
    with ThreadPoolExecutor(max_workers=1) as worker:
        connecting = worker.submit(wiring.start_watching_groups)

    with pytest.raises(ImproperlyConfigured) as refused:
        connecting.result()

    message = str(refused.value)
    assert f"Receiver {wiring.__name__}.note_group was connected after the app registry" in message
    assert "(start_watching_groups)" in message
    assert "define the receiver with @side_effect in <app>/signals.py" in message
