"""The whole project is judged, nothing switches the checks off, and events have a home.

Each violation is written into a baked project the way a hurried developer would write it; the
project's architecture tests (the part of its gate that runs the import contracts, the system
checks and the map) must fail naming the offender and the fix. The legitimate layouts (events
sent by a service, receivers split into a ``signals/`` package, apps grouped in a sub-package,
test helpers in a ``testing`` package, a migration made by ``makemigrations``) must pass.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import PACKAGE, output_of, regenerate_signal_map, run_gate, run_in_project

ARCHITECTURE = "tests/test_architecture.py"

RECEIVER_IN_CONFIG = '''
from django.contrib.auth.models import Group  # noqa: E402
from django.db.models.signals import post_save  # noqa: E402
from django.dispatch import receiver  # noqa: E402


@receiver(post_save, sender=Group)
def stamp_group(sender, instance, **kwargs):
    """Stamp the group."""
'''

PLAIN_CONNECT = '''

def notify_warehouse(sender: object, **kwargs: object) -> None:
    """Notify the warehouse."""


order_placed.connect(notify_warehouse)
'''

SEARCH_INDEXING = '''"""Keep the search index in step with the catalog."""

import search_engine_missing
from django.db.models.signals import post_save

from .models import Product

post_save.connect(search_engine_missing.index, sender=Product)
'''

NESTED_APP = {
    "domains/__init__.py": '"""Apps grouped by domain."""\n',
    "domains/orders/__init__.py": '"""Orders."""\n',
    "domains/orders/apps.py": '''"""Orders app."""

from django.apps import AppConfig


class OrdersConfig(AppConfig):
    """Orders."""

    name = "acme_shop.domains.orders"

    def ready(self) -> None:
        """Connect the receivers."""
        from . import signals  # noqa: F401
''',
    "domains/orders/events.py": '''"""Signals the orders app sends."""

from django.dispatch import Signal

order_placed = Signal()  # sent by services.place_order()


class PaymentEvents:
    """Signals of an order's payment."""

    captured = Signal()  # sent by services.capture_payment()


ORDER_HOOKS = {"cancelled": Signal(), "refunded": Signal()}  # only "cancelled" is sent
''',
    "domains/orders/services.py": '''"""Business logic of orders."""

from .events import ORDER_HOOKS, PaymentEvents, order_placed


def place_order(*, number: str) -> None:
    """Place an order and announce it."""
    order_placed.send(sender=None, number=number)


def capture_payment(*, number: str) -> None:
    """Capture an order's payment and announce it."""
    PaymentEvents.captured.send(sender=None, number=number)


def cancel_order(*, number: str) -> None:
    """Cancel an order and announce it."""
    ORDER_HOOKS["cancelled"].send(sender=None, number=number)
''',
    "domains/orders/signals/__init__.py": '''"""Receivers of the orders app, split by topic."""

from . import metrics  # noqa: F401
''',
    "domains/orders/signals/metrics.py": '''"""Metric receivers."""

import logging

from acme_shop.side_effects import side_effect

from ..events import order_placed

logger = logging.getLogger(__name__)


@side_effect(order_placed, max_queries=0)
def count_order(sender: object, number: str, **kwargs: object) -> None:
    """Count the order in a metric."""
    logger.info("Order %s placed.", number)
''',
    "domains/orders/tests/__init__.py": "",
    "domains/orders/tests/test_orders.py": '''"""Placing an order announces it."""

import logging

import pytest

from acme_shop.domains.orders.services import place_order


def test_placing_an_order_counts_it(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        place_order(number="A-1")

    assert "Order A-1 placed." in caplog.text
''',
    "domains/orders/testing/__init__.py": 'raise RuntimeError("the kit imported a test helper")\n',
}


def write(project: Path, files: dict[str, str], *, root: Path | None = None) -> None:
    """Write ``files`` (paths relative to the package, or to ``root``) into the project."""
    for name, text in files.items():
        path = (root or project / PACKAGE) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def install(project: Path, *apps: str) -> None:
    """Add ``apps`` to INSTALLED_APPS."""
    settings = project / "config" / "settings" / "base.py"
    listed = ", ".join(f'"{app}"' for app in apps)
    settings.write_text(settings.read_text() + f"\nINSTALLED_APPS += [{listed}]\n")


def architecture_fails_with(project: Path, expected: list[str]) -> str:
    """The architecture tests fail, and their output contains every ``expected`` text."""
    regenerate_signal_map(project)
    gate = run_gate(project, ARCHITECTURE)
    output = output_of(gate)
    assert gate.returncode != 0, output
    for text in expected:
        assert text in output, output
    return output


def test_a_receiver_connected_in_config_is_judged(bake: Callable[..., Path]) -> None:
    project = bake()
    urls = project / "config" / "urls.py"
    urls.write_text(urls.read_text() + RECEIVER_IN_CONFIG)

    architecture_fails_with(
        project,
        [
            "config.urls.stamp_group: (side_effects.E001)",
            "config.urls.stamp_group: (side_effects.E002)",
            "Convert it: replace @receiver / post_save.connect() with @side_effect(post_save,",
        ],
    )


def test_an_app_beside_config_is_refused(bake: Callable[..., Path]) -> None:
    project = bake()
    write(project, {"billing/__init__.py": '"""Billing."""\n'}, root=project)
    install(project, "billing")

    architecture_fails_with(
        project,
        [
            "billing: (side_effects.E005) App billing lives outside the acme_shop package",
            f'Move it to {PACKAGE}/billing/ and set its AppConfig.name = "{PACKAGE}.billing"',
        ],
    )


def test_a_nested_app_is_under_the_import_contracts(bake: Callable[..., Path]) -> None:
    project = bake()
    write(project, NESTED_APP)
    write(project, {"domains/orders/signals/ledger.py": "from .. import services  # noqa: F401\n"})
    install(project, f"{PACKAGE}.domains.orders")

    architecture_fails_with(
        project,
        [
            "Receivers (*.signals) never import services",
            f"{PACKAGE}.domains.orders.signals.ledger -> {PACKAGE}.domains.orders.services",
        ],
    )


def test_a_nested_receiver_is_judged_by_the_checks(bake: Callable[..., Path]) -> None:
    project = bake()
    write(project, NESTED_APP)
    services = project / PACKAGE / "domains" / "orders" / "services.py"
    services.write_text(services.read_text() + PLAIN_CONNECT)
    install(project, f"{PACKAGE}.domains.orders")

    architecture_fails_with(
        project,
        [
            f"{PACKAGE}.domains.orders.services.notify_warehouse: (side_effects.E001)",
            f"Move it to {PACKAGE}.domains.orders.signals",
        ],
    )


def test_events_must_not_import_receivers(bake: Callable[..., Path]) -> None:
    project = bake()
    write(project, NESTED_APP)
    events = project / PACKAGE / "domains" / "orders" / "events.py"
    events.write_text(events.read_text() + "\nfrom . import signals  # noqa: E402, F401\n")
    install(project, f"{PACKAGE}.domains.orders")

    architecture_fails_with(
        project,
        [
            "Business logic never imports receivers (*.signals)",
            f"{PACKAGE}.domains.orders.events -> {PACKAGE}.domains.orders.signals",
        ],
    )


@pytest.mark.parametrize("settings_module", ["base", "production"])
def test_silencing_a_receiver_check_fails_the_gate(
    bake: Callable[..., Path], settings_module: str
) -> None:
    """Silenced in any settings module: the one the tests use, or one they never load."""
    project = bake()
    settings = project / "config" / "settings" / f"{settings_module}.py"
    settings.write_text(settings.read_text() + '\nSILENCED_SYSTEM_CHECKS = ["side_effects.W002"]\n')

    architecture_fails_with(
        project,
        [
            "SILENCED_SYSTEM_CHECKS switches off the receiver checks side_effects.W002 "
            f"in config.settings.{settings_module}.",
            "Remove them from the setting",
        ],
    )


def test_an_unimportable_module_is_named_and_the_map_still_works(
    bake: Callable[..., Path],
) -> None:
    project = bake()
    write(
        project,
        {
            # Connects receivers, but needs an optional package that is not installed.
            "catalog/search.py": SEARCH_INDEXING,
            # Connects nothing: never imported by the kit (importing it would raise).
            "catalog/jinja2tags.py": 'raise RuntimeError("the kit imported jinja2tags")\n',
        },
    )

    output = architecture_fails_with(
        project,
        [
            f"{PACKAGE}.catalog.search: (side_effects.W004) {PACKAGE}.catalog.search "
            "cannot be imported (ModuleNotFoundError: No module named 'search_engine_missing')",
            "Install what it needs, or fix the import.",
        ],
    )
    assert "jinja2tags" not in output, output


def test_events_signals_packages_nested_apps_and_migrations_pass(
    bake: Callable[..., Path],
) -> None:
    project = bake()
    write(project, NESTED_APP)
    write(
        project,
        {
            "domains/orders/models.py": '''"""Orders' data."""

from django.db import models


class Order(models.Model):
    """An order."""

    number = models.CharField(max_length=20, unique=True)

    def __str__(self) -> str:
        return self.number
'''
        },
    )
    install(project, f"{PACKAGE}.domains.orders")
    made = run_in_project(project, sys.executable, "manage.py", "makemigrations", "orders")
    assert made.returncode == 0, output_of(made)

    signal_map = regenerate_signal_map(project)

    events, services = f"{PACKAGE}.domains.orders.events", f"`{PACKAGE}.domains.orders.services`"
    assert f"| `{events}.order_placed` | {services} | 1 |" in signal_map
    assert f"| `{events}.PaymentEvents.captured` | {services} | 0 |" in signal_map
    assert f"| `{events}.ORDER_HOOKS['cancelled']` | {services} | 0 |" in signal_map
    assert f"| `{events}.ORDER_HOOKS['refunded']` | - | 0 |" in signal_map
    for command in (("ruff", "check", "."), ("ruff", "format", "--check", ".")):
        result = run_in_project(project, sys.executable, "-m", *command)
        assert result.returncode == 0, output_of(result)
    gate = run_gate(project)
    assert gate.returncode == 0, output_of(gate)
