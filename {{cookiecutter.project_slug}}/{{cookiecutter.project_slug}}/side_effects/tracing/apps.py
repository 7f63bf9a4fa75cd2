"""The app of the development trace (local settings only): records receivers, logs commands'."""

from functools import wraps
from typing import Any

from django.apps import AppConfig
from django.core.management.base import BaseCommand

from ..runtime.conf import setting
from ..runtime.observers import observe
from .recorder import TraceRecorder, recording
from .render import log


class TracingConfig(AppConfig):
    """Starts recording receiver calls; with ``SIDE_EFFECTS_TRACE``, logs commands and tasks."""

    name = __package__
    label = "side_effects_tracing"
    verbose_name = "Side effects: development trace"

    def ready(self) -> None:
        """Observe the receiver calls; log each management command's and task's trace."""
        logging_on = bool(setting("SIDE_EFFECTS_TRACE"))
        observe(TraceRecorder(on_work=log if logging_on else lambda trace: None))
        if logging_on:
            _trace_commands()


def _trace_commands() -> None:
    """Record every management command run in this process and log what it fired.

    Django sends no signal when a command starts; wrapping ``BaseCommand.execute`` is the one
    place every command passes through (this app is installed in development only).
    """
    execute = BaseCommand.execute
    if getattr(execute, "side_effects_traced", False):
        return

    @wraps(execute)
    def traced_execute(command: BaseCommand, /, *args: Any, **options: Any) -> Any:
        name = command.__module__.rpartition(".")[2]
        with recording(f"manage.py {name}", on_finish=log):
            return execute(command, *args, **options)

    traced_execute.side_effects_traced = True  # type: ignore[attr-defined]
    BaseCommand.execute = traced_execute  # type: ignore[method-assign,assignment]
