"""Project-wide pytest configuration: the receiver kit's runtime guards are always on."""

pytest_plugins = ["{{ cookiecutter.project_slug }}.side_effects.testing.pytest_plugin"]
