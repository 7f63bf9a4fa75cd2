"""The kit's system checks (tag ``signals``): each project receiver, then each project app.

:func:`check_receivers` gathers what the checks judge; :mod:`.receivers` runs the checks of
one receiver (with :mod:`.placement`, :mod:`.senders` and :mod:`.conversion`),
:mod:`.apps_and_modules` those of an app or a module, each id beside its check;
:mod:`.adoption` applies the baseline and report-only mode to what they find. Django's and
third-party receivers are not judged.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.apps import AppConfig, apps
from django.core import checks

from ..connections import Connection, connections
from ..loading import load_project_modules
from ..scope import is_kit_module, is_project_module, is_test_module
from .adoption import adopted
from .apps_and_modules import check_app, check_project_roots, check_unimportable
from .receivers import check_receiver


def check_receivers(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[checks.CheckMessage]:
    """What the gate shows: the findings, less those the baseline accepts (see :mod:`.adoption`)."""
    return adopted(find_problems(app_configs), whole_project=app_configs is None)


def find_problems(app_configs: Sequence[AppConfig] | None = None) -> list[checks.CheckMessage]:
    """Judge every project receiver, or those of ``app_configs`` when Django passes some."""
    found = connections()
    judged_apps = apps.get_app_configs() if app_configs is None else app_configs
    project_apps = [config for config in judged_apps if _is_project_app(config)]
    messages = [message for config in project_apps for message in check_app(config)]
    if app_configs is None:
        messages += check_project_roots()
        messages += [check_unimportable(problem) for problem in load_project_modules().problems]
    else:
        prefixes = tuple(f"{config.name}." for config in app_configs)
        found = [connection for connection in found if connection.module.startswith(prefixes)]
    by_path: dict[str, list[Connection]] = {}
    for connection in found:
        by_path.setdefault(connection.path, []).append(connection)
    for path, its_connections in sorted(by_path.items()):
        messages += check_receiver(path, its_connections)
    return messages


def _is_project_app(config: AppConfig) -> bool:
    """A project app other than the kit's own (the example apps of its tests aside)."""
    kit = is_kit_module(config.name) and not is_test_module(config.name)
    return not kit and is_project_module(config.name)
