"""The development trace of the catalog's real flows: create, update, delete, a rollback.

Each test records with ``fresh=True``: under ``pytest --side-effects-trace`` the whole test is
being recorded already, and a plain ``recording()`` would join that trace.
"""

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import Signal

from {{ cookiecutter.project_slug }}.catalog.models import Product
from {{ cookiecutter.project_slug }}.catalog.services import create_product, update_product
from {{ cookiecutter.project_slug }}.side_effects.runtime.observers import observe
from {{ cookiecutter.project_slug }}.side_effects.runtime.registry import registrations
from {{ cookiecutter.project_slug }}.side_effects.tracing.recorder import TraceRecorder, recording
from {{ cookiecutter.project_slug }}.side_effects.tracing.trace import RAN, ROLLED_BACK, Trace

pytestmark = pytest.mark.django_db(transaction=True)


def _hears_products(sender: object) -> bool:
    """Whether a receiver connected for ``sender`` hears a product's signals."""
    return sender is None or sender is Product or sender == Product._meta.label


@pytest.fixture(autouse=True)
def recorder() -> Iterator[None]:
    """Record receiver calls as the tracing app does in development."""
    stop = observe(TraceRecorder())
    yield
    stop()


SIGNAL_NAMES: dict[Signal, str] = {
    pre_save: "pre_save",
    post_save: "post_save",
    pre_delete: "pre_delete",
    post_delete: "post_delete",
}


def _expected(*signals: Signal) -> dict[str, tuple[str, bool]]:
    """Each receiver of ``signals`` from Product: the signal, whether it waits for the commit."""
    return {
        each.path: (SIGNAL_NAMES[signal], each.on_commit)
        for signal in signals
        for each in registrations()
        if signal in each.signals and _hears_products(each.sender)
    }


def _seen(trace: Trace) -> dict[str, tuple[str, bool, str]]:
    return {
        node.receiver: (node.signal.rpartition(".")[2], node.on_commit, node.state)
        for node in trace.all_nodes()
    }


def test_creating_a_product_traces_each_receiver_of_its_save() -> None:
    with recording("create", fresh=True) as trace:
        create_product(name="Lamp", price=Decimal("19.90"))

    assert _seen(trace) == {
        path: (name, on_commit, RAN)
        for path, (name, on_commit) in _expected(pre_save, post_save).items()
    }
    assert all(node.sender == "catalog.Product" for node in trace.all_nodes())


def test_updating_a_product_traces_each_receiver_of_its_save() -> None:
    product = create_product(name="Lamp", price=Decimal("19.90"))

    with recording("update", fresh=True) as trace:
        update_product(product, price=Decimal("24.00"))

    assert _seen(trace) == {
        path: (name, on_commit, RAN)
        for path, (name, on_commit) in _expected(pre_save, post_save).items()
    }


def test_deleting_a_product_traces_each_receiver_of_its_delete() -> None:
    product = create_product(name="Lamp", price=Decimal("19.90"))

    with recording("delete", fresh=True) as trace:
        product.delete()

    assert _seen(trace) == {
        path: (name, on_commit, RAN)
        for path, (name, on_commit) in _expected(pre_delete, post_delete).items()
    }


def test_a_rolled_back_create_shows_its_on_commit_receivers_did_not_run() -> None:
    with recording("create, rolled back", fresh=True) as trace, transaction.atomic():
        create_product(name="Lamp", price=Decimal("19.90"))
        transaction.set_rollback(True)

    assert _seen(trace) == {
        path: (name, on_commit, ROLLED_BACK if on_commit else RAN)
        for path, (name, on_commit) in _expected(pre_save, post_save).items()
    }
    assert Product.objects.count() == 0
