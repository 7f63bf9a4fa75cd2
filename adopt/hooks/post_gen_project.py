"""Finish the kit in an existing project: drop what fits only the template, print the steps.

Runs inside ``<package>/side_effects``. The scaffolding app is removed: its ``startapp``
creates apps in the template's layout (services, selectors, tasks, events, import contracts)
and its ``makemigrations`` formats with ruff, both the template's conventions and not the
project's (a project's own commands would win over them anyway, see the template's
``scaffolding/host.py``). Everything else is the template's kit, rendered for a project that
has its own task queue.
"""

import shutil
from pathlib import Path

PACKAGE = "{{ cookiecutter.package }}"
SETTINGS_MODULE = "{{ cookiecutter.settings_module }}"
KIT = f"{PACKAGE}.side_effects"

# The root above the package, as the settings module sees it: one directory up per dot.
ROOT = f"Path(__file__).resolve().parents[{SETTINGS_MODULE.count('.')}]"

STEPS = f"""\
The receiver kit is in {Path.cwd()}. Next steps:

1. Settings ({SETTINGS_MODULE}):

       from pathlib import Path

       # The receiver checks and manage.py signalmap; where your code lives; your apps stay
       # where they are (no import contracts, no startapp layout).
       INSTALLED_APPS = [*INSTALLED_APPS, "{KIT}.inspection"]
       SIDE_EFFECTS_PROJECT_ROOTS = [{ROOT}]
       SIDE_EFFECTS_TEMPLATE_LAYOUT = False

   The kit needs opentelemetry-api (or SIDE_EFFECTS_OPENTELEMETRY = False) and, for pytest,
   pytest-django. From then on each finding fails manage.py check, and so manage.py test,
   which runs the checks first: fix it, or accept today's findings with the baseline (step 2).

2. Tests, so that every receiver is held to its budget while they run:

       pytest:         conftest.py at the root:
                       pytest_plugins = ["{KIT}.testing.pytest_plugin"]
       manage.py test: TEST_RUNNER = "{KIT}.testing.django_runner.GuardedTestRunner"

   Adopting gradually: SIDE_EFFECTS_BASELINE (a file of the findings you accept for now: only
   new ones fail) and SIDE_EFFECTS_REPORT_ONLY = True (report, never fail).

3. The first report:

       python manage.py check --tag signals
       python manage.py signalmap

   Then connect receivers with `from {KIT} import side_effect` in each app's signals.py.
"""


def main() -> None:
    """Remove the scaffolding app and print what to do next."""
    shutil.rmtree(Path("scaffolding"))
    print(STEPS)


if __name__ == "__main__":
    main()
