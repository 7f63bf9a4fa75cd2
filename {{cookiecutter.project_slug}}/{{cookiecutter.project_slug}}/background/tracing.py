"""Queued work carries the trace context it was queued in, so the worker's span links back.

The context (W3C ``traceparent``, from OpenTelemetry's propagator) rides with the task's keyword
arguments under :data:`TRACE_CONTEXT_KWARG` from the moment it is enqueued
{%- if cookiecutter.background_tasks == "celery" %} to the relay, which
hands it to Celery as message headers{% else %}; the worker takes it out
before it calls the task{% endif %}. Nothing is added while no OpenTelemetry SDK records a span.
"""

from collections.abc import Mapping

from ..side_effects.runtime.telemetry import trace_carrier

TRACE_CONTEXT_KWARG = "_trace_context"


def with_trace_context(kwargs: Mapping[str, object]) -> dict[str, object]:
    """``kwargs`` plus the current trace context, when a span is recording."""
    carrier = trace_carrier()
    return {**kwargs, TRACE_CONTEXT_KWARG: carrier} if carrier else dict(kwargs)


def split_trace_context(kwargs: Mapping[str, object]) -> tuple[dict[str, object], dict[str, str]]:
    """The task's own keyword arguments, and the trace context it was queued with (or ``{}``)."""
    own = dict(kwargs)
    carrier = own.pop(TRACE_CONTEXT_KWARG, None)
    if not isinstance(carrier, dict):
        return own, {}
    return own, {str(key): str(value) for key, value in carrier.items()}
