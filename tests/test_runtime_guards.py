"""The runtime guards of the baked project's pytest plugin, as a hurried developer meets them.

One baked project receives the code two reviews wrote to slip business logic and heavy work
past the gate: receivers reaching a service found at run time or behind a decorator, a socket
(directly, from a callable handed to the cache, from a project logging handler), a thread, a
timer, a subprocess, a fork, a multiprocessing process, a pool warmed at import, an event-loop
task, a task run inline, enqueues past the budget, a sleep, an on-commit query, a rewritten
instance, an undeclared write, a veto a test expects, budgets over the ceiling; a service
calling a receiver and one connecting a receiver at run time; a receiver no test triggers;
``save()``/``delete()`` overrides (a mixin's too) writing another table; a plain receiver in a
``fixtures`` module imported at start-up. Its gate must fail naming each offender and the fix,
a run of chosen tests must not fail for the untested receiver, and switching the guards off
(``-p no:``, or leaving the kit's tests out in addopts) fails the architecture tests. Another
project receives legitimate code the guards once took for violations (a StatsD datagram on
login and request signals, the settings-reload pattern, a declared write): its gate must pass.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import PACKAGE, append, output_of, regenerate_signal_map, run_gate

HURRIED_RECEIVERS = f'''
import asyncio  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402

from asgiref.sync import sync_to_async  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models.signals import pre_delete, pre_save  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

from .models import AuditLog  # noqa: E402
from .tasks import notify_price_watchers  # noqa: E402

POOL = ThreadPoolExecutor(max_workers=1)  # warmed at import: no thread starts in the receiver


def _knock():
    try:
        socket.create_connection(("127.0.0.1", 9), timeout=0.5).close()
    except OSError:
        pass
    return "stock"


class WarehouseHandler(logging.Handler):
    """A project logging handler that tells the warehouse over TCP."""

    def emit(self, record):
        _knock()


warehouse_log = logging.getLogger("warehouse")
warehouse_log.addHandler(WarehouseHandler())
warehouse_log.propagate = False


@side_effect(post_save, sender=Product)
def fill_the_cache(sender, instance, **kwargs):
    """Warm the stock cache."""
    if instance.name == "cached":
        cache.get_or_set("stock", _knock)


@side_effect(post_save, sender=Product)
def log_to_the_warehouse(sender, instance, **kwargs):
    """Log the save for the warehouse."""
    if instance.name == "handler":
        warehouse_log.warning("saved")


@side_effect(post_save, sender=Product)
def fork_a_worker(sender, instance, **kwargs):
    """Fork a worker to resize images."""
    if instance.name == "fork":
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)


@side_effect(post_save, sender=Product)
def spawn_a_command(sender, instance, **kwargs):
    """Resize the images with a command."""
    if instance.name == "spawn":
        os.spawnlp(os.P_WAIT, "true", "true")


@side_effect(post_save, sender=Product)
def start_a_process(sender, instance, **kwargs):
    """Resize the images in a process."""
    if instance.name == "process":
        process = multiprocessing.get_context("fork").Process(target=len, args=("x",))
        process.start()
        process.join()


@side_effect(post_save, sender=Product)
def submit_to_the_pool(sender, instance, **kwargs):
    """Resize the images on the warm pool."""
    if instance.name == "pool":
        POOL.submit(len, "images")


@side_effect(post_save, sender=Product)
def start_a_timer(sender, instance, **kwargs):
    """Resize the images in a second."""
    if instance.name == "timer":
        timer = threading.Timer(0.01, len, args=("x",))
        timer.start()
        timer.join()


@side_effect(post_save, sender=Product)
async def resize_in_the_background(sender, instance, **kwargs):
    """Resize the images on the event loop, without waiting."""
    if instance.name == "loop":
        asyncio.ensure_future(sync_to_async(len, thread_sensitive=False)("images"))


@side_effect(post_save, sender=Product, max_queries=1)
def queue_many(sender, instance, **kwargs):
    """Queue one notification per watcher."""
    if instance.name == "many":
        for _ in range(3):
            notify_price_watchers.enqueue(product_id=instance.pk)


@side_effect(post_save, sender=Product, max_queries=1)
def audit_in_the_receiver(sender, instance, created, **kwargs):
    """Write the audit entry (business-critical) from the receiver."""
    if instance.name == "undeclared":
        AuditLog.objects.create(message=f"Saved {{instance.name}}.")


@side_effect(pre_save, sender=Product, max_queries=0)
def refuse_expensive_products(sender, instance, **kwargs):
    """Refuse a price above a million (a business rule)."""
    if instance.price > 1_000_000:
        raise ValidationError("Too expensive.")


@side_effect(post_save, sender=Product, max_queries=500, max_seconds=30)
def recompute_everything(sender, instance, **kwargs):
    """Recompute the catalogue's statistics."""


@side_effect(post_save, sender=Product)
def rename_through_a_decorated_service(sender, instance, **kwargs):
    """Rename the product through a service behind a decorator without functools.wraps."""
    if instance.name == "decorated":
        import_string("{PACKAGE}.catalog.services.products.rename")(instance)


@side_effect(post_save, sender=Product)
def wait_for_the_warehouse(sender, instance, **kwargs):
    """Wait for the warehouse."""
    if instance.name == "slow":
        time.sleep(0.6)


@side_effect(post_save, sender=Product, max_queries=10)
def reprice_through_the_service(sender, instance, created, **kwargs):
    """Reprice the product through the service, found at run time."""
    if instance.name == "dynamic" and created:
        update = import_string("{PACKAGE}.catalog.services.update_product")
        update(instance, price=instance.price * 2)


@side_effect(post_save, sender=Product)
def ping_the_warehouse(sender, instance, **kwargs):
    """Tell the warehouse, best effort."""
    if instance.name == "network":
        try:
            socket.create_connection(("127.0.0.1", 9), timeout=0.5).close()
        except OSError:
            pass


@side_effect(post_save, sender=Product)
def render_in_a_thread(sender, instance, **kwargs):
    """Render the thumbnail on a thread."""
    if instance.name == "thread":
        threading.Thread(target=len, args=("thumbnail",)).start()


@side_effect(post_save, sender=Product)
def convert_images(sender, instance, **kwargs):
    """Convert the images with a command."""
    if instance.name == "subprocess":
        subprocess.run(["true"], check=False)


@side_effect(post_save, sender=Product, max_queries=5)
def notify_watchers_now(sender, instance, **kwargs):
    """Notify the watchers at once."""
    if instance.name == "inline":
        notify_price_watchers.call(product_id=instance.pk)


@side_effect(post_save, sender=Product, max_queries=0)
def count_products_after_commit(sender, instance, **kwargs):
    """Count the products once the save commits."""
    if instance.name == "later":
        transaction.on_commit(Product.objects.count)


@side_effect(pre_save, sender=Product, max_queries=0)
def double_the_price(sender, instance, **kwargs):
    """Double the price (a business rule)."""
    if instance.name == "doubled":
        instance.price *= 2


@side_effect(pre_delete, sender=AuditLog)
def purge_products(sender, instance, **kwargs):
    """Purge every product when an audit entry goes."""
    Product.objects.all().delete()
'''

# A project decorator that does not use functools.wraps, in a module of its own.
DECORATORS_MODULE = '''"""Decorators shared by the catalog's code."""


def logged(func):
    """Log the call."""

    def run(*args, **kwargs):
        return func(*args, **kwargs)

    return run
'''

HURRIED_SERVICES = f'''
from {PACKAGE}.catalog.decorators import logged  # noqa: E402


@logged
def rename(product: Product) -> None:
    """Rename the product."""
    Product.objects.filter(pk=product.pk).update(name=f"{{product.name}}!")


def restock(product: Product) -> None:
    """Restock the product, logging it through a receiver found at run time."""
    from importlib import import_module

    receivers = import_module("{PACKAGE}.catalog.signals")
    receivers.log_product_saved(sender=Product, instance=product, created=False)


def watch_prices() -> None:
    """Start watching prices from now on."""
    from django.db.models.signals import post_save

    post_save.connect(_note_price, sender=Product, weak=False)


def _note_price(sender: type[Product], **kwargs: object) -> None:
    """Note a price."""
'''

PRODUCT_STR = "    def __str__(self) -> str:\n        return self.name\n"

ARCHIVED_MIXIN = """

class Archived:
    \"\"\"Keeps an audit line of every deletion (business logic in a base class).\"\"\"

    def delete(self, *args, **kwargs):
        AuditLog.objects.create(message=f"Deleted {self}.")
        return super().delete(*args, **kwargs)
"""

# A plain receiver in a module named like test helpers, which ready() imports.
FIXTURES_MODULE = '''"""Demo data."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Product


@receiver(post_save, sender=Product)
def seed_demo_data(sender, instance, **kwargs):
    """Seed the demo data."""
'''

HURRIED_SAVE = """
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.name == "audited":
            AuditLog.objects.create(message=f"Saved {self.name}.")
"""

LEGITIMATE_SAVE = """
    def save(self, *args, **kwargs):
        self.name = " ".join(self.name.split())
        super().save(*args, **kwargs)
"""

HURRIED_TESTS = f"""
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from {PACKAGE}.catalog.services import create_product
from {PACKAGE}.catalog.services.products import restock, watch_prices

pytestmark = pytest.mark.django_db

NAMES = [
    "slow", "dynamic", "network", "thread", "subprocess", "inline", "doubled", "audited",
    "cached", "handler", "fork", "spawn", "process", "pool", "timer", "loop", "many",
    "undeclared", "decorated",
]


@pytest.mark.parametrize("name", NAMES)
def test_saving_a_product(name):
    create_product(name=name, price=Decimal("1.00"))


def test_saving_a_product_and_committing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        create_product(name="later", price=Decimal("1.00"))


def test_restocking():
    restock(create_product(name="Lamp", price=Decimal("1.00")))


def test_watching_prices_from_a_worker_thread():
    # Run by the thread itself, with no test code on its stack: late wiring by project code.
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(watch_prices).result()


def test_an_expensive_product_is_refused():
    with pytest.raises(ValidationError):
        create_product(name="gold", price=Decimal("2000000"))


def test_deleting_an_archived_product():
    create_product(name="archived", price=Decimal("1.00")).delete()
"""

RECEIVER = f"Receiver {PACKAGE}.catalog.signals"
GUARDS_ON_TEST = "tests/test_architecture.py::test_receiver_guards_are_on"
PLUGIN = f"{PACKAGE}.side_effects.testing.pytest_plugin"
# (command-line arguments, PYTEST_ADDOPTS) that switch the guards off or leave the kit's tests out.
SWITCHES_OFF = [
    (("-p", f"no:{PLUGIN}"), ()),
    ((), (f"--ignore={PACKAGE}/side_effects/tests",)),
]
TASK_FIX = "move it into a task (<app>/tasks.py) that the service making the change enqueues"
SERVICE_FIX = "call the service from the code that sends the signal"
EXPECTED = {
    "time": [
        f"{RECEIVER}.wait_for_the_warehouse took ",
        "its budget is max_seconds=0.25",
        "raise max_seconds in its @side_effect(...)",
    ],
    "service by import_string": [
        f"{RECEIVER}.reprice_through_the_service called the service "
        f"{PACKAGE}.catalog.services.products.update_product.",
        f"called from {PACKAGE}/catalog/signals.py:",
        SERVICE_FIX,
    ],
    "socket": [f"{RECEIVER}.ping_the_warehouse opened a network connection: ('127.0.0.1', 9)."],
    "socket from a cache callable": [
        f"{RECEIVER}.fill_the_cache opened a network connection: ('127.0.0.1', 9).",
        "makes every save wait on work outside it",
    ],
    "socket from a project logging handler": [
        f"{RECEIVER}.log_to_the_warehouse opened a network connection: ('127.0.0.1', 9)."
    ],
    "fork": [f"{RECEIVER}.fork_a_worker forked the process", TASK_FIX],
    "spawn": [f"{RECEIVER}.spawn_a_command forked the process"],
    "multiprocessing": [f"{RECEIVER}.start_a_process started a process with multiprocessing"],
    "pool warmed at import": [
        f"{RECEIVER}.submit_to_the_pool handed len to an executor (submit).",
        "Work handed to an executor outlives the receiver",
    ],
    "timer": [f"{RECEIVER}.start_a_timer started a thread: <Timer("],
    "event loop": [
        f"{RECEIVER}.resize_in_the_background scheduled ",
        "on the event loop, still pending when it returned.",
    ],
    "enqueues are charged": [
        f"{RECEIVER}.queue_many ran 3 database queries; its budget is max_queries=1",
        'INSERT INTO "django_tasks_database_dbtaskresult"',
    ],
    "undeclared write": [
        f"{RECEIVER}.audit_in_the_receiver wrote rows of catalog.AuditLog, which its "
        "@side_effect(...) does not declare:",
        "@side_effect(..., writes=(TheModel,))",
    ],
    "veto": [
        f"{RECEIVER}.refuse_expensive_products raised ValidationError: ['Too expensive.']",
        "this exception is logged and swallowed and the save goes ahead",
        "the service that makes the change, Model.clean()",
    ],
    "ceiling": [
        f"{PACKAGE}.catalog.signals.recompute_everything: (side_effects.E006)",
        "asks for max_queries=500 over SIDE_EFFECTS_MAX_QUERIES_CEILING=5 and max_seconds=30 "
        "over SIDE_EFFECTS_MAX_SECONDS_CEILING=1.",
        "move it into a task that the receiver enqueues",
    ],
    "service behind a decorator": [
        f"{RECEIVER}.rename_through_a_decorated_service called the service "
        f"{PACKAGE}.catalog.services.products.rename.",
        f"called from {PACKAGE}/catalog/signals.py:",
    ],
    "plain receiver in fixtures.py": [
        f"{PACKAGE}.catalog.fixtures.seed_demo_data: (side_effects.E002)",
    ],
    "delete() override of a mixin": [
        "Archived.delete() writes rows of other tables: catalog_auditlog.",
    ],
    "thread": [f"{RECEIVER}.render_in_a_thread started a thread", TASK_FIX],
    "subprocess": [f"{RECEIVER}.convert_images started a subprocess: ['true'].", TASK_FIX],
    "inline task": [
        f"{RECEIVER}.notify_watchers_now ran the task "
        f"{PACKAGE}.catalog.tasks.notify_price_watchers inline (task.call()).",
        "enqueue it instead (task.enqueue(...), which writes the task in the caller's transaction)",
    ],
    "on-commit callback": [
        f"{RECEIVER}.count_products_after_commit (its on-commit callback ",
        "ran 1 database query; its budget is max_queries=0",
    ],
    "mutation": [
        f"{RECEIVER}.double_the_price changed the instance it was sent before the save:",
        "Product.price: Decimal('1.00') -> Decimal('2.00')",
        "apply the rule in the service that saves",
        "@side_effect(pre_save, sender=..., normalizes=True)",
    ],
    "receiver called by a service": [
        f"{RECEIVER}.log_product_saved was called directly, not by its signal.",
        f"called from {PACKAGE}/catalog/services/products.py:",
        "Call receivers directly only in tests.",
    ],
    "late connection": [
        f"Receiver {PACKAGE}.catalog.services.products._note_price was connected after the app "
        "registry was ready",
        "define the receiver with @side_effect in <app>/signals.py",
    ],
    "save() override": [
        "Product.save() writes rows of other tables: catalog_auditlog.",
        "move it to a service that saves the instance and writes the other rows explicitly",
    ],
    "untested receiver": [
        "1 registered receiver was triggered by no test in this full run",
        f"    {PACKAGE}.catalog.signals.purge_products\n",
        "Add a test that does what triggers each one",
    ],
}

LEGITIMATE_RECEIVERS = '''
import socket  # noqa: E402

from django.apps import apps  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.auth.signals import user_logged_in  # noqa: E402
from django.core.signals import request_finished, setting_changed  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models.signals import post_migrate, pre_save  # noqa: E402

from .models import AuditLog  # noqa: E402
from .selectors import watchers  # noqa: E402

STATSD = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
STATSD.setblocking(False)


def _count(metric):
    """Send a StatsD counter: one datagram, fire and forget."""
    try:
        STATSD.connect(("127.0.0.1", 8125))
        STATSD.send(f"{metric}:1|c".encode())
    except OSError:
        pass


@side_effect(user_logged_in, max_queries=0)
def count_logins(sender, **kwargs):
    """Count a login in StatsD."""
    _count("logins")


@side_effect(request_finished, max_queries=0)
def count_requests(sender, **kwargs):
    """Count a request in StatsD."""
    _count("requests")


@side_effect(setting_changed, max_queries=0)
def reload_watchers(sender, setting, **kwargs):
    """Forget the cached watchers when a test overrides them."""
    if setting == "CATALOG_PRICE_WATCHERS":
        watchers.cache_clear()


@side_effect(post_save, sender=Product, max_queries=1, writes=(AuditLog,))
def note_big_prices(sender, instance, **kwargs):
    """Note a price above a thousand in the audit log (a declared write)."""
    if instance.price > 1000:
        AuditLog.objects.create(message=f"Big price for {instance.name}.")


@side_effect(post_migrate, sender=apps.get_app_config("catalog"))
def create_catalog_editors(sender, **kwargs):
    """Create the catalog editors' group after migrate (Django's documented pattern)."""
    Group.objects.get_or_create(name="catalog editors")


@side_effect(pre_save, sender=Product, max_queries=0, normalizes=True)
def trim_product_name(sender, instance, **kwargs):
    """Trim the spaces around the product's name."""
    instance.name = instance.name.strip()


@side_effect(post_save, sender=Product, max_queries=1)
def warn_about_duplicate_names(sender, instance, **kwargs):
    """Log a warning when another product has the same name (one read, in a savepoint)."""
    with transaction.atomic():
        if Product.objects.filter(name=instance.name).exclude(pk=instance.pk).exists():
            logger.warning("Product name %r is taken twice.", instance.name)
'''

# The settings-reload pattern's cache, which a setting_changed receiver clears.
LEGITIMATE_SELECTORS = '''

@functools.cache
def watchers() -> tuple[str, ...]:
    """The price watchers, read once from the settings."""
    return tuple(settings.CATALOG_PRICE_WATCHERS)
'''

LEGITIMATE_TESTS = f"""
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db.models.signals import post_save
from django.test import override_settings

from {PACKAGE}.catalog.models import AuditLog, Product
from {PACKAGE}.catalog.services import create_product

pytestmark = pytest.mark.django_db


def test_migrate_created_the_editors_group():
    assert Group.objects.filter(name="catalog editors").exists()


def test_names_are_trimmed():
    assert create_product(name="  Desk   lamp ", price=Decimal("1.00")).name == "Desk lamp"


def test_logins_and_requests_are_counted(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("ann"))
    assert client.get("/").status_code in (200, 302, 404)


def test_overridden_watchers_are_reloaded():
    from {PACKAGE}.catalog.selectors import watchers  # noqa: PLC0415

    with override_settings(CATALOG_PRICE_WATCHERS=["ann@example.com"]):
        assert watchers() == ("ann@example.com",)
    assert watchers() != ("ann@example.com",)


def test_a_declared_write_is_allowed():
    create_product(name="Piano", price=Decimal("5000.00"))
    assert AuditLog.objects.filter(message="Big price for Piano.").exists()


def test_a_test_may_connect_a_receiver_for_itself():
    saved = []

    def note(sender, **kwargs):
        saved.append(sender)

    post_save.connect(note, sender=Product, weak=False)
    try:
        create_product(name="Lamp", price=Decimal("1.00"))
    finally:
        post_save.disconnect(note, sender=Product)
    assert saved == [Product]
"""


def add_archived_mixin(project: Path) -> None:
    """Give ``Product`` a project base class whose ``delete()`` writes another table."""
    models = project / PACKAGE / "catalog" / "models.py"
    product = "class Product(models.Model):"
    mixin = ARCHIVED_MIXIN.strip() + "\n\n\nclass Product(Archived, models.Model):"
    models.write_text(models.read_text().replace(product, mixin))


def add_to_product(project: Path, method: str) -> None:
    """Add a method to the example app's ``Product`` model."""
    models = project / PACKAGE / "catalog" / "models.py"
    models.write_text(models.read_text().replace(PRODUCT_STR, PRODUCT_STR + method, 1))


def test_hurried_receivers_fail_the_gate_naming_each_offender_and_the_fix(
    bake: Callable[..., Path],
) -> None:
    project = bake()
    append(project, "catalog/signals.py", HURRIED_RECEIVERS)
    append(project, "catalog/services/products.py", HURRIED_SERVICES)
    add_to_product(project, HURRIED_SAVE)
    add_archived_mixin(project)
    (project / PACKAGE / "catalog" / "fixtures.py").write_text(FIXTURES_MODULE)
    (project / PACKAGE / "catalog" / "decorators.py").write_text(DECORATORS_MODULE)
    append(project, "catalog/apps.py", "        from . import fixtures  # noqa: F401\n")
    (project / PACKAGE / "catalog" / "tests" / "test_hurried.py").write_text(HURRIED_TESTS)
    regenerate_signal_map(project)

    gate = run_gate(project)

    output = output_of(gate)
    assert gate.returncode != 0, output
    missing = {
        rule: [text for text in texts if text not in output]
        for rule, texts in EXPECTED.items()
        if any(text not in output for text in texts)
    }
    assert not missing, output

    chosen = run_gate(project, f"{PACKAGE}/catalog/tests/test_services.py")

    assert chosen.returncode == 0, output_of(chosen)
    assert "triggered by no test" not in chosen.stdout


@pytest.mark.slow
@pytest.mark.parametrize(("arguments", "addopts"), SWITCHES_OFF, ids=["-p no:", "--ignore"])
def test_switching_the_guards_off_fails_the_gate(
    default_project: Path, arguments: tuple[str, ...], addopts: tuple[str, ...]
) -> None:
    gate = run_gate(default_project, GUARDS_ON_TEST, *arguments, PYTEST_ADDOPTS=" ".join(addopts))

    output = output_of(gate)
    assert gate.returncode != 0, output
    assert "The receiver guards are off in this run" in output
    assert "Remove it from addopts (pyproject.toml) or PYTEST_ADDOPTS" in output
    assert "KeyError" not in output


@pytest.mark.slow  # the hurried gate's twin, a second gate run (kept out of the fast subset)
def test_legitimate_receivers_the_guards_once_flagged_pass_the_gate(
    bake: Callable[..., Path],
) -> None:
    project = bake()
    append(project, "catalog/signals.py", LEGITIMATE_RECEIVERS)
    selectors = project / PACKAGE / "catalog" / "selectors.py"
    imports = "import functools\n\nfrom django.conf import settings\nfrom django.core.cache"
    text = selectors.read_text().replace("from django.core.cache", imports, 1)
    selectors.write_text(text + LEGITIMATE_SELECTORS)
    signals = project / PACKAGE / "catalog" / "signals.py"
    # The receiver only enqueues: the task the test backend then runs is not its work.
    signals.write_text(
        signals.read_text().replace(
            "on_commit=True, max_queries=1)", "on_commit=True, max_queries=0)"
        )
    )
    add_to_product(project, LEGITIMATE_SAVE)
    (project / PACKAGE / "catalog" / "tests" / "test_legitimate.py").write_text(LEGITIMATE_TESTS)
    regenerate_signal_map(project)

    gate = run_gate(project)

    assert gate.returncode == 0, output_of(gate)
