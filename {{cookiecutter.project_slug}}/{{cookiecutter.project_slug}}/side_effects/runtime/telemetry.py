"""Each receiver call as an OpenTelemetry span, and queued work that links back to its sender.

Only ``opentelemetry-api`` is needed. The kit's app observes receiver calls with
:class:`ReceiverSpans` only when an SDK (a tracer provider) is configured by the time Django
starts (``opentelemetry-instrument`` does it; so does ``trace.set_tracer_provider()`` in
``wsgi.py`` before the application is made): without one, nothing observes the calls and a
receiver costs what it costs without OpenTelemetry. With one, every call of a ``@side_effect``
receiver (synchronous, ``async def``, or an on-commit body when it runs) is a span, child of the
current one (the request's), named after the receiver, with the semantic conventions' ``code.*``
attributes, the signal, the sender and the outcome; a failure sets the span's error status and
records the exception.

:func:`trace_carrier` is the context a task is queued with; :meth:`ReceiverSpans.work` starts the
worker's span for it, linked to the span that queued it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from types import ModuleType

from django.dispatch import Signal
from opentelemetry import context, propagate, trace
from opentelemetry.trace import Link, SpanKind, Status, StatusCode, Tracer

from .conf import KIT_PACKAGE
from .naming import defining_place, sender_label
from .observers import Kwargs, Observer
from .registry import Registration

# Attributes of the semantic conventions (code.*, error.type, messaging.*), and the kit's own.
CODE_FUNCTION = "code.function.name"
CODE_FILE = "code.file.path"
CODE_LINE = "code.line.number"
ERROR_TYPE = "error.type"
MESSAGING_OPERATION = "messaging.operation.type"
SIGNAL = "side_effects.signal"
SENDER = "side_effects.sender"
ON_COMMIT = "side_effects.on_commit"
OUTCOME = "side_effects.outcome"

_NOT_CONFIGURED = (trace.ProxyTracerProvider, trace.NoOpTracerProvider)


class ReceiverSpans(Observer):
    """The observer that makes a span of each receiver call and of each task a worker runs."""

    def __init__(self) -> None:
        self._tracer: Tracer | None = None

    def call(self, registration: Registration, kwargs: Kwargs) -> AbstractContextManager[object]:
        tracer = self._configured_tracer()
        if tracer is None:
            return nullcontext()
        return _receiver_span(tracer, registration, kwargs)

    def work(
        self, kind: str, name: str, carrier: Mapping[str, str]
    ) -> AbstractContextManager[object]:
        tracer = self._configured_tracer()
        if tracer is None:
            return nullcontext()
        return _work_span(tracer, kind, name, carrier)

    def _configured_tracer(self) -> Tracer | None:
        """The kit's tracer once an SDK is configured (it cannot be unset), else ``None``."""
        if self._tracer is None:
            provider = trace.get_tracer_provider()
            if isinstance(provider, _NOT_CONFIGURED):
                return None
            self._tracer = provider.get_tracer(KIT_PACKAGE)
        return self._tracer


def sdk_configured() -> bool:
    """Whether a tracer provider (an SDK) is set, so that spans are recorded."""
    return not isinstance(trace.get_tracer_provider(), _NOT_CONFIGURED)


def trace_carrier() -> dict[str, str]:
    """The current trace context as W3C headers (``traceparent``); empty when nothing records."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextmanager
def _receiver_span(tracer: Tracer, registration: Registration, kwargs: Kwargs) -> Iterator[None]:
    """One receiver call's span; an exception escaping the body marks it failed."""
    code = getattr(registration.func, "__code__", None)
    attributes: dict[str, str | bool | int] = {
        CODE_FUNCTION: registration.path,
        SIGNAL: signal_name(kwargs.get("signal")),
        SENDER: sender_label(kwargs.get("sender")),
        ON_COMMIT: registration.on_commit,
    }
    if code is not None:
        attributes[CODE_FILE], attributes[CODE_LINE] = code.co_filename, code.co_firstlineno
    with tracer.start_as_current_span(
        registration.path, attributes=attributes, record_exception=False
    ) as span:
        try:
            yield
        except Exception as error:
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
            span.set_attributes({OUTCOME: "failed", ERROR_TYPE: _qualified(type(error))})
            raise
        span.set_attribute(OUTCOME, "ran")


@contextmanager
def _work_span(tracer: Tracer, kind: str, name: str, carrier: Mapping[str, str]) -> Iterator[None]:
    """The span of a worker running queued work: a new trace, linked to the one that queued it."""
    queued_by = trace.get_current_span(propagate.extract(carrier)).get_span_context()
    links = [Link(queued_by)] if queued_by.is_valid else []
    with tracer.start_as_current_span(
        f"process {name}",
        context=context.Context(),
        kind=SpanKind.CONSUMER,
        links=links,
        attributes={MESSAGING_OPERATION: "process", "side_effects.work": kind},
    ):
        yield


_signal_names: dict[Signal, str] = {}


def signal_name(signal: object) -> str:
    """The dotted name a signal is defined under (``django.db.models.signals.post_save``)."""
    if not isinstance(signal, Signal):
        return repr(signal)
    name = _signal_names.get(signal)
    if name is None:
        name = _signal_names[signal] = _find_name(signal)
    return name


def _find_name(signal: Signal) -> str:
    """``module.NAME`` of the loaded module that defines ``signal``, not one that imported it."""
    places = [
        (module_name, attribute)
        for module_name, module in list(sys.modules.items())
        if isinstance(module, ModuleType)
        for attribute, value in list(vars(module).items())
        if value is signal
    ]
    return ".".join(defining_place(places)) if places else repr(signal)


def _qualified(cls: type) -> str:
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"
