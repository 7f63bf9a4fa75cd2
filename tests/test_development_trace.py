"""The development trace on a developer's console: what a management command set off.

With the local settings a baked project logs, after each management command, the receivers the
command fired (the generated README's "Seeing what fires"). This runs a real ``manage.py shell``
that creates, updates and deletes a product, as a developer trying the example would.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import PACKAGE, manage, output_of, production_env

pytestmark = pytest.mark.slow

CHANGE_A_PRODUCT = """
from decimal import Decimal
from acme_shop.catalog.services import create_product, update_product
product = create_product(name="Desk lamp", price=Decimal("19.90"))
update_product(product, price=Decimal("24.50"))
product.delete()
"""
RECEIVERS = f"{PACKAGE}.catalog.signals"


def test_a_management_command_logs_the_receivers_it_fired(bake: Callable[..., Path]) -> None:
    project = bake()
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{project / 'db.sqlite3'}",
    }
    manage(project, "migrate", "--no-input", **env)

    log = output_of(manage(project, "shell", "-c", CHANGE_A_PRODUCT, **env))

    assert (
        f"INFO {PACKAGE}.side_effects.trace Side effects of manage.py shell: 5 receiver calls"
        in log
    )
    trace = log[log.index("Side effects of manage.py shell") :].splitlines()[1:6]
    assert [line.split(": ran")[0].lstrip("├└─ ") for line in trace] == [
        f"post_save from catalog.Product -> {RECEIVERS}.forget_cached_product",
        f"post_save from catalog.Product -> {RECEIVERS}.log_product_saved",
        f"post_save from catalog.Product -> {RECEIVERS}.forget_cached_product",
        f"post_save from catalog.Product -> {RECEIVERS}.log_product_saved",
        f"post_delete from catalog.Product -> {RECEIVERS}.forget_cached_product",
    ], log
    assert "log_product_saved: ran on commit" in trace[1], log


@pytest.mark.parametrize("settings", ["test", "production"])
def test_other_settings_log_no_trace(bake: Callable[..., Path], settings: str) -> None:
    project = bake()
    env = production_env(DATABASE_URL=f"sqlite:///{project / 'db.sqlite3'}")
    env["DJANGO_SETTINGS_MODULE"] = f"config.settings.{settings}"
    manage(project, "migrate", "--no-input", **env)

    log = output_of(manage(project, "shell", "-c", CHANGE_A_PRODUCT, **env))

    assert "Product 1 created." in log  # the receivers ran, and logged their own line
    assert "Side effects of" not in log, log
