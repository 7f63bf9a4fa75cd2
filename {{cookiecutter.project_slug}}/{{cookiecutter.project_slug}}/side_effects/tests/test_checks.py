"""Each system check fires on a deliberately bad receiver, with a hint; only the project's."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

import pytest
from django.apps import AppConfig
from django.contrib.auth.models import AbstractUser, Group, Permission
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.core.signals import setting_changed
from django.db.models.signals import class_prepared, post_save
from django.dispatch import Signal

from ..inspection import checks as checks_module
from ..inspection.checks import check_receivers
from ..runtime.conf import KIT_PACKAGE, relative_to_root
from ..runtime.registry import Receiver
from . import conversion_receivers
from .receivers import SIGNALS_MODULE, Connect, ConnectPlainly, make_receiver

ping = Signal()


def messages_about(name: str, module: str = SIGNALS_MODULE) -> list[checks.CheckMessage]:
    """The ``signals`` check messages about the receiver ``module.name``."""
    return [message for message in check_receivers() if message.obj == f"{module}.{name}"]


def test_a_documented_side_effect_in_a_signals_module_passes(connect: Connect) -> None:
    connect(post_save, make_receiver("well_behaved", calls=[]), sender=Group)

    assert messages_about("well_behaved") == []


def test_e001_a_receiver_outside_a_signals_module(connect: Connect) -> None:
    services = f"{KIT_PACKAGE}.inspection.services"
    connect(ping, make_receiver("misplaced", calls=[], module=services))

    [message] = messages_about("misplaced", module=services)

    assert message.id == "side_effects.E001"
    assert isinstance(message, checks.Error)
    assert f"Move it to {SIGNALS_MODULE}" in str(message.hint)


def test_e002_a_receiver_connected_without_side_effect(connect_plainly: ConnectPlainly) -> None:
    connect_plainly(ping, make_receiver("connected_plainly", calls=[]))

    [message] = messages_about("connected_plainly")

    assert message.id == "side_effects.E002"
    assert f"connected to {__name__}.ping (sender: any) without @side_effect" in message.msg
    assert "@side_effect(ping, sender=..., max_queries=0)" in str(message.hint)


def test_e002_once_per_receiver_naming_every_signal_and_sender(
    connect_plainly: ConnectPlainly,
) -> None:
    receiver = make_receiver("connected_twice", calls=[])
    connect_plainly(post_save, receiver, sender=Group)
    connect_plainly(post_save, receiver, sender=Permission)

    [message] = messages_about("connected_twice")

    assert message.id == "side_effects.E002"
    assert "post_save (sender: auth.Group), " in message.msg
    assert "post_save (sender: auth.Permission)" in message.msg


class Handler:
    """A class-based receiver."""

    def handle(self, sender: object, **kwargs: object) -> None:
        """Handle the signal."""


# Judged as if defined in a signals module: the kit does not judge test modules.
Handler.__module__ = Handler.handle.__module__ = SIGNALS_MODULE


def test_e002_tells_a_class_based_receiver_how_to_use_side_effect(
    connect_plainly: ConnectPlainly,
) -> None:
    connect_plainly(ping, Handler().handle)

    [message] = [
        message
        for message in check_receivers()
        if message.id == "side_effects.E002" and f"{SIGNALS_MODULE}.Handler.handle" in message.obj
    ]

    assert "@side_effect decorates module-level functions" in str(message.hint)
    assert "Connect a module-level function in the app's signals.py" in str(message.hint)


@pytest.mark.parametrize("sender", ["auth.Group", 42], ids=["string", "number"])
def test_e003_a_value_sender_on_a_plain_signal_never_matches(
    connect: Connect, sender: object
) -> None:
    connect(ping, make_receiver("never_runs", calls=[]), sender=sender)

    [message] = messages_about("never_runs")

    assert message.id == "side_effects.E003"
    assert f"connected to {__name__}.ping (sender: {sender!r})" in message.msg
    assert "resolves 'app_label.Model' strings only for model signals" in str(message.hint)


def test_e003_an_abstract_model_sender_never_sends(connect: Connect) -> None:
    connect(post_save, make_receiver("abstract_sender", calls=[]), sender=AbstractUser)

    [message] = messages_about("abstract_sender")

    assert message.id == "side_effects.E003"


@pytest.mark.parametrize(
    ("signal", "fix"),
    [(class_prepared, "AppConfig.ready()"), (setting_changed, "conftest.py")],
    ids=["class_prepared", "setting_changed"],
)
def test_e004_a_framework_signal_a_project_receiver_has_no_business_with(
    connect: Connect, signal: Signal, fix: str
) -> None:
    connect(signal, make_receiver("framework_hook", calls=[]))

    [message] = messages_about("framework_hook")

    assert message.id == "side_effects.E004"
    assert fix in str(message.hint)


def test_a_receiver_in_a_signals_package_is_at_home(connect: Connect) -> None:
    package_module = f"{SIGNALS_MODULE}.orders"
    connect(ping, make_receiver("split_up", calls=[], module=package_module))

    assert messages_about("split_up", module=package_module) == []


def test_w001_a_receiver_without_a_docstring(connect: Connect) -> None:
    connect(ping, make_receiver("undocumented", calls=[], doc=None))

    [message] = messages_about("undocumented")

    assert message.id == "side_effects.W001"
    assert "Add one whose first line says what the side effect does" in str(message.hint)


def test_w002_a_model_signal_receiver_without_a_sender(connect: Connect) -> None:
    connect(post_save, make_receiver("every_model", calls=[]))

    [message] = messages_about("every_model")

    assert message.id == "side_effects.W002"
    assert "listens to django.db.models.signals.post_save of every model" in message.msg
    assert "@side_effect(post_save, sender=MyModel)" in str(message.hint)


def test_a_plain_signal_without_a_sender_is_fine(connect: Connect) -> None:
    connect(ping, make_receiver("any_sender", calls=[]))

    assert messages_about("any_sender") == []


def test_w003_an_app_whose_ready_does_not_import_its_signals(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = f"{__package__}.unready_app"
    config = AppConfig(name, import_module(name))
    # The app lives among the kit's tests, which the checks otherwise leave alone.
    monkeypatch.setattr(checks_module, "is_project_module", lambda module: True)

    [message] = check_receivers(app_configs=[config])

    assert message.id == "side_effects.W003"
    assert message.obj == f"{name}.signals"
    assert "from . import signals" in str(message.hint)


def test_receivers_of_test_code_are_not_judged(connect_plainly: ConnectPlainly) -> None:
    connect_plainly(ping, make_receiver("helper", calls=[], module=__name__, doc=None))

    assert messages_about("helper", module=__name__) == []


def test_django_and_third_party_receivers_are_not_judged(connect_plainly: ConnectPlainly) -> None:
    receiver = make_receiver("theirs", calls=[], module="some_library.handlers", doc=None)
    connect_plainly(post_save, receiver)

    assert messages_about("theirs", module="some_library.handlers") == []


def test_the_checks_run_under_the_signals_tag(connect: Connect) -> None:
    connect(ping, make_receiver("undocumented_too", calls=[], doc=None))

    # Only the kit's own app (where the test receivers are said to live), whatever the project's.
    with pytest.raises(SystemCheckError, match=r"side_effects\.W001"):
        call_command("check", "side_effects", "--tag", "signals", "--fail-level", "WARNING")


@pytest.mark.parametrize(
    ("receiver", "refusal"),
    [
        (conversion_receivers.refuse_reserved_names, "ReservedNameError"),
        (conversion_receivers.validate_before_saving, "ValidationError via instance.full_clean()"),
        (conversion_receivers.assert_a_name, "AssertionError via an assert"),
        (conversion_receivers.validate_the_name, "ValidationError via validate_slug()"),
    ],
    ids=["raise", "model-validation", "assert", "django-validator"],
)
def test_e007_a_plain_receiver_that_vetoes_must_not_be_converted_as_it_is(
    connect_plainly: ConnectPlainly, receiver: Receiver, refusal: str
) -> None:
    connect_plainly(post_save, receiver, sender=Group)

    [message] = messages_about(receiver.__name__)

    assert message.id == "side_effects.E007"
    assert f"raises {refusal} (" in message.msg
    assert "conversion_receivers.py:" in message.msg
    assert "Do NOT convert it to @side_effect as it is" in str(message.hint)
    assert "Model.clean()" in str(message.hint)


def test_e007_a_veto_in_a_project_function_the_receiver_calls(
    connect_plainly: ConnectPlainly,
) -> None:
    connect_plainly(post_save, conversion_receivers.refuse_through_a_helper, sender=Group)

    [message] = messages_about("refuse_through_a_helper")

    assert message.id == "side_effects.E007"
    assert "raises PermissionDenied (" in message.msg
    assert f"in {conversion_receivers.__name__}.check_not_locked, which it calls" in message.msg


def test_e007_a_veto_two_calls_away(connect_plainly: ConnectPlainly) -> None:
    connect_plainly(post_save, conversion_receivers.refuse_two_calls_away, sender=Group)

    [message] = messages_about("refuse_two_calls_away")

    assert message.id == "side_effects.E007"
    helpers = conversion_receivers.__name__
    assert (
        f"in {helpers}.check_not_locked, which it calls through {helpers}.check_the_group"
        in message.msg
    )


@pytest.mark.parametrize(
    ("receiver", "name", "refused_in"),
    [
        (conversion_receivers.refuse_through_a_class, "refuse_through_a_class",
         "GroupRules.refuse_reserved"),
        (conversion_receivers.refuse_as_an_object, "LockedGroupRefusal", "check_not_locked"),
        (conversion_receivers.refuse_through_a_decorator, "refuse_through_a_decorator",
         "refuse_a_reserved_name"),
    ],
    ids=["class-method", "callable-object", "decorator-without-wraps"],
)  # fmt: skip
def test_e007_a_veto_behind_a_class_or_a_method_of_its_own(
    connect_plainly: ConnectPlainly, receiver: Receiver, name: str, refused_in: str
) -> None:
    connect_plainly(post_save, receiver, sender=Group)

    [message] = [m for m in messages_about(name) if m.id == "side_effects.E007"]

    assert f"in {conversion_receivers.__name__}.{refused_in}, which it calls" in message.msg


def test_e007_a_side_effect_that_vetoes(connect: Connect) -> None:
    connect(post_save, conversion_receivers.refuse_reserved_names, sender=Group)

    [message] = messages_about("refuse_reserved_names")

    assert message.id == "side_effects.E007"
    assert "but it is a @side_effect" in message.msg
    assert "logged and swallowed" in message.msg
    assert "A receiver cannot veto" in str(message.hint)


def test_re_raising_a_caught_failure_is_not_a_veto(connect: Connect) -> None:
    connect(ping, conversion_receivers.translate_a_failure)

    assert messages_about("translate_a_failure") == []


@pytest.mark.parametrize(
    ("receiver", "budget"),
    [
        (conversion_receivers.drop_the_cache_key, 0),
        (conversion_receivers.count_one_thing, 1),
        (conversion_receivers.log_each_group, 1),
        (conversion_receivers.count_its_permissions, 1),
        (conversion_receivers.narrow_the_instance, 0),
    ],
    ids=["cache-drop", "one-query", "loop-over-one", "relation-manager", "type-narrowing-assert"],
)
def test_e002_tells_a_trivial_receiver_to_convert(
    connect_plainly: ConnectPlainly, receiver: Receiver, budget: int
) -> None:
    connect_plainly(post_save, receiver, sender=Group)

    [message] = messages_about(receiver.__name__)

    assert message.id == "side_effects.E002"
    assert str(message.hint).startswith("Convert it: ")
    assert f"@side_effect(post_save, sender=..., max_queries={budget})" in str(message.hint)


def test_e002_says_what_its_estimate_cannot_see(connect_plainly: ConnectPlainly) -> None:
    connect_plainly(post_save, conversion_receivers.delegate_to_a_handler, sender=Group)

    [message] = messages_about("delegate_to_a_handler")

    hint = str(message.hint)
    assert hint.startswith("Convert it: ")
    assert "max_queries=0" in hint
    unseen = "The estimate leaves out the calls chosen at run time: cls.get_implementation()"
    assert f"{unseen}.count() at " in hint
    assert f"in {conversion_receivers.__name__}.GroupHandlers.on_save, which it calls" in hint
    assert "its tests' query guard shows what they cost" in hint


@pytest.mark.parametrize(
    ("receiver", "why"),
    [
        (conversion_receivers.recount_every_group, "a query in a loop at "),
        (conversion_receivers.run_the_rules, "calls the service "),
        (conversion_receivers.ping_the_crm, "network I/O, urllib.request.urlopen() at "),
        (conversion_receivers.count_now, "runs a task inline, tasks.count_groups.call() at "),
        (conversion_receivers.recount_through_a_class, "a query in a loop at "),
        (conversion_receivers.count_each_groups_permissions, "a query in a loop at "),
        (conversion_receivers.recount_through_a_decorator, "a query in a loop at "),
    ],
    ids=["loop", "service", "network", "inline-task", "in-a-class", "relation", "decorated"],
)
def test_e002_tells_a_heavy_receiver_to_move_its_work_into_the_service(
    connect_plainly: ConnectPlainly, receiver: Receiver, why: str
) -> None:
    connect_plainly(post_save, receiver, sender=Group)

    [message] = messages_about(receiver.__name__)

    assert message.id == "side_effects.E002"
    assert "Do not convert it as it is: it is heavy (" in str(message.hint)
    assert why in str(message.hint)
    assert f"{relative_to_root(Path(conversion_receivers.__file__))}:" in str(message.hint)
    assert "Move the work into the service that makes the change" in str(message.hint)


def test_e002_more_queries_than_the_ceiling_make_a_receiver_heavy(
    connect_plainly: ConnectPlainly,
) -> None:
    connect_plainly(post_save, conversion_receivers.count_everything, sender=Group)

    [message] = messages_about("count_everything")

    assert "it is heavy (6 queries, over the ceiling of 5)" in str(message.hint)
