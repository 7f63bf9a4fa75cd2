"""Each receiver call is an OpenTelemetry span, once an SDK is configured (``spans`` fixture)."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.db import transaction
from django.dispatch import Signal
from django.test import override_settings
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from ..runtime.conf import KIT_PACKAGE
from .receivers import SIGNALS_MODULE, Connect, make_async_receiver, make_receiver

traced = Signal()
SIGNAL_NAME = f"{__name__}.traced"


def _names(spans: InMemorySpanExporter) -> list[str]:
    return [span.name for span in spans.get_finished_spans()]


def _only(spans: InMemorySpanExporter, name: str) -> ReadableSpan:
    [span] = [span for span in spans.get_finished_spans() if span.name == name]
    return span


def test_a_receiver_call_is_a_child_span_named_after_it(
    connect: Connect, spans: InMemorySpanExporter
) -> None:
    connect(traced, make_receiver("audit", calls=[]))
    tracer = trace.get_tracer(__name__)

    with tracer.start_as_current_span("POST /products/") as request_span:
        traced.send(sender=Signal)

    span = _only(spans, f"{SIGNALS_MODULE}.audit")
    assert span.parent is not None
    assert span.parent.span_id == request_span.get_span_context().span_id
    assert span.attributes is not None
    assert dict(span.attributes) | {"code.file.path": "", "code.line.number": 0} == {
        "code.function.name": f"{SIGNALS_MODULE}.audit",
        "code.file.path": "",
        "code.line.number": 0,
        "side_effects.signal": SIGNAL_NAME,
        "side_effects.sender": "django.dispatch.dispatcher.Signal",
        "side_effects.on_commit": False,
        "side_effects.outcome": "ran",
    }
    assert span.status.status_code is StatusCode.UNSET


@pytest.mark.django_db(transaction=True)
def test_an_on_commit_body_is_a_span_only_after_the_commit(
    connect: Connect, spans: InMemorySpanExporter
) -> None:
    connect(traced, make_receiver("later", calls=[]), on_commit=True)
    name = f"{SIGNALS_MODULE}.later"

    with transaction.atomic():
        traced.send(sender=None)
        assert _names(spans) == []  # waiting for the COMMIT

    assert _names(spans) == [name]
    assert _only(spans, name).attributes["side_effects.on_commit"] is True  # type: ignore[index]


@pytest.mark.django_db(transaction=True)
def test_an_on_commit_body_of_a_rolled_back_transaction_is_never_a_span(
    connect: Connect, spans: InMemorySpanExporter
) -> None:
    connect(traced, make_receiver("later", calls=[]), on_commit=True)

    with transaction.atomic():
        traced.send(sender=None)
        transaction.set_rollback(True)

    assert _names(spans) == []


def test_an_async_receiver_call_is_a_span(connect: Connect, spans: InMemorySpanExporter) -> None:
    connect(traced, make_async_receiver("audit_async", calls=[]))

    async_to_sync(traced.asend)(sender=None)

    assert _names(spans) == [f"{SIGNALS_MODULE}.audit_async"]


@override_settings(SIDE_EFFECTS_RAISE_EXCEPTIONS=False)
def test_a_failing_receiver_span_has_error_status_and_the_exception(
    connect: Connect, spans: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    connect(traced, make_receiver("broken", calls=[], error=ValueError("no stock")))

    with caplog.at_level("CRITICAL", logger=KIT_PACKAGE):  # the failure's own log line
        traced.send(sender=None)

    span = _only(spans, f"{SIGNALS_MODULE}.broken")
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "ValueError: no stock"
    assert span.attributes is not None
    assert span.attributes["error.type"] == "ValueError"
    assert span.attributes["side_effects.outcome"] == "failed"
    [event] = span.events
    assert event.name == "exception"
    assert event.attributes is not None
    assert event.attributes["exception.message"] == "no stock"
