"""The promises of ``@side_effect``: once, strongly, never for raw saves, after commit, isolated."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.dispatch import Signal
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoCaptureOnCommitCallbacks

from ..runtime.decorator import side_effect
from ..runtime.registry import Receiver, registrations
from .receivers import DOCSTRING, SIGNALS_MODULE, Connect, make_async_receiver, make_receiver

ping = Signal()
pong = Signal()


def test_returns_the_function_itself_so_it_stays_callable(connect: Connect) -> None:
    calls: list[dict[str, object]] = []
    receiver = make_receiver("stays_callable", calls=calls)

    assert connect(ping, receiver) is receiver
    receiver(sender="direct")

    assert calls == [{"sender": "direct"}]


def test_connects_once_under_its_dotted_path_even_when_decorated_twice(connect: Connect) -> None:
    calls: list[dict[str, object]] = []
    receiver = make_receiver("decorated_twice", calls=calls)

    connect(ping, receiver)
    connect(ping, receiver)
    ping.send(sender=None)

    assert len(calls) == 1
    assert ping.disconnect(dispatch_uid=f"{SIGNALS_MODULE}.decorated_twice")


def test_holds_a_strong_reference(connect: Connect) -> None:
    calls: list[dict[str, object]] = []
    connect(ping, make_receiver("kept_alive", calls=calls))  # no other reference is kept

    ping.send(sender=None)

    assert len(calls) == 1


def test_connects_to_each_signal_of_a_list(connect: Connect) -> None:
    calls: list[dict[str, object]] = []
    connect([ping, pong], make_receiver("on_both", calls=calls))

    ping.send(sender=None)
    pong.send(sender=None)

    assert [call["signal"] for call in calls] == [ping, pong]


def test_listens_only_to_its_sender(connect: Connect) -> None:
    calls: list[dict[str, object]] = []
    connect(ping, make_receiver("only_str", calls=calls), sender=str)

    ping.send(sender=int)
    ping.send(sender=str)

    assert [call["sender"] for call in calls] == [str]


def test_skips_raw_sends_unless_asked_not_to(connect: Connect) -> None:
    skipping: list[dict[str, object]] = []
    loading: list[dict[str, object]] = []
    connect(ping, make_receiver("skips_fixtures", calls=skipping))
    connect(ping, make_receiver("runs_for_fixtures", calls=loading), skip_raw=False)

    ping.send(sender=None, raw=True)

    assert skipping == []
    assert len(loading) == 1


@pytest.mark.django_db
def test_on_commit_runs_the_body_after_the_commit(
    connect: Connect, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    calls: list[dict[str, object]] = []
    connect(ping, make_receiver("after_commit", calls=calls), on_commit=True)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        ping.send(sender=None, using="default")
        assert calls == []

    assert len(calls) == 1


@pytest.mark.django_db
def test_on_commit_never_runs_for_a_rolled_back_transaction(
    connect: Connect, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    calls: list[dict[str, object]] = []
    connect(ping, make_receiver("rolled_back", calls=calls), on_commit=True)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        ping.send(sender=None)
        transaction.set_rollback(True)

    assert callbacks == []
    assert calls == []


@pytest.mark.django_db
def test_on_commit_skips_raw_sends(
    connect: Connect, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    calls: list[dict[str, object]] = []
    connect(ping, make_receiver("raw_after_commit", calls=calls), on_commit=True)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ping.send(sender=None, raw=True)

    assert callbacks == []
    assert calls == []


@override_settings(SIDE_EFFECTS_RAISE_EXCEPTIONS=True)
def test_a_failure_is_logged_with_the_dotted_path_and_raised_when_the_setting_is_on(
    connect: Connect, kit_log: pytest.LogCaptureFixture
) -> None:
    connect(ping, make_receiver("fails_loudly", calls=[], error=RuntimeError("boom")))

    with pytest.raises(RuntimeError, match="boom"):
        ping.send(sender=None)

    assert f"Receiver {SIGNALS_MODULE}.fails_loudly failed." in kit_log.text


@override_settings(SIDE_EFFECTS_RAISE_EXCEPTIONS=False)
def test_a_failure_is_logged_and_swallowed_when_the_setting_is_off(
    connect: Connect, kit_log: pytest.LogCaptureFixture
) -> None:
    after: list[dict[str, object]] = []
    connect(ping, make_receiver("fails_quietly", calls=[], error=RuntimeError("boom")))
    connect(ping, make_receiver("runs_after_a_failure", calls=after))

    ping.send(sender=None)

    assert f"Receiver {SIGNALS_MODULE}.fails_quietly failed." in kit_log.text
    assert "RuntimeError: boom" in kit_log.text
    assert len(after) == 1


@pytest.mark.django_db
@override_settings(SIDE_EFFECTS_RAISE_EXCEPTIONS=True)
def test_an_on_commit_failure_reaches_the_committing_code_when_the_setting_is_on(
    connect: Connect,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    kit_log: pytest.LogCaptureFixture,
) -> None:
    connect(
        ping,
        make_receiver("fails_after_commit", calls=[], error=RuntimeError("boom")),
        on_commit=True,
    )

    with (
        pytest.raises(RuntimeError, match="boom"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        ping.send(sender=None)

    assert f"Receiver {SIGNALS_MODULE}.fails_after_commit failed." in kit_log.text


@pytest.mark.django_db
@override_settings(SIDE_EFFECTS_RAISE_EXCEPTIONS=False)
def test_an_on_commit_failure_is_logged_and_swallowed_when_the_setting_is_off(
    connect: Connect,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    kit_log: pytest.LogCaptureFixture,
) -> None:
    after: list[dict[str, object]] = []
    connect(
        ping,
        make_receiver("fails_quietly_after_commit", calls=[], error=RuntimeError("boom")),
        on_commit=True,
    )
    connect(ping, make_receiver("runs_after_that_failure", calls=after), on_commit=True)

    with django_capture_on_commit_callbacks(execute=True):
        ping.send(sender=None)

    assert f"Receiver {SIGNALS_MODULE}.fails_quietly_after_commit failed." in kit_log.text
    assert len(after) == 1


def test_an_async_receiver_runs_for_send_and_asend(connect: Connect) -> None:
    calls: list[dict[str, object]] = []
    connect(ping, make_async_receiver("async_receiver", calls=calls))

    ping.send(sender="sync")
    async_to_sync(ping.asend)(sender="async")
    ping.send(sender="fixture", raw=True)

    assert [call["sender"] for call in calls] == ["sync", "async"]


@override_settings(SIDE_EFFECTS_RAISE_EXCEPTIONS=False)
def test_an_async_receiver_failure_is_logged_and_swallowed_when_the_setting_is_off(
    connect: Connect, kit_log: pytest.LogCaptureFixture
) -> None:
    connect(ping, make_async_receiver("async_fails", calls=[], error=RuntimeError("boom")))

    async_to_sync(ping.asend)(sender=None)

    assert f"Receiver {SIGNALS_MODULE}.async_fails failed." in kit_log.text


@pytest.mark.django_db
def test_an_async_receiver_on_commit_waits_for_the_commit(
    connect: Connect, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    calls: list[dict[str, object]] = []
    connect(ping, make_async_receiver("async_after_commit", calls=calls), on_commit=True)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        ping.send(sender=None)
        assert calls == []

    assert len(calls) == 1


def test_the_budget_defaults_to_the_setting(connect: Connect) -> None:
    with override_settings(SIDE_EFFECTS_DEFAULT_MAX_QUERIES=3):
        connect(ping, make_receiver("default_budget", calls=[]))
    connect(ping, make_receiver("own_budget", calls=[]), max_queries=0)

    budgets = {
        registration.path.rpartition(".")[2]: registration.max_queries
        for registration in registrations()
    }

    assert budgets["default_budget"] == 3
    assert budgets["own_budget"] == 0


def test_registers_the_receiver_with_its_docstring_and_promises(connect: Connect) -> None:
    receiver = make_receiver("registered", calls=[], doc="Say what it does.\n\nThen details.")
    connect([ping, pong], receiver, sender=str, on_commit=True, max_queries=2)

    [registration] = [each for each in registrations() if each.func is receiver]

    assert registration.path == f"{SIGNALS_MODULE}.registered"
    assert registration.summary == "Say what it does."
    assert registration.signals == (ping, pong)
    assert (registration.sender, registration.on_commit, registration.max_queries) == (str, True, 2)


def test_refuses_what_it_cannot_connect_by_a_stable_path() -> None:
    def nested(sender: object, **kwargs: object) -> None:
        """Defined inside a function: no stable dotted path."""

    def no_kwargs(sender: object) -> None:
        """Cannot take the arguments signals add."""

    no_kwargs.__qualname__ = "no_kwargs"

    with pytest.raises(TypeError, match="module-level functions"):
        side_effect(ping)(nested)
    with pytest.raises(TypeError, match=r"must accept \*\*kwargs"):
        side_effect(ping)(no_kwargs)
    with pytest.raises(TypeError, match="a Signal or a list of Signals"):
        side_effect("post_save")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_queries"):
        side_effect(ping, max_queries=-1)(make_receiver("negative_budget", calls=[]))


def _writes_then_fails(name: str) -> Receiver:
    """A receiver that writes a row and then runs a failing SQL statement."""

    def receiver(sender: object, **kwargs: object) -> None:
        Group.objects.create(name=f"written by {name}")
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    receiver.__name__ = receiver.__qualname__ = name
    receiver.__module__, receiver.__doc__ = SIGNALS_MODULE, DOCSTRING
    return receiver


@pytest.mark.django_db(transaction=True)
@override_settings(SIDE_EFFECTS_RAISE_EXCEPTIONS=False)
def test_a_receiver_sql_error_is_undone_alone_and_the_caller_commits(
    connect: Connect, kit_log: pytest.LogCaptureFixture
) -> None:
    connect(ping, _writes_then_fails("fails_in_sql"), max_queries=2, writes=(Group,))

    existing = set(Group.objects.values_list("name", flat=True))  # e.g. from post_migrate
    with transaction.atomic():
        Group.objects.create(name="the caller's write")
        ping.send(sender=None)
        Group.objects.create(name="written after the failure")  # the transaction still works

    assert set(Group.objects.values_list("name", flat=True)) - existing == {
        "the caller's write",
        "written after the failure",
    }
    assert f"Receiver {SIGNALS_MODULE}.fails_in_sql failed." in kit_log.text


@pytest.mark.django_db
def test_a_receiver_without_queries_runs_without_a_savepoint(connect: Connect) -> None:
    connect(ping, make_receiver("queries_nothing", calls=[]), max_queries=0)
    connect(pong, make_receiver("may_query", calls=[]), max_queries=1)

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        ping.send(sender=None)
    assert queries.captured_queries == []

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        pong.send(sender=None)
    assert [query["sql"].split()[0] for query in queries.captured_queries] == [
        "SAVEPOINT",
        "RELEASE",
    ]
