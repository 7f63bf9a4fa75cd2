"""Heavy catalog work, run by the background worker, never inside a request or a receiver.
{%- if cookiecutter.background_tasks == "database" %}

Tasks use Django's ``django.tasks`` API; ``python manage.py db_worker`` runs them.
{%- else %}

Tasks are Celery tasks, queued through the outbox (``background.outbox.enqueue``);
``python manage.py relay_outbox`` hands them to the broker and ``celery -A config worker`` runs
them.
{%- endif %}

A task may run more than once for the same change (a retry, a worker that died after the work
but before reporting it), so each one is written to be idempotent.
"""

{% if cookiecutter.background_tasks == "celery" -%}
from celery import shared_task
{% endif -%}
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
{%- if cookiecutter.background_tasks == "database" %}
from django.tasks import task
{%- endif %}
from django.utils import timezone

from .models import PriceNotification, Product


@{{ "task" if cookiecutter.background_tasks == "database" else "shared_task" }}
def notify_price_watchers(product_id: int) -> int:
    """E-mail everyone in ``CATALOG_PRICE_WATCHERS`` the product's current name and price.

    Returns the number of messages sent: 0 when nobody watches, the product is gone, or the
    watchers were already told about its current state (a repeated delivery, or a later
    change's task that already ran). The e-mail is sent while the state's notification row is
    locked and marked sent in the same transaction, so concurrent or repeated runs send it once.
    It is sent twice only when the SMTP server has accepted the message and then

    - the COMMIT that marks it sent does not happen: the worker dies or loses the database
      between the server's reply and the COMMIT (the next run sends it again), or
    - the server confirms it later than ``BACKGROUND_EMAIL_TIMEOUT`` (the ``background``
      mailer's timeout, 300 s): the run fails and each retry sends it again, up to
      ``BACKGROUND_MAX_ATTEMPTS`` copies in all.
    """
    recipients = settings.CATALOG_PRICE_WATCHERS
    if not recipients:
        return 0
    with transaction.atomic():
        try:
            product = Product.objects.get(pk=product_id)
        except Product.DoesNotExist:
            return 0
        notification, _ = PriceNotification.objects.select_for_update().get_or_create(
            product=product, product_version=product.updated_at
        )
        if notification.sent_at is not None:
            return 0
        sent = send_mail(
            subject=f"{product.name} now costs {product.price}",
            message=f"The price of {product.name} is now {product.price}.",
            from_email=None,
            recipient_list=recipients,
            using="background",  # the workers' SMTP timeout, not the request path's
        )
        notification.sent_at = timezone.now()
        notification.save(update_fields=["sent_at"])
    return sent
