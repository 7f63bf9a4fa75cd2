"""Heavy catalog work, run by the background worker, never inside a request or a receiver.
{%- if cookiecutter.background_tasks == "database" %}

Tasks use Django's ``django.tasks`` API; ``python manage.py db_worker`` runs them.
{%- else %}

Tasks are Celery tasks; ``celery -A config worker`` runs them.
{%- endif %}
"""

{% if cookiecutter.background_tasks == "celery" -%}
from celery import shared_task
{% endif -%}
from django.conf import settings
from django.core.mail import send_mail
{%- if cookiecutter.background_tasks == "database" %}
from django.tasks import task
{%- endif %}

from .models import Product
from .selectors import get_product


@{{ "task" if cookiecutter.background_tasks == "database" else "shared_task" }}
def notify_price_watchers(product_id: int) -> int:
    """E-mail everyone in ``CATALOG_PRICE_WATCHERS`` the product's current name and price.

    Returns the number of messages sent (0 when nobody watches or the product is gone).
    """
    recipients = settings.CATALOG_PRICE_WATCHERS
    if not recipients:
        return 0
    try:
        product = get_product(product_id=product_id)
    except Product.DoesNotExist:
        return 0
    return send_mail(
        subject=f"{product.name} now costs {product.price}",
        message=f"The price of {product.name} is now {product.price}.",
        from_email=None,
        recipient_list=recipients,
    )
