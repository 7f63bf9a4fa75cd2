"""What the transactional hand-off of background work costs, on PostgreSQL, side by side.

Run by hand, not in CI: ``uv run python benchmarks/bench_handoff.py [--rounds N]``.
Starts a private PostgreSQL and Redis on loopback (as the tests do), bakes both
``background_tasks`` options, and in each project, with its production settings, measures:

1. ``create_product()`` (product, audit entry and the notification's hand-off in one
   transaction) as shipped, against the same call with the receiver connected the old way
   (database: ``enqueue()`` in an on-commit callback; celery: ``delay_on_commit()`` to Redis),
   alternating the two in rounds; prints the ratio of the medians (goal: at most 1.2).
2. celery option: the relay's throughput with the broker up: outbox rows published to Redis
   and deleted per second (``relay_due()`` batches, as ``manage.py relay_outbox`` runs them).
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
from collections.abc import Callable
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "acme_shop"  # the default answers' package
CREATES_PER_ROUND = 200
RELAYED_TASKS = 5000


def main() -> None:
    """Start the servers, bake each option and run the measurements inside it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="rounds per variant (median)")
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
                ),
                PYTHONPATH=str(project),
            )
            command = [
                sys.executable,
                __file__,
                "--inside",
                option,
                "--rounds",
                str(arguments.rounds),
            ]
            result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
            if result.returncode != 0:
                sys.exit(f"the {option} measurement failed:\n{output_of(result)}")
            results[option] = json.loads(result.stdout.splitlines()[-1])
    report(results, arguments.rounds)


def measure(option: str, rounds: int) -> dict[str, float]:
    """Inside a baked project: time create_product() both ways (and the relay, for celery)."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    logging.disable(logging.WARNING)
    create = _product_factory()
    shipped, old = [], []
    for _ in range(rounds):
        shipped.append(_seconds_per_call(create))
        restore = _connect_the_old_way(option)
        old.append(_seconds_per_call(create))
        restore()
    timings = {"shipped": statistics.median(shipped), "old": statistics.median(old)}
    if option == "celery":
        timings["relay_per_second"] = _relay_throughput()
    return timings


def _product_factory() -> Callable[[], object]:
    """``create_product()`` with a fresh name on each call."""
    from decimal import Decimal

    create_product = import_module(f"{PACKAGE}.catalog.services").create_product
    counter = iter(range(10**9))
    return lambda: create_product(name=f"Lamp {next(counter)}", price=Decimal("19.90"))


def _seconds_per_call(call: Callable[[], object]) -> float:
    call()  # warm up this variant
    started = time.perf_counter()
    for _ in range(CREATES_PER_ROUND):
        call()
    return (time.perf_counter() - started) / CREATES_PER_ROUND


def _connect_the_old_way(option: str) -> Callable[[], None]:
    """Swap the shipped hand-off receiver for the on-commit one; return what swaps it back."""
    from django.db.models.signals import post_save

    side_effect = import_module(f"{PACKAGE}.side_effects").side_effect
    signals = import_module(f"{PACKAGE}.catalog.signals")
    notify = import_module(f"{PACKAGE}.catalog.tasks").notify_price_watchers
    product = import_module(f"{PACKAGE}.catalog.models").Product
    shipped = signals.queue_price_watcher_notification
    registry = import_module(f"{PACKAGE}.side_effects.runtime.registry")
    [registration] = [r for r in registry.registrations() if r.func is shipped]
    registration.disconnect()

    def queue_price_watcher_notification(
        sender: object, instance: object, **kwargs: object
    ) -> None:
        """The old hand-off: after the commit, outside the transaction."""
        if option == "database":
            notify.enqueue(product_id=instance.pk)
        else:
            notify.delay(product_id=instance.pk)

    queue_price_watcher_notification.__module__ = shipped.__module__
    queue_price_watcher_notification.__qualname__ = shipped.__qualname__
    side_effect(post_save, sender=product, on_commit=True)(queue_price_watcher_notification)

    def restore() -> None:
        [old] = [r for r in registry.registrations() if r.func is queue_price_watcher_notification]
        old.disconnect()
        side_effect(post_save, sender=product, max_queries=1)(shipped)

    return restore


def _relay_throughput() -> float:
    """Outbox rows relayed to Redis per second, from a full outbox to an empty one."""
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
    return RELAYED_TASKS / (time.perf_counter() - started)


def report(results: dict[str, dict[str, float]], rounds: int) -> None:
    """Print each option's two timings, their ratio, and the relay's throughput."""
    print(f"create_product() on PostgreSQL, median of {rounds} rounds of {CREATES_PER_ROUND}:")
    labels = {
        "database": ("enqueue() in the transaction", "enqueue() on commit (old)"),
        "celery": ("outbox row in the transaction", "delay() to Redis on commit (old)"),
    }
    for option, (shipped, old) in labels.items():
        timings = results[option]
        ratio = timings["shipped"] / timings["old"]
        print(f"  {option}:")
        print(f"    {shipped:34} {timings['shipped'] * 1e6:8.0f} us")
        print(f"    {old:34} {timings['old'] * 1e6:8.0f} us")
        print(f"    {'ratio':34} {ratio:8.3f}   (goal <= 1.2)")
    print(f"Relay throughput, broker up: {results['celery']['relay_per_second']:.0f} tasks/s "
          f"({RELAYED_TASKS} outbox rows to Redis)")  # fmt: skip


if __name__ == "__main__":
    main()
