"""The catalog's receivers: small side effects that may be missed without breaking the shop.

A receiver is contained: in production its failure is logged and swallowed, and the change
commits without its effect. So only what may be missed lives here (a log line, a dropped cache
key; a receiver may also queue missable work). What must happen with a change, the audit trail
and the watchers' notification task, is written by the service (``services``), in the change's
transaction, where a failure rolls the change back. These receivers act on commit: nothing is
logged or dropped for a change that was rolled back (a receiver that needs the instance's key
takes it before it defers: a delete clears the primary key before the commit). Every receiver is
connected with ``@side_effect``, has a docstring and a query budget; ``python manage.py
signalmap`` lists them.
"""

import logging
from functools import partial

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from {{ cookiecutter.project_slug }}.side_effects import side_effect

from .models import Product
from .selectors import product_cache_key

logger = logging.getLogger(__name__)


@side_effect([post_save, post_delete], sender=Product, max_queries=0)
def forget_cached_product(
    sender: type[Product], instance: Product, using: str, **kwargs: object
) -> None:
    """Drop the product's cache entry once the change is committed, so readers see it."""
    # The key is taken now: once a delete is done Django sets the instance's pk to None, before
    # the transaction (an admin delete's, say) commits.
    key = product_cache_key(instance.pk)
    transaction.on_commit(partial(cache.delete, key), using=using, robust=True)


@side_effect(post_save, sender=Product, on_commit=True, max_queries=0)
def log_product_saved(
    sender: type[Product], instance: Product, created: bool, **kwargs: object
) -> None:
    """Log one line for every committed save of a product (observability only)."""
    logger.info("Product %s %s.", instance.pk, "created" if created else "updated")
