"""Each system check fires on a deliberately bad receiver, with a hint; only the project's."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

import pytest
from django.apps import AppConfig
from django.contrib.auth.models import Group
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db.models.signals import post_save
from django.dispatch import Signal
from django.test import override_settings

from ..checks import check_receivers
from ..registry import PROJECT_PACKAGE
from .receivers import SIGNALS_MODULE, make_receiver

ping = Signal()


def messages_about(name: str, module: str = SIGNALS_MODULE) -> list[checks.CheckMessage]:
    """The ``signals`` check messages about the receiver ``module.name``."""
    return [message for message in check_receivers() if message.obj == f"{module}.{name}"]


def test_a_documented_side_effect_in_a_signals_module_passes(connect: Callable) -> None:
    connect(post_save, make_receiver("well_behaved", calls=[]), sender=Group)

    assert messages_about("well_behaved") == []


def test_e001_a_receiver_outside_a_signals_module(connect: Callable) -> None:
    services = f"{PROJECT_PACKAGE}.side_effects.services"
    connect(ping, make_receiver("misplaced", calls=[], module=services))

    [message] = messages_about("misplaced", module=services)

    assert message.id == "side_effects.E001"
    assert isinstance(message, checks.Error)
    assert f"Move it to {SIGNALS_MODULE}" in message.hint


def test_e002_a_receiver_connected_without_side_effect(connect_plainly: Callable) -> None:
    connect_plainly(ping, make_receiver("connected_plainly", calls=[]))

    [message] = messages_about("connected_plainly")

    assert message.id == "side_effects.E002"
    assert f"connected to {__name__}.ping without @side_effect" in message.msg
    assert "@side_effect(ping, sender=..., max_queries=...)" in message.hint


def test_w001_a_receiver_without_a_docstring(connect: Callable) -> None:
    connect(ping, make_receiver("undocumented", calls=[], doc=None))

    [message] = messages_about("undocumented")

    assert message.id == "side_effects.W001"
    assert "Add one whose first line says what the side effect does" in message.hint


def test_w002_a_model_signal_receiver_without_a_sender(connect: Callable) -> None:
    connect(post_save, make_receiver("every_model", calls=[]))

    [message] = messages_about("every_model")

    assert message.id == "side_effects.W002"
    assert "listens to django.db.models.signals.post_save of every model" in message.msg
    assert "@side_effect(post_save, sender=MyModel)" in message.hint


def test_a_plain_signal_without_a_sender_is_fine(connect: Callable) -> None:
    connect(ping, make_receiver("any_sender", calls=[]))

    assert messages_about("any_sender") == []


def test_w003_an_app_whose_ready_does_not_import_its_signals() -> None:
    name = f"{__package__}.unready_app"
    config = AppConfig(name, import_module(name))

    [message] = check_receivers(app_configs=[config])

    assert message.id == "side_effects.W003"
    assert message.obj == f"{name}.signals"
    assert "from . import signals" in message.hint


def test_django_and_third_party_receivers_are_not_judged(connect_plainly: Callable) -> None:
    receiver = make_receiver("theirs", calls=[], module="some_library.handlers", doc=None)
    connect_plainly(post_save, receiver)

    assert messages_about("theirs", module="some_library.handlers") == []


def test_the_checks_run_under_the_signals_tag_and_can_be_silenced(connect: Callable) -> None:
    connect(ping, make_receiver("silenced", calls=[], doc=None))

    # Only the kit's own app (where the test receivers are said to live), whatever the project's.
    arguments = ("check", "side_effects", "--tag", "signals", "--fail-level", "WARNING")

    with pytest.raises(SystemCheckError, match=r"side_effects\.W001"):
        call_command(*arguments)

    with override_settings(SILENCED_SYSTEM_CHECKS=["side_effects.W001"]):
        call_command(*arguments)
