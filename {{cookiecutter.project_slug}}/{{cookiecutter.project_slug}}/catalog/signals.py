"""The catalog's receivers: small side effects that may be missed without breaking the shop.

Business rules (the audit trail, validation) live in ``services``; anything slow is a task that a
receiver only enqueues, after commit. Every receiver is connected with ``@side_effect``, has a
docstring and a query budget; ``python manage.py signalmap`` lists them.
"""

import logging

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from {{ cookiecutter.project_slug }}.side_effects import side_effect

from .models import Product
from .selectors import product_cache_key
from .tasks import notify_price_watchers

logger = logging.getLogger(__name__)


@side_effect([post_save, post_delete], sender=Product, max_queries=0)
def forget_cached_product(sender: type[Product], instance: Product, **kwargs: object) -> None:
    """Drop the product's cache entry so that readers see the change."""
    cache.delete(product_cache_key(instance.pk))


@side_effect(post_save, sender=Product, max_queries=0)
def log_product_saved(
    sender: type[Product], instance: Product, created: bool, **kwargs: object
) -> None:
    """Log one line for every saved product (observability only)."""
    logger.info("Product %s %s.", instance.pk, "created" if created else "updated")

{% if cookiecutter.background_tasks == "database" %}
@side_effect(post_save, sender=Product, on_commit=True, max_queries=1)
def queue_price_watcher_notification(
    sender: type[Product], instance: Product, **kwargs: object
) -> None:
    """Queue the e-mail to price watchers once the change is committed.

    Enqueuing is one INSERT with the database backend (in tests the task runs in-process; the
    pytest plugin does not charge its work to this receiver).
    """
    notify_price_watchers.enqueue(product_id=instance.pk)
{%- else %}
@side_effect(post_save, sender=Product, max_queries=0)
def queue_price_watcher_notification(
    sender: type[Product], instance: Product, **kwargs: object
) -> None:
    """Queue the e-mail to price watchers once the change is committed (Celery's on-commit send)."""
    notify_price_watchers.delay_on_commit(product_id=instance.pk)
{%- endif %}
