"""Project-wide pytest configuration: the receiver kit's query-budget plugin is always on."""

pytest_plugins = ["{{ cookiecutter.project_slug }}.side_effects.pytest_plugin"]
