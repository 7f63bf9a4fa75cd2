"""Reads of catalog data. Single products are cached; receivers drop the entry on change."""

from django.core.cache import cache
from django.db.models import QuerySet

from .models import Product

PRODUCT_CACHE_TIMEOUT = 60 * 15


def product_cache_key(product_id: int) -> str:
    """The cache key under which ``get_product`` keeps a product."""
    return f"catalog:product:{product_id}"


def get_product(*, product_id: int) -> Product:
    """Return one product, from the cache when possible.

    Raises ``Product.DoesNotExist`` when there is no such product.
    """
    key = product_cache_key(product_id)
    product: Product | None = cache.get(key)
    if product is None:
        product = Product.objects.get(pk=product_id)
        cache.set(key, product, PRODUCT_CACHE_TIMEOUT)
    return product


def list_products() -> QuerySet[Product]:
    """All products, ordered by name."""
    return Product.objects.order_by("name")
