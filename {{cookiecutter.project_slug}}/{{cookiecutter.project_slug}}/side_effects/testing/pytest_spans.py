"""The ``spans`` fixture: the OpenTelemetry spans a test makes, with the SDK's in-memory exporter.

Part of the pytest plugin (:mod:`.pytest_plugin` loads it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from ..runtime.conf import setting
from ..runtime.observers import observe
from ..runtime.telemetry import ReceiverSpans

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """The OpenTelemetry spans finished during the test: ``spans.get_finished_spans()``.

    The first use configures the SDK's tracer provider for the rest of the run (a process has
    one); each test starts with no spans.
    """
    yield _span_exporter()
    _span_exporter().clear()


def _span_exporter() -> InMemorySpanExporter:
    """The in-memory exporter of the run's tracer provider, configured on first use."""
    global _exporter
    if _exporter is None:
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        _exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(_exporter))
        trace.set_tracer_provider(provider)
        if setting("SIDE_EFFECTS_OPENTELEMETRY"):
            observe(ReceiverSpans())
    _exporter.clear()
    return _exporter


_exporter: InMemorySpanExporter | None = None
