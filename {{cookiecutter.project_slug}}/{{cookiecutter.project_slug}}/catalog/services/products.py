"""Creating and changing products, with their audit entries and notification tasks, atomically.

What must happen when a product changes is written here, in the change's transaction: the audit
entry and the watchers' notification task. A failure of either (the task table locked past the
statement timeout, the disk full) rolls the whole change back, so a committed change always has
its task and a rolled-back one never has. Receivers (``signals.py``) only do what may be missed.
"""

from decimal import Decimal

from django.db import transaction

{% if cookiecutter.background_tasks == "celery" -%}
from {{ cookiecutter.project_slug }}.background.outbox import enqueue

{% endif -%}
from ..models import AuditLog, Product
from ..tasks import notify_price_watchers


@transaction.atomic
def create_product(*, name: str, price: Decimal) -> Product:
    """Create a product, its audit entry and its watchers' notification; all or nothing.

    Raises ``django.core.exceptions.ValidationError`` when the product is invalid, and the
    database's error when a write fails (nothing is committed then).
    """
    product = Product(name=name, price=price)
    product.full_clean()
    product.save()
    AuditLog.objects.create(message=f"Created product {product.name!r} at {product.price}.")
    _queue_notification(product)
    return product


@transaction.atomic
def update_product(
    product: Product, *, name: str | None = None, price: Decimal | None = None
) -> Product:
    """Change a product's name and/or price, record what changed and queue the notification.

    All or nothing, as :func:`create_product`. Arguments left as ``None`` keep their current
    value; a call that changes nothing writes nothing (no save, no audit entry, no task, no
    signals).
    """
    changes = _describe_changes(product, name=name, price=price)
    if not changes:
        return product
    if name is not None:
        product.name = name
    if price is not None:
        product.price = price
    product.full_clean()
    product.save()
    AuditLog.objects.create(message=f"Updated product #{product.pk}: {'; '.join(changes)}.")
    _queue_notification(product)
    return product


def _queue_notification(product: Product) -> None:
    """Queue the watchers' e-mail in the caller's transaction (one INSERT, no savepoint)."""
{%- if cookiecutter.background_tasks == "database" %}
    notify_price_watchers.enqueue(product_id=product.pk)
{%- else %}
    enqueue(notify_price_watchers, product_id=product.pk)
{%- endif %}


def _describe_changes(product: Product, *, name: str | None, price: Decimal | None) -> list[str]:
    """Human-readable descriptions of the fields that would change."""
    changes = []
    if name is not None and name != product.name:
        changes.append(f"name {product.name!r} -> {name!r}")
    if price is not None and Decimal(price) != product.price:
        changes.append(f"price {product.price} -> {price}")
    return changes
