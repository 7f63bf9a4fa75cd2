"""A ``pre_save`` receiver leaves its instance as it was, unless it declares ``normalizes=True``."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Model
from django.db.models.signals import pre_save

from .. import advice
from .calls import Call
from .rule import Guard
from .violations import Violation


class InstanceChanges(Guard):
    """Compares a ``pre_save`` instance's field values before and after the receiver."""

    def __init__(self) -> None:
        self._before: dict[Call, dict[str, object]] = {}

    def before_call(self, call: Call) -> None:
        """Note the instance's field values, unless the receiver may normalise them."""
        instance = call.kwargs.get("instance")
        if call.kwargs.get("signal") is not pre_save or call.registration.normalizes:
            return
        if isinstance(instance, Model):
            self._before[call] = _values(instance)

    def after_call(self, call: Call) -> Iterator[Violation]:
        """A receiver that changed the instance's values."""
        before = self._before.pop(call, None)
        instance = call.kwargs.get("instance")
        if before is None or not isinstance(instance, Model):
            return
        after = _values(instance)
        changed = tuple(
            f"{type(instance).__name__}.{name}: {value!r} -> {after[name]!r}"
            for name, value in before.items()
            if after[name] != value
        )
        if changed:
            yield Violation(
                call.who,
                "changed the instance it was sent before the save:",
                advice.INSTANCE_CHANGE,
                changed,
            )


def _values(instance: Model) -> dict[str, object]:
    """The instance's concrete field values, by attribute name."""
    return {
        field.attname: instance.__dict__.get(field.attname)
        for field in instance._meta.concrete_fields
    }
