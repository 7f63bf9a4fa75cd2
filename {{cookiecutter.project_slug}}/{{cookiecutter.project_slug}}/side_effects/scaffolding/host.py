"""The kit is a guest: a command the project has of its own wins over the kit's scaffolding.

Django runs the command of the first app in ``INSTALLED_APPS`` that has one of that name, so
the scaffolding app, listed early, would shadow a project's own ``makemigrations`` (one that
refuses to run outside development, say) without a word. Each scaffolding command therefore
looks, when Django imports it, for the app that would provide the command if the kit's were
not there (the first installed app, other than Django's and the kit's, that has it) and, if one
does, *is* that app's command, with a note in its help.
"""

from __future__ import annotations

import os
from importlib import import_module

from django.apps import apps
from django.core.management import find_commands
from django.core.management.base import BaseCommand

from ..runtime.conf import KIT_PACKAGE


def host_app(name: str) -> str | None:
    """The installed app, other than Django's and the kit's, whose command ``name`` Django
    would run if the kit's scaffolding were not installed; ``None`` if there is none."""
    for config in apps.get_app_configs():
        if config.name.partition(".")[0] == "django" or _is_kit(config.name):
            continue
        if name in find_commands(os.path.join(config.path, "management")):
            return config.name
    return None


def yield_to_host(name: str, own: type[BaseCommand]) -> type[BaseCommand]:
    """The project's own command ``name`` if an installed app has one, else ``own``."""
    app = host_app(name)
    if app is None:
        return own
    host: type[BaseCommand] = import_module(f"{app}.management.commands.{name}").Command
    note = f"(The {app} app's own {name}: the receiver kit's scaffolding steps aside for it.)"
    return type(host.__name__, (host,), {"help": f"{host.help} {note}".strip()})


def _is_kit(app: str) -> bool:
    """Whether ``app`` is one of the kit's own apps."""
    return app == KIT_PACKAGE or app.startswith(f"{KIT_PACKAGE}.")
