"""The catalog in Django's admin. Saves go through the services, so nothing bypasses the audit."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditLog, Product
from .services import create_product, update_product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    """Products, created and changed through ``create_product`` / ``update_product``."""

    list_display = ["name", "price", "updated_at"]
    search_fields = ["name"]

    def save_model(self, request: HttpRequest, obj: Product, form: Any, change: bool) -> None:
        """Save through the services instead of ``obj.save()``."""
        if change:
            stored = Product.objects.get(pk=obj.pk)
            update_product(stored, name=obj.name, price=obj.price)
            obj.refresh_from_db()
        else:
            obj.pk = create_product(name=obj.name, price=obj.price).pk
            obj.refresh_from_db()


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin[AuditLog]):
    """The audit trail: read-only, because it records what happened."""

    list_display = ["created_at", "message"]
    readonly_fields = ["created_at", "message"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditLog | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditLog | None = None) -> bool:
        return False
