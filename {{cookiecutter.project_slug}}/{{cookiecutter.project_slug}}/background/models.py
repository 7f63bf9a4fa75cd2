"""The transactional outbox: background work recorded in the business transaction."""

import uuid

from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    """A Celery task: to publish (``PENDING``), handed to the broker and not yet finished
    (``PUBLISHED``), or failed for good (``DEAD``).

    A pending row is written in the transaction of the change that caused it. The relay marks it
    published, with a lease (``available_at``): if no worker has recorded the task's outcome by
    then (the broker lost the message), the relay publishes it again. A worker deletes the row
    when the task has succeeded, or marks it dead after its last attempt; the row is the source
    of truth until then. Its id becomes the Celery task id, so a repeated delivery can be
    recognised.
    """

    class Status(models.TextChoices):
        PENDING = "PENDING", "pending"
        PUBLISHED = "PUBLISHED", "published"
        DEAD = "DEAD", "dead"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task_path = models.CharField(max_length=255, help_text="The Celery task's name.")
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    available_at = models.DateTimeField(
        default=timezone.now, help_text="When the relay (re)publishes the task, unless finished."
    )
    publications = models.PositiveIntegerField(
        default=0, help_text="How many times the relay has handed the task to the broker."
    )
    exception_class_path = models.TextField(blank=True)
    traceback = models.TextField(blank=True)

    class Meta:
        ordering = ["available_at", "created_at"]
        indexes = [models.Index(fields=["status", "available_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.task_path} {self.id} ({self.get_status_display()})"
