"""A project helper that connects a receiver at run time, for the late-wiring guard's tests."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db.models.signals import post_save


def start_watching_groups() -> None:
    """Connect :func:`note_group` from now on (the late wiring the guard judges)."""
    post_save.connect(note_group, sender=Group, weak=False)


def note_group(sender: type[Group], **kwargs: object) -> None:
    """Note a saved group."""
