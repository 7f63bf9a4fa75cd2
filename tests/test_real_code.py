"""The receiver kit on real code: wagtail installed, plus an app with every receiver shape.

A team adopting the kit has third-party apps with dozens of receivers and old code that connects
receivers every way Django allows. Here a baked project gets wagtail (about 50 signals and 90
receivers) and its ``check``, ``signalmap --all`` (every format) and ``pytest`` pass; the kit's
count of receivers is compared with an independent scan of every ``Signal`` in memory. Then an
app with every receiver shape (methods, partials, callable objects, classmethods, lambdas,
closures, lazy and value senders, async receivers, a signal held on a class, a module that
cannot be imported, a ``testing`` package) is added: the checks report each receiver once and
never crash, and the map still renders and counts everything.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import PACKAGE, output_of, run_gate, run_in_project

pytestmark = pytest.mark.slow

WAGTAIL_SETTINGS = """

# Wagtail, installed for the kit's real-code test.
INSTALLED_APPS += [
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
]
MIDDLEWARE += ["wagtail.contrib.redirects.middleware.RedirectMiddleware"]
WAGTAIL_SITE_NAME = "Acme Shop"
WAGTAILADMIN_BASE_URL = "http://localhost"
"""

# Counts receivers without the kit: every Signal object in memory (never evaluating lazy
# objects), every live receiver whose sender is alive. Run after the kit loaded the project.
INDEPENDENT_COUNT = """
import gc, io, json, os, weakref
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django.setup()
from django.core.management import call_command
from django.dispatch import Signal

out = io.StringIO()
call_command("signalmap", "--all", "--format", "json", stdout=out)
kit = len(json.loads(out.getvalue())["receivers"])
independent = 0
for signal in [each for each in gc.get_objects() if issubclass(type(each), Signal)]:
    for _, receiver, sender_ref, _ in signal.receivers:
        live = receiver() if isinstance(receiver, weakref.ReferenceType) else receiver
        if live is not None and (sender_ref is None or sender_ref() is not None):
            independent += 1
print(json.dumps({"kit": kit, "independent": independent}))
"""

EXOTIC_APPS = '''"""Every way old code connects receivers."""

from django.apps import AppConfig


class ExoticConfig(AppConfig):
    """Connects the shapes."""

    name = "acme_shop.exotic"

    def ready(self) -> None:
        """Import the receivers."""
        from . import signals  # noqa: F401
'''

EXOTIC_EVENTS = '''"""Signals held every way."""

from django.dispatch import Signal

order_placed = Signal()
HOOKS = {"paid": Signal()}


class Events:
    """Signals on a class."""

    shipped = Signal()
'''

EXOTIC_SIGNALS = '''"""Receivers of every shape."""

import functools

from django.apps import apps
from django.contrib.auth.models import Group
from django.db.models.signals import post_migrate, post_save

from acme_shop.side_effects import side_effect

from .events import HOOKS, Events, order_placed


class Notifier:
    """Methods, class methods and callable instances."""

    def __init__(self, channel):
        self.channel = channel

    def __repr__(self):
        return f"<Notifier {self.channel}>"

    def notify(self, sender, **kwargs):
        """Notify."""

    @classmethod
    def notify_all(cls, sender, **kwargs):
        """Notify everyone."""

    def __call__(self, sender, **kwargs):
        """Be called."""


def handle(sender, tag, **kwargs):
    """Handle with a tag."""


def make_closure(name):
    def closure(sender, **kwargs):
        """A closure."""

    return closure


async def handle_async(sender, **kwargs):
    """Handle asynchronously."""


EMAIL, SMS = Notifier("email"), Notifier("sms")
CLOSURES = [make_closure("a"), make_closure("b")]
post_save.connect(EMAIL.notify, sender=Group, weak=False)
post_save.connect(SMS.notify, sender=Group, weak=False)
post_save.connect(Notifier.notify_all, sender="auth.User", weak=False)
post_save.connect(EMAIL, sender=Group, weak=False)
post_save.connect(functools.partial(handle, tag="x"), sender=Group, weak=False)
order_placed.connect(lambda sender, **kwargs: None, weak=False)
order_placed.connect(lambda sender, **kwargs: "other", weak=False)
for each in CLOSURES:
    order_placed.connect(each, weak=False)
order_placed.connect(handle_async, weak=False)
HOOKS["paid"].connect(EMAIL.notify, weak=False)
Events.shipped.connect(SMS.notify, weak=False)


@side_effect(order_placed, sender="billing", max_queries=0)
def from_billing(sender, **kwargs):
    """A string sender on a plain signal."""


@side_effect(order_placed, sender=42, max_queries=0)
def from_forty_two(sender, **kwargs):
    """A number sender on a plain signal."""


def create_revision():
    """A function the signal is sent with, as django-reversion sends its own."""


@side_effect(order_placed, sender=create_revision, max_queries=0)
def on_revision(sender, **kwargs):
    """A function sender."""


def audit(sender, **kwargs):
    """One receiver on many models (a fan-in)."""


for model in sorted(apps.get_models(), key=lambda model: model._meta.label)[:6]:
    post_save.connect(audit, sender=model, weak=False)


def migrated(sender, **kwargs):
    """Connected only while migrate runs."""


def wire_on_migrate(sender, **kwargs):
    """Connect a receiver once the tables exist (seen only by migrate)."""
    order_placed.connect(migrated, weak=False)


post_migrate.connect(wire_on_migrate, weak=False)
'''

# A module Django never imports that connects receivers with an optional package not installed.
EXOTIC_OPTIONAL = (
    "import jinja2_extension_not_installed\n"
    "from django.db.models.signals import post_save\n\n"
    "post_save.connect(jinja2_extension_not_installed.refresh)\n"
)
# A test-helper package: importing it would raise.
EXOTIC_TESTING = 'raise RuntimeError("the kit imported a testing package")\n'


def counts(project: Path) -> dict[str, int]:
    """The kit's number of receivers and the independent one, in the project's process."""
    (project / "count_receivers.py").write_text(INDEPENDENT_COUNT)
    result = run_in_project(project, sys.executable, "count_receivers.py")
    assert result.returncode == 0, output_of(result)
    return json.loads(result.stdout.splitlines()[-1])


def signalmap_in_every_format(project: Path) -> list[str]:
    """``signalmap --all`` as text, Markdown and JSON; each must exit 0."""
    outputs = []
    for output_format in ("text", "markdown", "json"):
        result = run_in_project(
            project, sys.executable, "manage.py", "signalmap", "--all", "--format", output_format
        )
        assert result.returncode == 0, output_of(result)
        outputs.append(output_of(result))
    return outputs


def add_exotic_app(project: Path) -> None:
    """The app with every receiver shape, installed."""
    app = project / PACKAGE / "exotic"
    (app / "testing").mkdir(parents=True)
    (app / "__init__.py").write_text('"""Every receiver shape."""\n')
    (app / "apps.py").write_text(EXOTIC_APPS)
    (app / "events.py").write_text(EXOTIC_EVENTS)
    (app / "signals.py").write_text(EXOTIC_SIGNALS)
    (app / "jinja2tags.py").write_text(EXOTIC_OPTIONAL)
    (app / "testing" / "__init__.py").write_text(EXOTIC_TESTING)
    settings = project / "config" / "settings" / "base.py"
    settings.write_text(settings.read_text() + f'\nINSTALLED_APPS += ["{PACKAGE}.exotic"]\n')


def test_wagtail_and_every_receiver_shape(bake: Callable[..., Path]) -> None:
    project = bake()
    settings = project / "config" / "settings" / "base.py"
    settings.write_text(settings.read_text() + WAGTAIL_SETTINGS)

    check = run_in_project(project, sys.executable, "manage.py", "check", "--fail-level", "WARNING")
    assert check.returncode == 0, output_of(check)
    text, _, _ = signalmap_in_every_format(project)
    assert "wagtail.signals.post_page_move  (sender: any)" in text
    wagtail = counts(project)
    assert wagtail["kit"] == wagtail["independent"] > 80, wagtail
    gate = run_gate(project, "-q", "--no-migrations")
    assert gate.returncode == 0, output_of(gate)

    add_exotic_app(project)

    check = run_in_project(project, sys.executable, "manage.py", "check", "--tag", "signals")
    output = output_of(check)
    assert check.returncode != 0, output
    assert "Traceback" not in output, output
    assert "the kit imported a testing package" not in output
    assert (
        f"{PACKAGE}.exotic.jinja2tags: (side_effects.W004) {PACKAGE}.exotic.jinja2tags cannot "
        "be imported (ModuleNotFoundError: No module named 'jinja2_extension_not_installed')"
    ) in output
    errors = [line for line in output.splitlines() if "(side_effects.E002)" in line]
    receivers = [line.partition(": (side_effects")[0] for line in errors]
    assert len(receivers) == len(set(receivers)) == 12, errors
    assert f"{PACKAGE}.exotic.signals.Notifier.notify of <Notifier email>" in receivers
    assert "Connect a module-level function in the app's signals.py" in output
    assert f"{PACKAGE}.exotic.signals.from_billing: (side_effects.E003)" in output
    assert f"{PACKAGE}.exotic.signals.from_forty_two: (side_effects.E003)" in output

    text, markdown, _ = signalmap_in_every_format(project)
    assert f"{PACKAGE}.exotic.events.order_placed  (sender: 'billing')" in text
    assert f"{PACKAGE}.exotic.events.order_placed  (sender: 42)" in text
    assert f"{PACKAGE}.exotic.events.Events.shipped  (sender: any)" in text
    assert "warning: acme_shop.exotic.jinja2tags cannot be imported" in text
    assert "#lt;Notifier email#gt;" in markdown
    assert (
        f"{PACKAGE}.exotic.events.order_placed  (sender: {PACKAGE}.exotic.signals.create_revision)"
    ) in text
    assert "post_save  (sender: 6 models, listed by --format json)\n" in text
    assert '(["post_save from 6 models"])' in markdown
    assert f"{PACKAGE}.exotic.signals.migrated  [not connected with @side_effect]" in text
    everything = counts(project)
    # The shapes' 14, a function sender's, 6 of the fan-in, the migrate receiver and its own.
    assert everything["kit"] == everything["independent"] == wagtail["kit"] + 23, everything
