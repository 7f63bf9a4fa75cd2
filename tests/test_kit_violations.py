"""Each receiver rule, broken on purpose in a baked project, fails its gate with a useful message.

Each case runs the part of the gate that judges its rule (the system checks, or the app's tests
under the budget plugin), so that the failure shown comes from that layer alone, and asserts
that the output names the receiver and tells the developer what to do.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import PACKAGE, append, output_of, regenerate_signal_map, run_gate, run_in_project

# A receiver that keeps every rule: documented, in signals.py, a sender, a budget.
GOOD_RECEIVER = '''

@side_effect(post_save, sender=Product, max_queries=0)
def count_saved_products(sender: type[Product], instance: Product, **kwargs: object) -> None:
    """Count saved products in a metric."""
'''

# The gate's parts that judge receivers: the system checks, and the example app's own tests.
CHECKS = "tests/test_architecture.py::test_system_checks_pass_without_warnings"
MAP_IS_FRESH = "tests/test_architecture.py::test_signal_map_is_fresh"
APP_TESTS = f"{PACKAGE}/catalog/tests"

VIOLATIONS = [
    pytest.param(
        "catalog/models.py",
        '''
from django.db.models.signals import post_save  # noqa: E402
from django.dispatch import receiver  # noqa: E402


@receiver(post_save, sender=Product)
def stamp_product(sender, instance, **kwargs):
    """Stamp the product."""
''',
        [
            f"{PACKAGE}.catalog.models.stamp_product: (side_effects.E001)",
            f"Move it to {PACKAGE}.catalog.signals",
            f"{PACKAGE}.catalog.models.stamp_product: (side_effects.E002)",
            "Convert it: replace @receiver / post_save.connect() with @side_effect(post_save, "
            "sender=..., max_queries=0)",
        ],
        CHECKS,
        id="receiver-decorator-in-models",
    ),
    pytest.param(
        "catalog/signals.py",
        """

@side_effect(post_save, sender=Product, max_queries=0)
def count_saves(sender: type[Product], **kwargs: object) -> None:
    pass
""",
        [
            f"{PACKAGE}.catalog.signals.count_saves: (side_effects.W001)",
            "has no docstring",
            "Add one whose first line says what the side effect does",
        ],
        CHECKS,
        id="receiver-without-docstring",
    ),
    pytest.param(
        "catalog/signals.py",
        '''

@side_effect(post_save, max_queries=0)
def note_any_save(sender: type, **kwargs: object) -> None:
    """Note that something was saved."""
''',
        [
            f"{PACKAGE}.catalog.signals.note_any_save: (side_effects.W002)",
            "listens to django.db.models.signals.post_save of every model (no sender)",
            "Pass the model: @side_effect(post_save, sender=MyModel)",
        ],
        CHECKS,
        id="model-signal-receiver-without-sender",
    ),
    pytest.param(
        "catalog/signals.py",
        '''

@side_effect(post_save, sender=Product, max_queries=0)
def count_products(sender: type[Product], **kwargs: object) -> None:
    """Count the products: one query, over a budget of none."""
    Product.objects.count()
''',
        [
            f"Receiver {PACKAGE}.catalog.signals.count_products ran 1 database query; "
            "its budget is max_queries=0 (savepoints are not counted).",
            "move the work into a task (<app>/tasks.py) that the service making the change "
            "enqueues",
            "raise max_queries in its @side_effect(...)",
        ],
        APP_TESTS,
        id="receiver-over-its-query-budget",
    ),
    pytest.param(
        "catalog/services/products.py",
        '''
from django.db.models.signals import post_save  # noqa: E402


def recount_stock(sender: type[Product], **kwargs: object) -> None:
    """Recount the stock."""


post_save.connect(recount_stock, sender=Product)
''',
        [
            f"{PACKAGE}.catalog.services.products.recount_stock: (side_effects.E001)",
            f"{PACKAGE}.catalog.services.products.recount_stock: (side_effects.E002)",
            "without @side_effect",
        ],
        CHECKS,
        id="plain-connect-in-a-service",
    ),
    pytest.param(
        "catalog/signals.py",
        '''
from django.core.exceptions import ValidationError  # noqa: E402
from django.db.models.signals import pre_save  # noqa: E402
from django.dispatch import receiver  # noqa: E402


@receiver(pre_save, sender=Product)
def refuse_bad_names(sender, instance, **kwargs):
    """Refuse a product whose name is a reserved tag."""
    if instance.name.startswith("#"):
        raise ValidationError("Tags are reserved.")
''',
        [
            f"{PACKAGE}.catalog.signals.refuse_bad_names: (side_effects.E007)",
            f"raises ValidationError ({PACKAGE}/catalog/signals.py:",
            "Do NOT convert it to @side_effect as it is",
            "the service that makes the change, Model.clean()",
        ],
        CHECKS,
        id="vetoing-receiver-before-conversion",
    ),
    pytest.param(
        "catalog/signals.py",
        '''
from django.core.exceptions import PermissionDenied  # noqa: E402


@side_effect(post_save, sender=Product, max_queries=0)
def refuse_locked_products(sender: type[Product], instance: Product, **kwargs: object) -> None:
    """Refuse to save a locked product."""
    if instance.name == "locked":
        raise PermissionDenied
''',
        [
            f"{PACKAGE}.catalog.signals.refuse_locked_products: (side_effects.E007)",
            "raises PermissionDenied (",
            "but it is a @side_effect: in production (SIDE_EFFECTS_RAISE_EXCEPTIONS off) the "
            "exception is logged and swallowed",
        ],
        CHECKS,
        id="vetoing-side-effect",
    ),
    pytest.param(
        "catalog/signals.py",
        '''
from django.dispatch import receiver  # noqa: E402

from .models import AuditLog  # noqa: E402


@receiver(post_save, sender=Product)
def audit_every_product(sender, instance, **kwargs):
    """Write an audit line per product."""
    for product in Product.objects.all():
        AuditLog.objects.create(message=f"Seen {product.name}.")
''',
        [
            f"{PACKAGE}.catalog.signals.audit_every_product: (side_effects.E002)",
            "Do not convert it as it is: it is heavy (a query in a loop at "
            f"{PACKAGE}/catalog/signals.py:",
            "Move the work into the service that makes the change (or a task the service "
            "enqueues), and keep a one-line receiver",
        ],
        CHECKS,
        id="heavy-plain-receiver",
    ),
]


@pytest.mark.parametrize(("module", "code", "expected", "judged_by"), VIOLATIONS)
def test_a_broken_receiver_rule_fails_the_gate(
    bake: Callable[..., Path], module: str, code: str, expected: list[str], judged_by: str
) -> None:
    project = bake()
    append(project, module, code)

    gate = run_gate(project, judged_by)

    output = output_of(gate)
    assert gate.returncode != 0, output
    for text in expected:
        assert text in output


def test_a_receiver_added_without_regenerating_the_map_fails_the_gate(
    bake: Callable[..., Path],
) -> None:
    project = bake()
    append(project, "catalog/signals.py", GOOD_RECEIVER)

    gate = run_gate(project, MAP_IS_FRESH)

    output = output_of(gate)
    assert gate.returncode != 0, output
    assert "docs/signals.md is out of date with the receivers in the code" in output
    assert (
        f"+| `django.db.models.signals.post_save` | `catalog.Product` | `{PACKAGE}.catalog"
        in output
    )
    assert "Regenerate it: python manage.py signalmap --format markdown > docs/signals.md" in output


@pytest.mark.slow  # a second gate run, the twin of the one above (kept out of the fast subset)
def test_the_same_receiver_passes_once_the_map_is_regenerated(bake: Callable[..., Path]) -> None:
    project = bake()
    append(project, "catalog/signals.py", GOOD_RECEIVER)
    regenerate_signal_map(project)

    gate = run_gate(project)

    assert gate.returncode == 0, output_of(gate)


@pytest.mark.parametrize(
    "include_example_app",
    [pytest.param(True, id="example"), pytest.param(False, id="bare", marks=pytest.mark.slow)],
)
def test_startapp_creates_an_app_that_passes_the_gate_once_installed(
    bake: Callable[..., Path], include_example_app: bool
) -> None:
    project = bake(include_example_app=include_example_app)

    created = run_in_project(project, sys.executable, "manage.py", "startapp", "billing")

    assert created.returncode == 0, output_of(created)
    assert f'Add "{PACKAGE}.billing" to INSTALLED_APPS' in created.stdout
    settings = project / "config" / "settings" / "base.py"
    settings.write_text(settings.read_text() + f'\nINSTALLED_APPS += ["{PACKAGE}.billing"]\n')
    for command in (("ruff", "check", "."), ("ruff", "format", "--check", ".")):
        result = run_in_project(project, sys.executable, "-m", *command)
        assert result.returncode == 0, output_of(result)
    gate = run_gate(project, "-v")
    assert gate.returncode == 0, output_of(gate)
    assert f"{PACKAGE}/billing/tests/test_app.py::test_the_app_is_installed PASSED" in gate.stdout
