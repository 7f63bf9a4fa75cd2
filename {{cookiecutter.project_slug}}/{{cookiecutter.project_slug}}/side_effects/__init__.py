"""The project's receiver kit: connect every receiver with ``@side_effect``.

``from <project>.side_effects import side_effect`` is all an app needs. The kit is laid out by
when its code runs (an import contract keeps each layer from importing the ones above it):

- ``runtime/``: what production imports. ``decorator`` (``@side_effect``), ``wrappers`` (what
  runs when a signal arrives), ``observers`` (who watches receiver calls: the guards, the
  trace, the spans), ``telemetry`` (OpenTelemetry spans, when the deployment has an SDK),
  ``registry``, ``conf`` (the ``SIDE_EFFECTS_*`` settings and their defaults), ``naming``.
- ``inspection/``: ``manage.py check`` (``checks/``) and ``manage.py signalmap``
  (``signal_map/``), built on ``scope`` (which code is the project's), ``loading``,
  ``signal_names``, ``connections``, ``senders`` and ``receiver_source`` (what a receiver's
  code does, read before it runs).
- ``tracing/``: development only (the local settings install it): the cascade of receivers
  each request, command and task set off, logged as a tree and shown in django-debug-toolbar.
- ``testing/``: the pytest plugin (``pytest_plugin``, which loads its parts: ``pytest_end_of_run``,
  ``pytest_trace``, ``pytest_durations``, ``pytest_spans``), Django's ``django_runner`` (with
  ``django_parallel`` for ``--parallel``'s workers), what both share (``session``, and
  ``traces`` for ``--side-effects-trace``), the runtime guards (``guards/``, one rule per
  module) and ``advice``, what the guards and the contracts tell the developer to do instead.
{%- if cookiecutter.get("_adopted") %}

The template django-signals-template owns this package, added to the project by its ``adopt``
command (see its README): bring a newer kit in by running that command again with ``-f``; a
local edit here is overwritten then. The project's own apps, settings and tests are the team's.
{%- else %}
- ``scaffolding/``: ``manage.py startapp`` and ``makemigrations``, and the app template.

The template owns this package and ``<project>/background/``: change them in the template and
bring the change in with ``cruft update``; a local edit here shows in ``cruft diff`` and may
conflict with the next update. The project's own apps, settings and tests are the team's.
{%- endif %}
"""

from .runtime.decorator import side_effect

__all__ = ["side_effect"]
