"""The development trace: the cascade of receiver calls, as recorded and as logged.

Each test records with ``fresh=True``: under ``pytest --side-effects-trace`` the whole test is
being recorded already, and a plain ``recording()`` would join that trace.
"""

from __future__ import annotations

import contextvars
import logging
import re
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import MiddlewareNotUsed
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from ..runtime.conf import KIT_PACKAGE
from ..runtime.observers import observe, working
from ..tracing.middleware import TraceMiddleware
from ..tracing.recorder import TraceRecorder, recording
from ..tracing.render import render
from ..tracing.trace import FAILED, ROLLED_BACK, Trace
from .receivers import SIGNALS_MODULE, Connect, make_receiver

traced = Signal()
TRACE_LOGGER = f"{KIT_PACKAGE}.trace"


@pytest.fixture(autouse=True)
def task_traces() -> Iterator[list[Trace]]:
    """Record receiver calls as the tracing app does in development; yields each task's trace."""
    finished: list[Trace] = []
    stop = observe(TraceRecorder(on_work=finished.append))
    yield finished
    stop()


@pytest.fixture
def cascade(connect: Connect) -> None:
    """``traced`` -> ``make_group`` saves a Group -> ``on_group_now`` and ``on_group_later``."""

    def make_group(sender: object, **kwargs: object) -> None:
        Group.objects.create(name="editors")

    make_group.__module__, make_group.__qualname__ = SIGNALS_MODULE, "make_group"
    connect(traced, make_group, writes=(Group,))
    connect(post_save, make_receiver("on_group_now", calls=[]), sender=Group, max_queries=0)
    connect(
        post_save, make_receiver("on_group_later", calls=[]), sender=Group, on_commit=True,
        max_queries=0,
    )  # fmt: skip


def _masked(text: str) -> str:
    return re.sub(r"\d+\.\d ms", "N ms", text)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("cascade")
def test_a_receiver_that_saves_shows_the_receivers_it_set_off_below_it() -> None:
    with recording("manage.py import_groups", fresh=True) as trace, transaction.atomic():
        traced.send(sender=None)

    assert _masked(render(trace)) == "\n".join(
        [
            "Side effects of manage.py import_groups: 3 receiver calls, N ms",
            f"└─ {__name__}.traced from any -> {SIGNALS_MODULE}.make_group: ran now, N ms, 1 query",
            f"   ├─ post_save from auth.Group -> {SIGNALS_MODULE}.on_group_now: ran now, N ms, "
            "0 queries",
            f"   └─ post_save from auth.Group -> {SIGNALS_MODULE}.on_group_later: ran on commit, "
            "N ms, 0 queries",
        ]
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("cascade")
def test_an_on_commit_body_of_a_rolled_back_transaction_shows_it_did_not_run() -> None:
    with recording("POST /groups/", fresh=True) as trace, transaction.atomic():
        traced.send(sender=None)
        transaction.set_rollback(True)

    later = trace.all_nodes()[-1]
    assert (later.receiver, later.state) == (f"{SIGNALS_MODULE}.on_group_later", ROLLED_BACK)
    assert render(trace).endswith(
        f"post_save from auth.Group -> {SIGNALS_MODULE}.on_group_later: on commit, "
        "did not run: rolled back"
    )


@override_settings(SIDE_EFFECTS_RAISE_EXCEPTIONS=False)
def test_a_failing_receiver_shows_its_failure(
    connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    connect(traced, make_receiver("broken", calls=[], error=ValueError("no stock")))

    with (
        recording("POST /orders/", fresh=True) as trace,
        caplog.at_level("CRITICAL", logger=KIT_PACKAGE),
    ):
        traced.send(sender=None)

    [node] = trace.nodes
    assert (node.state, node.error) == (FAILED, "ValueError: no stock")
    assert _masked(render(trace)).endswith(
        f"-> {SIGNALS_MODULE}.broken: failed now, N ms, 0 queries, ValueError: no stock"
    )


def test_nothing_is_recorded_outside_a_recording(connect: Connect) -> None:
    calls: list[dict[str, object]] = []
    connect(traced, make_receiver("audit", calls=calls))

    traced.send(sender=None)
    with recording("GET /", fresh=True) as trace:
        pass

    assert (len(calls), trace.nodes) == (1, [])


def _respond_after_sending(request: HttpRequest) -> HttpResponse:
    traced.send(sender=None)
    return HttpResponse()


@override_settings(SIDE_EFFECTS_TRACE=True)
def test_the_middleware_logs_each_request_that_fired_a_receiver(
    connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    connect(traced, make_receiver("audit", calls=[]))
    middleware = TraceMiddleware(_respond_after_sending)

    with caplog.at_level(logging.INFO, logger=TRACE_LOGGER):
        _serve(middleware, RequestFactory().post("/orders/?page=2"))
        _serve(TraceMiddleware(lambda request: HttpResponse()), RequestFactory().get("/quiet/"))

    [record] = [each for each in caplog.records if each.name == TRACE_LOGGER]
    assert record.getMessage().startswith("Side effects of POST /orders/?page=2: 1 receiver call")
    assert f"-> {SIGNALS_MODULE}.audit: ran now" in record.getMessage()


@override_settings(SIDE_EFFECTS_TRACE=True)
def test_a_request_inside_a_recording_is_logged_once_by_its_owner(
    connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    connect(traced, make_receiver("audit", calls=[]))
    owned: list[Trace] = []

    with (
        caplog.at_level(logging.INFO, logger=TRACE_LOGGER),
        recording("manage.py replay_requests", fresh=True, on_finish=owned.append),
    ):
        TraceMiddleware(_respond_after_sending)(RequestFactory().post("/orders/"))

    assert [each for each in caplog.records if each.name == TRACE_LOGGER] == []
    assert [node.receiver for trace in owned for node in trace.nodes] == [f"{SIGNALS_MODULE}.audit"]


@override_settings(SIDE_EFFECTS_TRACE=True)
def test_a_request_the_panel_records_too_is_logged_once_by_the_middleware(
    connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    connect(traced, make_receiver("audit", calls=[]))
    middleware = TraceMiddleware(_respond_after_sending)

    def panel_around_the_middleware() -> None:
        with recording("POST /orders/"):
            middleware(RequestFactory().post("/orders/"))

    with caplog.at_level(logging.INFO, logger=TRACE_LOGGER):
        contextvars.Context().run(panel_around_the_middleware)

    [record] = [each for each in caplog.records if each.name == TRACE_LOGGER]
    assert record.getMessage().startswith("Side effects of POST /orders/: 1 receiver call")


def _serve(middleware: TraceMiddleware, request: HttpRequest) -> None:
    """Serve ``request`` as a server thread would: in a context of its own, no recording under
    way (``pytest --side-effects-trace`` records the whole test)."""
    contextvars.Context().run(middleware, request)


@override_settings(SIDE_EFFECTS_TRACE=True, SIDE_EFFECTS_TRACE_MIN_MS=10_000)
def test_a_request_under_the_threshold_stays_quiet(
    connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    connect(traced, make_receiver("audit", calls=[]))

    with caplog.at_level(logging.INFO, logger=TRACE_LOGGER):
        TraceMiddleware(_respond_after_sending)(RequestFactory().post("/orders/"))

    assert [each for each in caplog.records if each.name == TRACE_LOGGER] == []


def test_the_middleware_is_off_unless_the_setting_asks_for_it() -> None:
    with pytest.raises(MiddlewareNotUsed):
        TraceMiddleware(_respond_after_sending)


def test_each_task_run_is_a_trace_of_its_own(connect: Connect, task_traces: list[Trace]) -> None:
    connect(traced, make_receiver("audit", calls=[]))

    with (
        recording("manage.py db_worker", fresh=True) as worker,
        working("task", "app.tasks.sync"),
    ):
        traced.send(sender=None)

    [task] = task_traces
    assert task.label == "task app.tasks.sync"
    assert [node.receiver for node in task.nodes] == [f"{SIGNALS_MODULE}.audit"]
    assert worker.nodes == []


def test_a_second_recorder_adds_no_node_and_hears_of_each_task(
    connect: Connect, task_traces: list[Trace]
) -> None:
    connect(traced, make_receiver("audit", calls=[]))
    also_told: list[Trace] = []
    stop = observe(TraceRecorder(on_work=also_told.append))
    try:
        with recording("POST /orders/", fresh=True) as request:
            traced.send(sender=None)
        with working("task", "app.tasks.sync"):
            traced.send(sender=None)
    finally:
        stop()

    assert [node.receiver for node in request.all_nodes()] == [f"{SIGNALS_MODULE}.audit"]
    assert also_told == task_traces
    assert [node.receiver for node in also_told[0].all_nodes()] == [f"{SIGNALS_MODULE}.audit"]
