"""Catalog data and its invariants. Behaviour that reaches beyond a row lives in ``services``."""

from django.core.validators import MinValueValidator
from django.db import models


class Product(models.Model):
    """Something the shop sells."""

    name = models.CharField(max_length=200, unique=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="catalog_product_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AuditLog(models.Model):
    """A business-critical record of a change, written by the service that made the change."""

    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.message


class PriceNotification(models.Model):
    """That the price watchers were e-mailed about one state of a product (the task's memory).

    The notification task runs at least once, so it may run twice for the same change; it
    e-mails only when no row for that state (``product_version``: the product's ``updated_at``)
    says it already did.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="notifications")
    product_version = models.DateTimeField()
    sent_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "product_version"], name="catalog_one_notification_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} as of {self.product_version}"
