"""What the transactional hand-off of background work costs, on PostgreSQL, side by side.

Run by hand, not in CI: ``uv run python benchmarks/bench_handoff.py [--rounds N]``.
Starts a private PostgreSQL and Redis on loopback (as the tests do), bakes both
``background_tasks`` options, and in each project, with its production settings, measures:

1. ``create_product()`` (product, audit entry and the notification's enqueue in one
   transaction) as shipped, against the same service with the enqueue taken out and with the
   enqueue's INSERT alone (no Python around it: the floor of any enqueue that writes the same
   row), alternating the three call by call; prints the ratios of the medians of the calls
   (goal: at most 1.15).
2. Requests: ``POST /products/`` from concurrent clients to two gunicorns side by side, one as
   shipped (receivers and hand-off on), one with every receiver disconnected and the enqueue
   taken out, alternating rounds; prints the throughput ratio on/off (goal for the database
   option: at least 0.85).
3. celery option: the relay's throughput with the completion bookkeeping: outbox rows published
   to Redis and marked published with their lease (``relay_due()`` batches, as
   ``manage.py relay_outbox`` runs them), and the outcomes a worker records (``record_done()``,
   one DELETE per task), per second.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from importlib import import_module
from itertools import count
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "acme_shop"  # the default answers' package
CREATES_PER_ROUND = 200
WARM_UP_CALLS = 20
ROUND_TRIP_SAMPLES = 200
RELAYED_TASKS = 5000
CLIENTS = 8
REQUESTS_PER_ROUND = 400

# A WSGI module for the "off" server: the shipped application with every receiver disconnected
# and the service's enqueue taken out. Written into the baked project.
WSGI_WITHOUT_SIDE_EFFECTS = f'''"""The application, no receivers or hand-off (benchmark only)."""

from config.wsgi import application
from {PACKAGE}.catalog.services import products
from {PACKAGE}.side_effects.runtime import registry

for registration in registry.registrations():
    registration.disconnect()
products._queue_notification = lambda product: None

__all__ = ["application"]
'''


def main() -> None:
    """Start the servers, bake each option and run the measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds", type=int, default=7,
        help=f"per variant: {CREATES_PER_ROUND} create_product() calls and a request round each",
    )  # fmt: skip
    parser.add_argument("--inside", choices=["database", "celery"], help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.inside:
        print(json.dumps(measure(arguments.inside, arguments.rounds)))
        return
    sys.path.insert(0, str(ROOT))
    from tests.helpers import bake_project, output_of, production_env, project_env
    from tests.servers import running_postgresql, running_redis

    results = {}
    with (
        tempfile.TemporaryDirectory() as scratch,
        running_postgresql() as postgresql,
        running_redis(Path(scratch)) as redis,
    ):
        for option in ("database", "celery"):
            project = bake_project(Path(scratch) / option, background_tasks=option)
            env = project_env(
                **production_env(
                    DATABASE_URL=postgresql.create_database(f"bench_{option}"),
                    CELERY_BROKER_URL=redis.url(),
                    LOG_LEVEL="WARNING",
                    ADMINS="",
                ),
                PYTHONPATH=str(project),
            )
            command = [sys.executable, __file__, "--inside", option, "--rounds",
                       str(arguments.rounds)]  # fmt: skip
            result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
            if result.returncode != 0:
                sys.exit(f"the {option} measurement failed:\n{output_of(result)}")
            results[option] = json.loads(result.stdout.splitlines()[-1])
            results[option].update(
                request_throughput(project, env, Path(scratch) / f"{option}-logs", arguments.rounds)
            )
    report(results, arguments.rounds)


# --- inside a baked project ----------------------------------------------------------------------


def measure(option: str, rounds: int) -> dict[str, float]:
    """Time create_product() with and without its enqueue (and the relay, for celery)."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    logging.disable(logging.WARNING)
    products = import_module(f"{PACKAGE}.catalog.services.products")
    create = _product_factory()
    hand_offs = {
        "shipped": products._queue_notification,
        "without": lambda product: None,
        "bare_insert": _bare_insert(option, products._queue_notification),
    }
    seconds: dict[str, list[float]] = {variant: [] for variant in hand_offs}
    for call in range(WARM_UP_CALLS + rounds * CREATES_PER_ROUND):
        # Alternate call by call, each variant first in turn, so that drift (the tables
        # growing, the machine's other work) weighs on every variant alike.
        turn = call % len(hand_offs)
        variants = list(hand_offs)
        for variant in variants[turn:] + variants[:turn]:
            products._queue_notification = hand_offs[variant]
            started = time.perf_counter()
            create()
            if call >= WARM_UP_CALLS:
                seconds[variant].append(time.perf_counter() - started)
    products._queue_notification = hand_offs["shipped"]
    timings = {variant: statistics.median(times) for variant, times in seconds.items()}
    timings["round_trip"] = _round_trip()
    if option == "celery":
        timings.update(_relay_throughput())
    return timings


def _bare_insert(option: str, shipped: Callable[[object], None]) -> Callable[[object], None]:
    """The floor of any hand-off that writes the same row: the INSERT the shipped enqueue runs,
    its values taken once from a captured call (a fresh primary key each time) and sent with no
    Python around it: no task validated, no model instance, no signals, no result returned."""
    from django.apps import apps
    from django.db import connection, transaction

    model = apps.get_model("background", "OutboxMessage") if option == "celery" \
        else apps.get_model("django_tasks_database", "DBTaskResult")  # fmt: skip
    captured: list[tuple[str, list[object]]] = []

    def capture(execute: Callable[..., object], sql: str, params: Sequence[object],
                many: bool, context: dict[str, object]) -> object:  # fmt: skip
        captured.append((sql, list(params)))
        return execute(sql, params, many, context)

    with transaction.atomic(), connection.execute_wrapper(capture):
        shipped(apps.get_model("catalog", "Product")(pk=1))
        transaction.set_rollback(True)
    ((statement, values),) = [(sql, params) for sql, params in captured
                              if model._meta.db_table in sql]  # fmt: skip
    key = [field.attname for field in model._meta.concrete_fields].index(model._meta.pk.attname)

    def insert(product: object) -> None:
        values[key] = model._meta.pk.get_default()
        with connection.cursor() as cursor:
            cursor.execute(statement, values)

    return insert


def _round_trip() -> float:
    """The median time of ``SELECT 1``: what any statement of its own costs at the least."""
    from django.db import connection

    times = []
    with connection.cursor() as cursor:
        for _ in range(ROUND_TRIP_SAMPLES):
            started = time.perf_counter()
            cursor.execute("SELECT 1")
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def _product_factory() -> Callable[[], object]:
    """``create_product()`` with a fresh name on each call."""
    from decimal import Decimal

    create_product = import_module(f"{PACKAGE}.catalog.services").create_product
    counter = count()
    return lambda: create_product(name=f"Lamp {next(counter)}", price=Decimal("19.90"))


def _relay_throughput() -> dict[str, float]:
    """Outbox rows relayed to Redis per second, and outcomes recorded per second."""
    outbox = import_module(f"{PACKAGE}.background.outbox")
    notify = import_module(f"{PACKAGE}.catalog.tasks").notify_price_watchers
    model = import_module(f"{PACKAGE}.background.models").OutboxMessage
    model.objects.all().delete()
    model.objects.bulk_create(
        model(task_path=notify.name, kwargs={"product_id": number})
        for number in range(RELAYED_TASKS)
    )
    started = time.perf_counter()
    while outbox.relay_due():
        pass
    relayed = RELAYED_TASKS / (time.perf_counter() - started)
    task_ids = [str(task_id) for task_id in model.objects.values_list("id", flat=True)]
    started = time.perf_counter()
    for task_id in task_ids:
        outbox.record_done(task_id)
    recorded = len(task_ids) / (time.perf_counter() - started)
    return {"relay_per_second": relayed, "recorded_per_second": recorded}


# --- requests under concurrent load --------------------------------------------------------------


def request_throughput(
    project: Path, env: dict[str, str], log_dir: Path, rounds: int
) -> dict[str, float]:
    """Requests per second to the shipped server and to one without side effects (medians),
    from a user allowed to create products (the API's writes need the add permission)."""
    from tests.helpers import create_api_user, log_in

    log_dir.mkdir()
    create_api_user(project, env)
    (project / "bench_wsgi_without_side_effects.py").write_text(WSGI_WITHOUT_SIDE_EFFECTS)
    names = count()
    with (
        _gunicorn("on", "config.wsgi", project, env, log_dir) as on,
        _gunicorn("off", "bench_wsgi_without_side_effects", project, env, log_dir) as off,
    ):  # fmt: skip
        session = log_in(on)  # one session, in the database both servers share
        rates: dict[str, list[float]] = {"on": [], "off": []}
        _requests_per_second(on, names, session)  # warm up both
        _requests_per_second(off, names, session)
        for _ in range(rounds):
            rates["on"].append(_requests_per_second(on, names, session))
            rates["off"].append(_requests_per_second(off, names, session))
    return {f"requests_{variant}": statistics.median(rate) for variant, rate in rates.items()}


@contextlib.contextmanager
def _gunicorn(
    name: str, module: str, project: Path, env: dict[str, str], log_dir: Path
) -> Iterator[int]:
    """Serve ``module``'s application with two gunicorn workers; yield the port."""
    from tests.servers import start_process

    with start_process(
        f"gunicorn-{name}", "gunicorn", f"{module}:application", "--bind", "127.0.0.1:0",
        "--workers", "2", cwd=project, env=env, log_dir=log_dir,
    ) as web:  # fmt: skip
        yield int(web.wait_for_log(r"Listening at: http://127\.0\.0\.1:(\d+)", what=name)[1])


def _requests_per_second(port: int, names: Iterator[int], session: str) -> float:
    """POST ``REQUESTS_PER_ROUND`` new products from ``CLIENTS`` threads; return requests/s."""
    lock = threading.Lock()
    failures: list[int] = []
    remaining = iter(range(REQUESTS_PER_ROUND))

    def client() -> None:
        while True:
            with lock:
                if next(remaining, None) is None:
                    return
                name = f"Load {next(names)}"
            status = _create_over_http(port, name, session)
            if status != 201:
                failures.append(status)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        sys.exit(f"{len(failures)} requests failed (statuses {sorted(set(failures))})")
    return REQUESTS_PER_ROUND / elapsed


def _create_over_http(port: int, name: str, session: str) -> int:
    from tests.helpers import https_headers

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST", "/products/",
            body=urllib.parse.urlencode({"name": name, "price": "19.90"}),
            headers=https_headers(port, Cookie=session),
        )  # fmt: skip
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


# --- the report ----------------------------------------------------------------------------------


def report(results: dict[str, dict[str, float]], rounds: int) -> None:
    """Print each option's timings and ratios, and the relay's throughput."""
    print(f"create_product() on PostgreSQL, median of {rounds * CREATES_PER_ROUND} calls each:")
    for option, timings in results.items():
        ratio = timings["shipped"] / timings["without"]
        print(f"  {option}:")
        print(f"    {'with the enqueue (shipped)':34} {timings['shipped'] * 1e6:8.0f} us")
        print(f"    {'without the enqueue':34} {timings['without'] * 1e6:8.0f} us")
        print(f"    {'ratio':34} {ratio:8.3f}   (goal <= 1.15)")
        bare = timings["bare_insert"] / timings["without"]
        print(f"    {'the same INSERT, no Python around':34} "
              f"{timings['bare_insert'] * 1e6:8.0f} us")  # fmt: skip
        print(f"    {'ratio with only that INSERT':34} {bare:8.3f}")
        floor = (timings["without"] + timings["round_trip"]) / timings["without"]
        print(f"    {'one round trip (SELECT 1)':34} {timings['round_trip'] * 1e6:8.0f} us")
        print(f"    {'ratio if the enqueue cost only that':34} {floor:8.3f}")
    print(
        f"POST /products/, {CLIENTS} concurrent clients, 2 gunicorn workers, median of {rounds} "
        f"rounds of {REQUESTS_PER_ROUND} requests:"
    )
    for option, timings in results.items():
        ratio = timings["requests_on"] / timings["requests_off"]
        goal = "   (goal >= 0.85)" if option == "database" else ""
        print(f"  {option}:")
        print(f"    {'receivers and hand-off on':34} {timings['requests_on']:8.0f} requests/s")
        print(f"    {'off':34} {timings['requests_off']:8.0f} requests/s")
        print(f"    {'ratio on/off':34} {ratio:8.3f}{goal}")
    celery = results["celery"]
    print(f"Relay, broker up ({RELAYED_TASKS} outbox rows to Redis, marked published with a lease):"
          f" {celery['relay_per_second']:.0f} tasks/s")  # fmt: skip
    print(f"Outcomes recorded by a worker (one DELETE each): "
          f"{celery['recorded_per_second']:.0f} tasks/s")  # fmt: skip


if __name__ == "__main__":
    main()
