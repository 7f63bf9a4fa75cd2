"""``signalmap``, the project-layout ``startapp`` and a ruff-formatting ``makemigrations``."""
