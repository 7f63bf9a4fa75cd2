"""The project's receiver kit: connect every receiver with ``@side_effect``.

``from <project>.side_effects import side_effect`` is all an app needs. The rest of the kit
enforces the rules: system checks (tag ``signals``), ``python manage.py signalmap`` (the map in
``docs/signals.md``), a pytest plugin whose runtime guards (``guards.py``) hold each receiver
to its budgets and keep services, I/O, threads and inline tasks out of it, and a
``python manage.py startapp`` that creates apps with the project's layout.
"""

from .decorator import side_effect

__all__ = ["side_effect"]
