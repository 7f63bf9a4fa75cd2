"""The catalog's receivers as OpenTelemetry spans, and its task's span linked to the change."""

from decimal import Decimal

import pytest
from django.db.models.signals import post_save, pre_save
from django.test import Client
from django.urls import reverse
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from {{ cookiecutter.project_slug }}.background.testing import run_background_work
from {{ cookiecutter.project_slug }}.catalog.models import Product
from {{ cookiecutter.project_slug }}.catalog.services import create_product
from {{ cookiecutter.project_slug }}.side_effects.runtime.registry import registrations

REQUEST = "POST /products/"
TASK = "{{ cookiecutter.project_slug }}.catalog.tasks.notify_price_watchers"
SIGNAL = "side_effects.signal"
# The request sends other signals too (request_started, a team's receivers of them).
MODEL_SAVE_SIGNALS = {"django.db.models.signals.pre_save", "django.db.models.signals.post_save"}


def _hears_products(sender: object) -> bool:
    """Whether a receiver connected for ``sender`` hears a product's signals."""
    return sender is None or sender is Product or sender == Product._meta.label


def _receivers_of_product_saves() -> list[str]:
    """Every receiver a product's save fires, once per signal it hears, as connected now."""
    return sorted(
        each.path
        for signal in (pre_save, post_save)
        for each in registrations()
        if signal in each.signals and _hears_products(each.sender)
    )


@pytest.mark.django_db(transaction=True)
def test_a_post_makes_one_span_per_receiver_under_the_requests_span(
    admin_client: Client, spans: InMemorySpanExporter
) -> None:
    tracer = trace.get_tracer(__name__)

    with tracer.start_as_current_span(REQUEST) as request_span:
        response = admin_client.post(
            reverse("catalog:products"), {"name": "Lamp", "price": "19.90"}
        )

    assert response.status_code == 201
    request_id = request_span.get_span_context().span_id
    receiver_spans = [
        span
        for span in spans.get_finished_spans()
        if span.name != REQUEST and str((span.attributes or {}).get(SIGNAL)) in MODEL_SAVE_SIGNALS
    ]
    assert sorted(span.name for span in receiver_spans) == _receivers_of_product_saves()
    assert all(span.parent and span.parent.span_id == request_id for span in receiver_spans)
    assert {span.attributes["side_effects.sender"] for span in receiver_spans} == {  # type: ignore[index]
        "catalog.Product"
    }


@pytest.mark.django_db(transaction=True)
def test_the_task_run_by_the_worker_links_to_the_span_that_queued_it(
    spans: InMemorySpanExporter,
) -> None:
    tracer = trace.get_tracer(__name__)
    with tracer.start_as_current_span(REQUEST) as request_span:
        create_product(name="Lamp", price=Decimal("19.90"))
    queued_in = {
        span.context.span_id
        for span in spans.get_finished_spans()
        if span.context.trace_id == request_span.get_span_context().trace_id
    }

    run_background_work()

    [run] = [span for span in spans.get_finished_spans() if span.name == f"process {TASK}"]
    assert run.kind is SpanKind.CONSUMER
    assert run.parent is None  # the worker's own trace ...
    [link] = run.links
    assert link.context.span_id in queued_in  # ... linked to the span that queued the task
