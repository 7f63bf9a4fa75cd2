"""``manage.py signalmap``: every format, deterministic, ``--all`` and ``--check``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models.signals import post_migrate, post_save
from django.dispatch import Signal
from django.test import override_settings

from .receivers import SIGNALS_MODULE, Connect, ConnectPlainly, make_receiver

order_placed = Signal()
SIGNAL = f"{__name__}.order_placed"


@pytest.fixture
def placed(connect: Connect) -> None:
    """Two receivers of ``order_placed``: one immediate, one after commit."""
    connect(
        order_placed,
        make_receiver("count_order", calls=[], doc="Count the order | for the dashboard."),
        sender=Group,
        max_queries=0,
    )
    connect(
        order_placed,
        make_receiver("queue_receipt", calls=[], doc="Queue the receipt e-mail."),
        sender=Group,
        on_commit=True,
        max_queries=1,
        max_seconds=0.5,
        writes=(Group,),
    )


def signalmap(*arguments: str) -> str:
    """What ``manage.py signalmap`` prints."""
    out = StringIO()
    call_command("signalmap", *arguments, stdout=out)
    return out.getvalue()


@pytest.mark.usefixtures("placed")
def test_text_groups_receivers_under_their_signal_and_sender() -> None:
    output = signalmap()

    assert (
        f"{SIGNAL}  (sender: auth.Group)\n"
        f"  {SIGNALS_MODULE}.count_order  [max_queries=0, max_seconds=0.25]\n"
        "      Count the order | for the dashboard.\n"
        f"  {SIGNALS_MODULE}.queue_receipt  "
        "[on commit, max_queries=1, max_seconds=0.5, writes auth.Group]\n"
        "      Queue the receipt e-mail.\n"
    ) in output


@pytest.mark.usefixtures("placed")
def test_markdown_has_a_table_and_a_mermaid_flowchart() -> None:
    output = signalmap("--format", "markdown")

    assert output.startswith("# Signal map\n")
    assert "python manage.py signalmap --format markdown > docs/signals.md" in output
    assert (
        f"| `{SIGNAL}` | `auth.Group` | `{SIGNALS_MODULE}.count_order` "
        "| Count the order \\| for the dashboard. | no | 0 | 0.25 | - |"
    ) in output
    assert (
        f"| `{SIGNAL}` | `auth.Group` | `{SIGNALS_MODULE}.queue_receipt` "
        "| Queue the receipt e-mail. | yes | 1 | 0.5 | `auth.Group` |"
    ) in output
    assert "```mermaid\nflowchart LR\n" in output
    assert '(["order_placed from auth.Group"])' in output
    assert '["side_effects.signals.queue_receipt"]' in output
    assert "-->|on commit|" in output


@pytest.mark.usefixtures("placed")
def test_json_lists_one_object_per_receiver() -> None:
    document = json.loads(signalmap("--format", "json"))
    rows = [row for row in document["receivers"] if row["signal"] == SIGNAL]

    assert rows == [
        {
            "signal": SIGNAL,
            "sender": "auth.Group",
            "receiver": f"{SIGNALS_MODULE}.count_order",
            "summary": "Count the order | for the dashboard.",
            "side_effect": True,
            "on_commit": False,
            "max_queries": 0,
            "max_seconds": 0.25,
            "writes": [],
            "app": "side_effects",
        },
        {
            "signal": SIGNAL,
            "sender": "auth.Group",
            "receiver": f"{SIGNALS_MODULE}.queue_receipt",
            "summary": "Queue the receipt e-mail.",
            "side_effect": True,
            "on_commit": True,
            "max_queries": 1,
            "max_seconds": 0.5,
            "writes": ["auth.Group"],
            "app": "side_effects",
        },
    ]


@pytest.mark.usefixtures("placed")
def test_output_is_deterministic() -> None:
    for output_format in ("text", "markdown", "json"):
        first = signalmap("--format", output_format, "--all")

        assert signalmap("--format", output_format, "--all") == first
        assert " at 0x" not in first


def test_all_adds_the_receivers_of_django_and_third_parties() -> None:
    assert "django.db.close_old_connections" not in signalmap()
    assert "django.db.close_old_connections  [not connected with @side_effect]" in signalmap(
        "--all"
    )


@pytest.mark.usefixtures("placed")
def test_check_passes_when_the_file_is_fresh(tmp_path: Path) -> None:
    fresh = tmp_path / "signals.md"
    fresh.write_text(signalmap("--format", "markdown"))

    assert "is up to date" in signalmap("--check", str(fresh))


def test_check_fails_with_a_diff_and_the_command_that_fixes_it(
    tmp_path: Path, connect: Connect
) -> None:
    stale = tmp_path / "signals.md"
    stale.write_text(signalmap("--format", "markdown"))
    connect(order_placed, make_receiver("added_later", calls=[]), sender=Group)

    with pytest.raises(CommandError) as failure:
        signalmap("--check", str(stale))

    message = str(failure.value)
    assert "is out of date with the receivers in the code" in message
    assert f"+| `{SIGNAL}` | `auth.Group` | `{SIGNALS_MODULE}.added_later`" in message
    assert message.endswith(f"python manage.py signalmap --format markdown > {stale}")


class Events:
    """Signals held on a class."""

    shipped = Signal()


HOOKS = {"paid": Signal()}


def test_signals_held_on_a_class_or_in_a_dict_are_found(connect: Connect) -> None:
    connect(Events.shipped, make_receiver("on_shipped", calls=[]))
    connect(HOOKS["paid"], make_receiver("on_paid", calls=[]))

    output = signalmap()

    assert f"{__name__}.Events.shipped  (sender: any)\n  {SIGNALS_MODULE}.on_shipped" in output
    assert f"{__name__}.HOOKS['paid']  (sender: any)\n  {SIGNALS_MODULE}.on_paid" in output


def test_a_signal_held_by_an_object_is_found_and_named_after_its_receiver(
    connect: Connect,
) -> None:
    holder = SimpleNamespace(changed=Signal())
    connect(holder.changed, make_receiver("on_changed", calls=[]))

    output = signalmap()

    assert f"<signal of {SIGNALS_MODULE}.on_changed>  (sender: any)\n" in output


def test_a_signal_moved_since_the_last_map_is_named_where_it_is_now(
    connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    this_module = sys.modules[__name__]
    signal = Signal()
    monkeypatch.setattr(this_module, "refunded", signal, raising=False)
    connect(signal, make_receiver("on_refund", calls=[]))
    assert f"{__name__}.refunded  (sender: any)" in signalmap()

    monkeypatch.delattr(this_module, "refunded")
    monkeypatch.setattr(this_module, "refund_issued", signal, raising=False)
    output = signalmap()

    assert f"{__name__}.refund_issued  (sender: any)\n  {SIGNALS_MODULE}.on_refund" in output
    assert f"{__name__}.refunded " not in output


def test_string_and_number_senders_are_shown_as_written(connect: Connect) -> None:
    connect(order_placed, make_receiver("from_billing", calls=[]), sender="billing")
    connect(order_placed, make_receiver("from_42", calls=[]), sender=42)

    output = signalmap()

    assert f"{SIGNAL}  (sender: 'billing')\n  {SIGNALS_MODULE}.from_billing" in output
    assert f"{SIGNAL}  (sender: 42)\n  {SIGNALS_MODULE}.from_42" in output


class Notifier:
    """A class whose instances' methods are receivers."""

    def __init__(self, channel: str | None = None) -> None:
        self.channel = channel

    def __repr__(self) -> str:
        return f"<Notifier {self.channel}>" if self.channel else super().__repr__()

    def notify(self, sender: object, **kwargs: object) -> None:
        """Notify the channel."""


def test_each_receiver_instance_is_told_apart(connect_plainly: ConnectPlainly) -> None:
    for receiver in (Notifier("email").notify, Notifier("sms").notify):
        connect_plainly(order_placed, receiver)
    for receiver in (Notifier().notify, Notifier().notify):
        connect_plainly(Events.shipped, receiver)

    output = signalmap("--all")

    assert f"{__name__}.Notifier.notify of <Notifier email>  [not connected" in output
    assert f"{__name__}.Notifier.notify of <Notifier sms>  [not connected" in output
    assert f"{__name__}.Notifier.notify (1)  [not connected" in output
    assert f"{__name__}.Notifier.notify (2)  [not connected" in output
    assert " at 0x" not in output


def test_distinct_lambdas_stay_distinct_and_labels_are_escaped(
    connect_plainly: ConnectPlainly,
) -> None:
    connect_plainly(order_placed, lambda **kwargs: None)
    connect_plainly(order_placed, lambda **kwargs: "another")
    connect_plainly(order_placed, Notifier("email").notify)

    output = signalmap("--format", "markdown", "--all")

    lines = output.splitlines()
    lambdas = [line for line in lines if line.startswith("    R") and "lambda" in line]
    assert len(lambdas) == 2, lambdas
    assert all("#lt;lambda#gt;:" in line for line in lambdas)
    assert '.notify of #lt;Notifier email#gt;"]' in output
    assert ".<locals>.<lambda>:" in output  # as written in the table's code spans


def test_a_map_past_300_receivers_stays_in_charts_github_renders(connect: Connect) -> None:
    for number in range(320):
        signal = (order_placed, Events.shipped, HOOKS["paid"], ping_for_scale)[number % 4]
        connect(signal, make_receiver(f"receiver_{number:03d}", calls=[]), sender=Group)

    output = signalmap("--format", "markdown")

    charts = output.split("```mermaid\n")[1:]
    edges = [chart.split("```")[0].count("-->") for chart in charts]
    assert len(charts) >= 3, edges
    assert max(edges) < 500, edges
    assert sum(edges) > 320, edges  # one edge per receiver, plus one per action


ping_for_scale = Signal()


def create_revision() -> None:
    """A function that signals are sent with as their sender (django-reversion's style)."""


def test_a_function_sender_is_labelled_by_its_dotted_path(connect: Connect) -> None:
    connect(order_placed, make_receiver("on_revision", calls=[]), sender=create_revision)

    output = signalmap()

    assert f"{SIGNAL}  (sender: {__name__}.create_revision)\n" in output
    assert "builtins.function" not in output


def audit_change(sender: object, **kwargs: object) -> None:
    """Write an audit line for any of the models."""


# Judged as if defined in a signals module: the map lists only the project's receivers.
audit_change.__module__ = SIGNALS_MODULE
MANY_MODELS = 6  # more than the map's FAN_IN


def listen_to_models(connect_plainly: ConnectPlainly, count: int) -> list[str]:
    """Connect :func:`audit_change` to ``post_save`` of ``count`` models; their labels."""
    models = sorted(apps.get_models(), key=lambda model: model._meta.label)[:count]
    if len(models) < count:  # a project that adopted the kit may have few models
        pytest.skip(f"needs {count} installed models, the project has {len(models)}")
    for model in models:
        connect_plainly(post_save, audit_change, sender=model)
    return [model._meta.label for model in models]


def test_one_receiver_of_many_senders_is_one_row_and_one_edge(
    connect_plainly: ConnectPlainly,
) -> None:
    labels = listen_to_models(connect_plainly, MANY_MODELS)

    text = signalmap()
    markdown = signalmap("--format", "markdown")
    document = json.loads(signalmap("--format", "json"))

    receiver = f"{SIGNALS_MODULE}.audit_change"
    header = f"post_save  (sender: {MANY_MODELS} models, listed by --format json)\n"
    block = text.partition(header)[2].partition("\ndjango.")[0]  # a project's may be beside it
    assert f"  {receiver}  [not connected with @side_effect]" in block
    assert labels[0] not in text
    assert f"| `{MANY_MODELS} models` | `{receiver}` |" in markdown
    assert f'(["post_save from {MANY_MODELS} models"])' in markdown
    assert f'["one of {MANY_MODELS} models.save()"]' in markdown
    chart = markdown.split("## side_effects\n")[1]
    assert chart.count(" --> ") == 2, chart
    json_senders = [row["sender"] for row in document["receivers"] if row["receiver"] == receiver]
    assert json_senders == labels


def test_a_receiver_of_a_few_senders_keeps_a_row_per_sender(
    connect_plainly: ConnectPlainly,
) -> None:
    labels = listen_to_models(connect_plainly, MANY_MODELS - 1)

    text = signalmap()

    # A project's own receivers of these senders may be listed beside it.
    assert all(f"post_save  (sender: {label})\n" in text for label in labels)
    assert text.count(f"  {SIGNALS_MODULE}.audit_change  ") == len(labels)
    assert " models, listed by" not in text


def note_the_migration(sender: object, **kwargs: object) -> None:
    """Connected only while migrate runs."""


def connect_while_migrating(sender: object, **kwargs: object) -> None:
    """A post_migrate receiver that tries the database, then connects another receiver."""
    Group.objects.create(name="made while mapping")
    order_placed.connect(note_the_migration, weak=False)


def connect_first(sender: object, **kwargs: object) -> None:
    """A post_migrate receiver that connects another receiver before anything else."""
    order_placed.connect(note_the_migration, weak=False)


@pytest.fixture
def migrating_connects(connect_plainly: ConnectPlainly) -> Iterator[None]:
    """A post_migrate receiver that connects one to ``order_placed`` (disconnected after)."""
    connect_plainly(post_migrate, connect_first)
    connect_plainly(post_migrate, connect_while_migrating)
    yield
    order_placed.disconnect(note_the_migration)


@pytest.mark.django_db
@pytest.mark.usefixtures("migrating_connects")
def test_all_shows_what_only_migrate_connects_without_touching_the_database() -> None:
    connected = [receiver for _, receiver, _, _ in order_placed.receivers]
    assert note_the_migration not in connected  # the post_migrate receivers have not run
    groups = Group.objects.count()

    output = signalmap("--all")

    assert f"{SIGNAL}  (sender: any)\n  {__name__}.note_the_migration  [not connected" in output
    assert Group.objects.count() == groups


def test_all_imports_the_migration_modules_migrate_imports(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = "django.contrib.auth.migrations.0001_initial"  # the kit's tests need auth
    monkeypatch.delitem(sys.modules, module, raising=False)

    with override_settings(MIGRATION_MODULES={}):  # the apps' own, even with --no-migrations
        signalmap("--all")

    assert module in sys.modules
