"""``startapp`` with the project's layout and a ruff-formatting ``makemigrations``."""
