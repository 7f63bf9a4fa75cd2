"""Each forbidden import, injected into a baked project, fails its gate and names the offender."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import output_of, run_gate

# The gate's test that runs the contracts: the failure a broken contract gives.
CONTRACTS_TEST = "tests/test_architecture.py::test_import_contracts_are_kept"
# What each contract's guidance tells the reader to do (as import-linter prints it).
BUSINESS = "Do the work explicitly in a service function"
SERVICES = (
    "or move the work into a task (<app>/tasks.py) that the service making the change enqueues "
    "(task.enqueue(...), which writes the task in the caller's transaction), or that the "
    "receiver enqueues if the work may be missed."
)
LAYERS = "Move the code you need to the lower layer"
KIT = "runtime/ is what production imports, so it never imports inspection/"

VIOLATIONS = [
    pytest.param(
        "catalog/services/products.py",
        "from acme_shop.catalog import signals",
        "Business logic never imports receivers",
        "acme_shop.catalog.services.products -> acme_shop.catalog.signals",
        BUSINESS,
        id="service-imports-receivers",
    ),
    pytest.param(
        "catalog/models.py",
        "from acme_shop.catalog import signals",
        "Business logic never imports receivers",
        "acme_shop.catalog.models -> acme_shop.catalog.signals",
        BUSINESS,
        id="model-imports-receivers",
    ),
    pytest.param(
        "catalog/views.py",
        "from acme_shop.catalog.signals import log_product_saved",
        "Business logic never imports receivers",
        "acme_shop.catalog.views -> acme_shop.catalog.signals",
        BUSINESS,
        id="view-imports-receivers",
    ),
    pytest.param(
        "catalog/signals.py",
        "from acme_shop.catalog.services import create_product",
        "Receivers (*.signals) never import services",
        "acme_shop.catalog.signals -> acme_shop.catalog.services",
        SERVICES,
        id="receiver-imports-service",
    ),
    pytest.param(
        "catalog/selectors.py",
        "from acme_shop.catalog import services",
        "Each app is layered",
        "acme_shop.catalog.selectors -> acme_shop.catalog.services",
        LAYERS,
        id="selector-imports-service",
    ),
    pytest.param(
        "side_effects/runtime/decorator.py",
        "from acme_shop.side_effects.inspection import checks",
        "The receiver kit is layered by when its code runs",
        "acme_shop.side_effects.runtime.decorator -> acme_shop.side_effects.inspection.checks",
        KIT,
        id="kit-runtime-imports-inspection",
    ),
    pytest.param(
        "side_effects/inspection/connections.py",
        "from acme_shop.side_effects.testing import advice",
        "The receiver kit is layered by when its code runs",
        "acme_shop.side_effects.inspection.connections -> acme_shop.side_effects.testing.advice",
        KIT,
        id="kit-inspection-imports-testing",
    ),
]


def inject_import(project: Path, module: str, statement: str) -> None:
    """Append an import to a module of the baked package, as a careless change would."""
    path = project / "acme_shop" / module
    path.write_text(f"{path.read_text()}\n{statement}  # noqa: E402, F401\n")


@pytest.mark.parametrize(("module", "statement", "contract", "chain", "guidance"), VIOLATIONS)
def test_forbidden_import_fails_the_gate_naming_it_and_what_to_do(
    bake, module: str, statement: str, contract: str, chain: str, guidance: str
) -> None:
    project = bake()
    inject_import(project, module, statement)

    gate = run_gate(project, CONTRACTS_TEST)

    output = " ".join(output_of(gate).split())  # import-linter wraps its lines at 80 columns
    assert gate.returncode != 0
    assert f"{contract}" in output
    assert chain in output
    assert "BROKEN" in output
    assert guidance in output


def test_only_apps_may_import_receivers(bake) -> None:
    """A module outside the business-logic names is still caught by the protected contract."""
    project = bake()
    helper = project / "acme_shop" / "catalog" / "notifications.py"
    helper.write_text('"""Helpers."""\n\nfrom acme_shop.catalog import signals  # noqa: F401\n')

    gate = run_gate(project, CONTRACTS_TEST)

    output = output_of(gate)
    assert gate.returncode != 0
    assert "Receivers (*.signals) are imported only by their app's apps.py BROKEN" in output
    assert "Business logic never imports receivers (*.signals) KEPT" in output
    assert "acme_shop.catalog.notifications -> acme_shop.catalog.signals" in output


def test_a_new_module_in_a_new_app_is_covered_without_editing_the_contracts(bake) -> None:
    project = bake()
    app = project / "acme_shop" / "billing"
    (app / "services").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "services" / "__init__.py").write_text("from acme_shop.catalog import signals\n")

    gate = run_gate(project, CONTRACTS_TEST)

    assert gate.returncode != 0
    assert "acme_shop.billing.services -> acme_shop.catalog.signals" in output_of(gate)


def test_contract_guidance_that_drifts_from_the_kits_advice_fails_the_gate(bake) -> None:
    project = bake()
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "or move the work into a task \\\n", "or enqueue a task on commit \\\n", 1
        )
    )

    gate = run_gate(
        project, "tests/test_architecture.py::test_contract_guidance_is_the_kits_advice"
    )

    output = output_of(gate)
    assert gate.returncode != 0, output
    assert "Contract receivers-never-call-services: broken_contract_guidance differs" in output
    assert "as CONTRACT_GUIDANCE in side_effects/testing/advice.py has it" in output
