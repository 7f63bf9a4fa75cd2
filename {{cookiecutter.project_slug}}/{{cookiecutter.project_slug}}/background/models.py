"""The transactional outbox: background work recorded in the business transaction."""

import uuid

from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    """A Celery task to publish (``PENDING``), or one that failed for good (``DEAD``).

    A pending row is written in the transaction of the change that caused it and deleted once
    the relay has handed it to the broker; its id becomes the Celery task id, so a delivery can
    be recognised when it is repeated.
    """

    class Status(models.TextChoices):
        PENDING = "PENDING", "pending"
        DEAD = "DEAD", "dead"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task_path = models.CharField(max_length=255, help_text="The Celery task's name.")
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    available_at = models.DateTimeField(default=timezone.now)
    exception_class_path = models.TextField(blank=True)
    traceback = models.TextField(blank=True)

    class Meta:
        ordering = ["available_at", "created_at"]
        indexes = [models.Index(fields=["status", "available_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.task_path} {self.id} ({self.get_status_display()})"
