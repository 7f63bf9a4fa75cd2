"""Receivers with real bodies, for the checks that read a receiver's source (E002's hints, E007).

Named as if they lived in an app's signals module, like the receivers of :mod:`.receivers`;
the tests connect them through the ``connect`` and ``connect_plainly`` fixtures.
"""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Callable

from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_slug

from . import services, tasks
from .receivers import SIGNALS_MODULE

logger = logging.getLogger(__name__)


class ReservedNameError(Exception):
    """What the tag-validation receiver raises to refuse a save."""


def refuse_reserved_names(sender: type[Group], instance: Group, **kwargs: object) -> None:
    """Refuse a group whose name is reserved."""
    if instance.name == "root":
        raise ReservedNameError(f"{instance.name} is reserved")


def refuse_through_a_helper(sender: type[Group], instance: Group, **kwargs: object) -> None:
    """Refuse a locked-out group, through a helper."""
    check_not_locked(instance)


def check_not_locked(group: Group) -> None:
    """A project helper that refuses."""
    if group.name.startswith("locked"):
        raise PermissionDenied


def refuse_two_calls_away(sender: type[Group], instance: Group, **kwargs: object) -> None:
    """Refuse a locked-out group, through a helper's helper."""
    check_the_group(instance)


def check_the_group(group: Group) -> None:
    """A project helper that leaves the refusal to another."""
    check_not_locked(group)


class GroupRules:
    """Rules spelt as a class's methods, as libraries such as django-axes spell their handlers."""

    @classmethod
    def check(cls, group: Group) -> None:
        """Refuse a reserved name, through another method of the class."""
        cls.refuse_reserved(group)

    @staticmethod
    def refuse_reserved(group: Group) -> None:
        """Refuse the reserved name."""
        if group.name == "root":
            raise ReservedNameError(f"{group.name} is reserved")

    @classmethod
    def recount(cls) -> None:
        """Recount every group, through another method of the class."""
        cls.recount_each()

    @staticmethod
    def recount_each() -> None:
        """A query per group."""
        for group in Group.objects.all():
            logger.info("%s", Permission.objects.filter(group=group).count())


def refuse_through_a_class(sender: type[Group], instance: Group, **kwargs: object) -> None:
    """Refuse a reserved name, through a class method."""
    GroupRules.check(instance)


def recount_through_a_class(sender: type[Group], **kwargs: object) -> None:
    """A query per group, two calls down in a class: heavy."""
    GroupRules.recount()


def when_enabled(func: Callable[..., None]) -> Callable[..., None]:
    """A decorator without ``functools.wraps``, as django-axes's ``toggleable`` is."""

    def inner(*args: object, **kwargs: object) -> None:
        if not kwargs.get("disabled"):
            func(*args, **kwargs)

    return inner


@when_enabled
def refuse_a_reserved_name(group: Group) -> None:
    """Refuse the reserved name (behind the decorator)."""
    if group.name == "root":
        raise ReservedNameError(f"{group.name} is reserved")


@when_enabled
def recount_each_group() -> None:
    """A query per group (behind the same decorator)."""
    for group in Group.objects.all():
        logger.info("%s", Permission.objects.filter(group=group).count())


def refuse_through_a_decorator(sender: type[Group], instance: Group, **kwargs: object) -> None:
    """Refuse a reserved name through a decorated helper."""
    refuse_a_reserved_name(instance)


def recount_through_a_decorator(sender: type[Group], **kwargs: object) -> None:
    """A query per group through a decorated helper: heavy."""
    recount_each_group()


class GroupCounter:
    """What a handler class hands the work to, chosen at run time."""

    def count(self, group: Group) -> None:
        """Count the group's permissions: a query the estimate cannot see from the receiver."""
        logger.info("%s", Permission.objects.filter(group=group).count())


class GroupHandlers:
    """A handler chosen at run time, as django-axes's ``AxesProxyHandler`` chooses its own."""

    implementation: GroupCounter | None = None

    @classmethod
    def get_implementation(cls) -> GroupCounter:
        """The configured handler."""
        if cls.implementation is None:
            cls.implementation = GroupCounter()
        return cls.implementation

    @classmethod
    def on_save(cls, group: Group) -> None:
        """Hand the group to the configured handler."""
        cls.get_implementation().count(group)


def delegate_to_a_handler(sender: type[Group], instance: Group, **kwargs: object) -> None:
    """Hand the group to a handler class that picks its implementation at run time."""
    GroupHandlers.on_save(instance)


class LockedGroupRefusal:
    """A callable object as the receiver: its ``__call__`` is what runs."""

    def __call__(self, sender: type[Group], instance: Group, **kwargs: object) -> None:
        """Refuse a locked-out group, through a method of its own."""
        self.refuse(instance)

    def refuse(self, group: Group) -> None:
        """Refuse through the module's helper."""
        check_not_locked(group)


refuse_as_an_object = LockedGroupRefusal()


def validate_before_saving(sender: type[Group], instance: Group, **kwargs: object) -> None:
    """Refuse an invalid group through the model's validation."""
    instance.full_clean()


def assert_a_name(sender: type[Group], instance: Group, **kwargs: object) -> None:
    """Refuse a group without a name through an assert."""
    assert instance.name, "a group needs a name"


def narrow_the_instance(sender: type[Group], instance: object, **kwargs: object) -> None:
    """Tell the type checker what the instance is: not a veto."""
    assert isinstance(instance, Group)
    assert instance.pk is not None
    cache.delete(f"group:{instance.pk}")


def validate_the_name(sender: type[Group], instance: Group, **kwargs: object) -> None:
    """Refuse a group whose name is not a slug through one of Django's validators."""
    validate_slug(instance.name)


def translate_a_failure(sender: object, **kwargs: object) -> None:
    """Re-raise a failure it caught, translated: not a veto."""
    try:
        int(str(kwargs.get("value")))
    except ValueError as error:
        logger.warning("Not a number.")
        raise LookupError("not a number") from error


def drop_the_cache_key(sender: type[Group], instance: Group, **kwargs: object) -> None:
    """Drop the group's cache entry: trivial."""
    cache.delete(f"group:{instance.pk}")


def count_one_thing(sender: type[Group], instance: Group, **kwargs: object) -> None:
    """One query: trivial."""
    logger.info("%s groups", Group.objects.filter(name=instance.name).count())


def recount_every_group(sender: type[Group], instance: Group, **kwargs: object) -> None:
    """A query per group: heavy."""
    for group in Group.objects.all():
        logger.info("%s", Permission.objects.filter(group=group).count())


def log_each_group(sender: type[Group], **kwargs: object) -> None:
    """One query, then a loop over its rows: trivial."""
    for group in Group.objects.all():
        logger.info("%s", group.name)


def count_its_permissions(sender: type[Group], instance: Group, **kwargs: object) -> None:
    """One query, through a many-to-many relation's manager: trivial."""
    if kwargs.get("created"):
        logger.info("%s permissions", instance.permissions.count())


def count_each_groups_permissions(sender: type[Group], **kwargs: object) -> None:
    """A query per group, through a relation's manager: heavy."""
    for group in Group.objects.all():
        logger.info("%s", group.permissions.count())


def count_everything(sender: type[Group], instance: Group, **kwargs: object) -> None:
    """Six queries, over the ceiling: heavy."""
    logger.info("%s", Group.objects.count())
    logger.info("%s", Group.objects.filter(name=instance.name).exists())
    logger.info("%s", Permission.objects.count())
    logger.info("%s", Permission.objects.filter(group=instance).count())
    instance.refresh_from_db()
    instance.save()


def ping_the_crm(sender: type[Group], **kwargs: object) -> None:
    """Network I/O: heavy."""
    urllib.request.urlopen("http://127.0.0.1:9/")


def count_now(sender: type[Group], **kwargs: object) -> None:
    """A task run inline: heavy."""
    tasks.count_groups.call()


def run_the_rules(sender: type[Group], **kwargs: object) -> None:
    """Business logic: heavy."""
    services.recount_groups()


for _receiver in (
    refuse_reserved_names,
    refuse_through_a_helper,
    refuse_two_calls_away,
    validate_before_saving,
    assert_a_name,
    validate_the_name,
    narrow_the_instance,
    refuse_through_a_class,
    recount_through_a_class,
    delegate_to_a_handler,
    refuse_through_a_decorator,
    recount_through_a_decorator,
    translate_a_failure,
    drop_the_cache_key,
    count_one_thing,
    recount_every_group,
    log_each_group,
    count_its_permissions,
    count_each_groups_permissions,
    count_everything,
    ping_the_crm,
    count_now,
    run_the_rules,
):
    _receiver.__module__ = SIGNALS_MODULE
LockedGroupRefusal.__module__ = SIGNALS_MODULE
