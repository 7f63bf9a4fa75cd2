"""Outbox rows in the admin: what is waiting for the broker, and what failed for good."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import OutboxMessage
from .outbox import requeue


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: rows are written by ``enqueue`` and the workers; dead ones can be requeued."""

    list_display = ["id", "task_path", "status", "created_at", "available_at"]
    list_filter = ["status", "task_path"]
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]
    actions = ["requeue_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        return False

    @admin.action(description="Requeue the selected dead tasks")
    def requeue_selected(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = requeue(queryset.values_list("id", flat=True))
        self.message_user(request, f"Requeued {count} task(s).")
