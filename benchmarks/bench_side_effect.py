"""What ``@side_effect`` costs compared with plain ``@receiver``, side by side in one run.

Run by hand, not in CI: ``uv run python benchmarks/bench_side_effect.py [--rounds N]``.
Bakes the default project into a temporary directory, then, in that project with its test
settings and an in-memory SQLite database, measures:

1. ``Product.objects.create()`` with the example app's receivers connected through
   ``@side_effect`` (as shipped) and with the same functions connected by plain
   ``Signal.connect()`` (what ``@receiver`` does; the on-commit one wrapped in
   ``transaction.on_commit`` by hand), alternating the two in rounds; prints the ratio of the
   medians (target: within 1.05).
2. A bare ``Signal.send()`` to one no-op receiver, plain and through ``@side_effect``; prints
   the overhead per receiver call (target: under 2 microseconds).
3. ``Product.objects.create()`` under each observer, in rounds: none at all (production without
   an OpenTelemetry SDK, and what measurement 1 measures); the spans observer installed while
   no SDK is configured (the kit does not install it then: for comparison); the development
   trace recording each create; and last (a process cannot unset it) the OpenTelemetry SDK
   with an exporter that drops every span.

Log records of level INFO are disabled during the measurement, so that the receivers' own log
line (written to the console) does not drown the difference being measured.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from functools import partial
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "acme_shop"  # the default answers' package
CREATES_PER_ROUND = 500
SENDS = 200_000


def noop(sender: object, **kwargs: object) -> None:
    """A receiver that does nothing: what remains is the cost of calling it."""


def main() -> None:
    """Bake the default project and run the measurements inside it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11, help="rounds per variant (median)")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.inside:
        print(json.dumps(measure(arguments.rounds)))
        return
    sys.path.insert(0, str(ROOT))
    from tests.helpers import bake_project, output_of, project_env

    with tempfile.TemporaryDirectory() as scratch:
        project = bake_project(Path(scratch))
        env = project_env(
            DJANGO_SETTINGS_MODULE="config.settings.test",
            DATABASE_URL="sqlite://:memory:",
            PYTHONPATH=str(project),
        )
        command = [sys.executable, __file__, "--inside", "--rounds", str(arguments.rounds)]
        result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"the measurement failed:\n{output_of(result)}")
    report(json.loads(result.stdout.splitlines()[-1]), arguments.rounds)


def measure(rounds: int) -> dict[str, float]:
    """Inside the baked project: time both variants of each measurement."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    logging.disable(logging.INFO)
    create_product = _product_factory()
    with_side_effect, with_receiver = _create_timings(create_product, rounds)
    send_side_effect, send_plain = _send_timings()
    return {
        "create_side_effect": with_side_effect,
        "create_receiver": with_receiver,
        "send_side_effect": send_side_effect,
        "send_plain": send_plain,
        **_observer_timings(create_product, rounds),
    }


def _observer_timings(create: Callable[[], object], rounds: int) -> dict[str, float]:
    """Median seconds per create() with no observer, the spans without SDK, the trace, the SDK."""
    wrappers = import_module(f"{PACKAGE}.side_effects.runtime.wrappers")
    recorder = import_module(f"{PACKAGE}.side_effects.tracing.recorder")
    original = wrappers.current_observer()
    spans = import_module(f"{PACKAGE}.side_effects.runtime.telemetry").ReceiverSpans()
    trace_observer = recorder.TraceRecorder()

    def traced() -> object:
        with recorder.recording("bench"):
            return create()

    def under(observer: object, call: Callable[[], object]) -> float:
        wrappers.set_observer(observer)
        try:
            return _seconds_per_create(call)
        finally:
            wrappers.set_observer(original)

    timings: dict[str, list[float]] = {"none": [], "api_only": [], "trace": []}
    for _ in range(rounds):
        timings["none"].append(under(None, create))
        timings["api_only"].append(under(spans, create))
        timings["trace"].append(under(trace_observer, traced))
    result = {f"observer_{name}": statistics.median(values) for name, values in timings.items()}
    _configure_sdk_dropping_spans()
    result["observer_sdk"] = statistics.median(under(spans, create) for _ in range(rounds))
    return result


def _configure_sdk_dropping_spans() -> None:
    """The OpenTelemetry SDK, every span made and handed to an exporter that drops it."""
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

    class Dropping(SpanExporter):
        def export(self, spans: object) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(Dropping()))
    trace.set_tracer_provider(provider)


def _product_factory() -> Callable[[], object]:
    """``Product.objects.create()`` with a fresh name on each call."""
    product_model = import_module(f"{PACKAGE}.catalog.models").Product
    counter = iter(range(10**9))
    return lambda: product_model.objects.create(name=f"Lamp {next(counter)}", price="19.90")


def _create_timings(create: Callable[[], object], rounds: int) -> tuple[float, float]:
    """Median seconds per create() for side_effect and for plain receivers, rounds alternating."""
    timings: dict[str, list[float]] = {"side_effect": [], "receiver": []}
    for _ in range(rounds):
        timings["side_effect"].append(_seconds_per_create(create))
        plain = _connect_plainly()
        timings["receiver"].append(_seconds_per_create(create))
        _reconnect_with_side_effect(plain)
    return statistics.median(timings["side_effect"]), statistics.median(timings["receiver"])


def _seconds_per_create(create: Callable[[], object]) -> float:
    """Average seconds of one create() over a round."""
    create()  # warm up the caches of this variant
    started = time.perf_counter()
    for _ in range(CREATES_PER_ROUND):
        create()
    return (time.perf_counter() - started) / CREATES_PER_ROUND


def _connect_plainly() -> list[tuple[object, Callable, object]]:
    """Swap the catalog's side_effect wrappers for the bare functions, as ``@receiver`` would."""
    registry = import_module(f"{PACKAGE}.side_effects.runtime.registry")
    plain = []
    for registration in registry.registrations():
        if not registration.path.startswith(f"{PACKAGE}.catalog."):
            continue
        registration.disconnect()
        func = registration.func
        if registration.on_commit:
            func = partial(_on_commit_by_hand, registration.func)
        for signal in registration.signals:
            signal.connect(func, sender=registration.sender, weak=False)
            plain.append((signal, func, registration))
    return plain


def _on_commit_by_hand(func: Callable, **kwargs: object) -> None:
    """What a hand-written on-commit receiver does."""
    from django.db import transaction

    transaction.on_commit(partial(func, **kwargs), using=kwargs.get("using"))


def _reconnect_with_side_effect(plain: list[tuple[object, Callable, object]]) -> None:
    """Disconnect the bare functions and connect them with ``@side_effect`` again."""
    side_effect = import_module(f"{PACKAGE}.side_effects").side_effect
    for signal, func, registration in plain:
        signal.disconnect(func, sender=registration.sender)
    for registration in {id(r): r for *_, r in plain}.values():
        side_effect(
            list(registration.signals),
            sender=registration.sender,
            on_commit=registration.on_commit,
            max_queries=registration.max_queries,
            max_seconds=registration.max_seconds,
            skip_raw=registration.skip_raw,
            normalizes=registration.normalizes,
            writes=registration.writes,
        )(registration.func)


def _send_timings() -> tuple[float, float]:
    """Best seconds per send() of a signal with one no-op receiver, via side_effect and plain."""
    from django.dispatch import Signal

    side_effect = import_module(f"{PACKAGE}.side_effects").side_effect
    arguments = {"instance": None, "created": True, "raw": False, "using": "default"}
    plain_signal, wrapped_signal = Signal(), Signal()
    plain_signal.connect(noop, weak=False)
    side_effect(wrapped_signal)(noop)
    results = []
    for signal in (wrapped_signal, plain_signal):
        send = partial(signal.send, sender=None, **arguments)
        results.append(min(timeit.repeat(send, number=SENDS, repeat=7)) / SENDS)
    return results[0], results[1]


def report(timings: dict[str, float], rounds: int) -> None:
    """Print the numbers and the ratios the issue sets targets for."""
    ratio = timings["create_side_effect"] / timings["create_receiver"]
    overhead = (timings["send_side_effect"] - timings["send_plain"]) * 1e6
    print(f"Product.objects.create(), median of {rounds} rounds of {CREATES_PER_ROUND}:")
    print(f"  @side_effect receivers  {timings['create_side_effect'] * 1e6:8.1f} us")
    print(f"  plain @receiver         {timings['create_receiver'] * 1e6:8.1f} us")
    print(f"  ratio                   {ratio:8.3f}   (target <= 1.05)")
    print(f"Signal.send() to one no-op receiver, best of 7 x {SENDS}:")
    print(f"  through @side_effect    {timings['send_side_effect'] * 1e6:8.3f} us")
    print(f"  plain                   {timings['send_plain'] * 1e6:8.3f} us")
    print(f"  overhead per call       {overhead:8.3f} us   (target < 2)")
    none = timings["observer_none"]
    print(f"Product.objects.create() by observer, median of {rounds} rounds (ratio to none):")
    for key, label in (
        ("observer_none", "no observer at all     "),
        ("observer_api_only", "spans observer, no SDK  "),
        ("observer_trace", "development trace      "),
        ("observer_sdk", "spans, SDK, spans dropped"),
    ):
        print(f"  {label} {timings[key] * 1e6:8.1f} us  {timings[key] / none:6.3f}")


if __name__ == "__main__":
    main()
