"""Creating and changing products, together with their audit entries, atomically."""

from decimal import Decimal

from django.db import transaction

from ..models import AuditLog, Product


@transaction.atomic
def create_product(*, name: str, price: Decimal) -> Product:
    """Create a product and its audit entry; if either fails, neither is written.

    Raises ``django.core.exceptions.ValidationError`` when the product is invalid.
    """
    product = Product(name=name, price=price)
    product.full_clean()
    product.save()
    AuditLog.objects.create(message=f"Created product {product.name!r} at {product.price}.")
    return product


@transaction.atomic
def update_product(
    product: Product, *, name: str | None = None, price: Decimal | None = None
) -> Product:
    """Change a product's name and/or price and record what changed, atomically.

    Arguments left as ``None`` keep their current value; a call that changes nothing writes
    nothing (no save, no audit entry, no signals).
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
    return product


def _describe_changes(product: Product, *, name: str | None, price: Decimal | None) -> list[str]:
    """Human-readable descriptions of the fields that would change."""
    changes = []
    if name is not None and name != product.name:
        changes.append(f"name {product.name!r} -> {name!r}")
    if price is not None and Decimal(price) != product.price:
        changes.append(f"price {product.price} -> {price}")
    return changes
