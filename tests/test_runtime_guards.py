"""The runtime guards of the baked project's pytest plugin, as a hurried developer meets them.

One baked project receives the code a review wrote to slip business logic and heavy work past
the gate: receivers reaching a service found at run time, a socket, a thread, a subprocess, a
task run inline, a sleep, an on-commit query, a rewritten instance; a service calling a
receiver and one connecting a receiver at run time; a receiver no test triggers; a ``save()``
override writing another table. Its gate must fail naming each offender and the fix, and a run
of chosen tests must not fail for the untested receiver. Another project receives legitimate
code the guards once took for violations: its gate must pass.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .helpers import PACKAGE, append, output_of, regenerate_signal_map, run_gate

HURRIED_RECEIVERS = f'''
import socket  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

from django.db import transaction  # noqa: E402
from django.db.models.signals import pre_delete, pre_save  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

from .models import AuditLog  # noqa: E402
from .tasks import notify_price_watchers  # noqa: E402


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

HURRIED_SERVICES = f'''

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
from decimal import Decimal

import pytest

from {PACKAGE}.catalog.services import create_product
from {PACKAGE}.catalog.services.products import restock, watch_prices

pytestmark = pytest.mark.django_db

NAMES = ["slow", "dynamic", "network", "thread", "subprocess", "inline", "doubled", "audited"]


@pytest.mark.parametrize("name", NAMES)
def test_saving_a_product(name):
    create_product(name=name, price=Decimal("1.00"))


def test_saving_a_product_and_committing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        create_product(name="later", price=Decimal("1.00"))


def test_restocking():
    restock(create_product(name="Lamp", price=Decimal("1.00")))


def test_watching_prices():
    watch_prices()
"""

RECEIVER = f"Receiver {PACKAGE}.catalog.signals"
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
        SERVICE_FIX,
    ],
    "socket": [f"{RECEIVER}.ping_the_warehouse opened a network connection: ('127.0.0.1', 9)."],
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
from django.apps import apps  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models.signals import post_migrate, pre_save  # noqa: E402


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

LEGITIMATE_TESTS = f"""
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db.models.signals import post_save

from {PACKAGE}.catalog.models import Product
from {PACKAGE}.catalog.services import create_product

pytestmark = pytest.mark.django_db


def test_migrate_created_the_editors_group():
    assert Group.objects.filter(name="catalog editors").exists()


def test_names_are_trimmed():
    assert create_product(name="  Desk   lamp ", price=Decimal("1.00")).name == "Desk lamp"


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


def test_legitimate_receivers_the_guards_once_flagged_pass_the_gate(
    bake: Callable[..., Path],
) -> None:
    project = bake()
    append(project, "catalog/signals.py", LEGITIMATE_RECEIVERS)
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
