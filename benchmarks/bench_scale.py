"""How the gate grows with the number of apps: N apps made by the project's own ``startapp``.

Run by hand, not in CI: ``uv run python benchmarks/bench_scale.py [--apps 1 100 200]``.
For each N it bakes a project (without the example app), installs it into its own
environment (``uv sync``, see ``project_environment.py``), creates N apps with
``python manage.py startapp``, each with one documented receiver, installs them, regenerates
the signal map, and prints the warm wall time (best of ``--repeat`` runs, after one warm-up) of
``manage.py check``, ``manage.py signalmap --check docs/signals.md``, ``lint-imports`` and
the whole gate (``pytest``), with each time's ratio to the first N side by side.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.project_environment import own_environment, run_checked
from tests.helpers import bake_project

PACKAGE = "acme_shop"
RECEIVER = '''
from django.contrib.auth.models import Group  # noqa: E402
from django.db.models.signals import post_save  # noqa: E402

from {package}.side_effects import side_effect  # noqa: E402


@side_effect(post_save, sender=Group, max_queries=0)
def note_group_saved(sender: type[Group], **kwargs: object) -> None:
    """Note that a group was saved."""
'''


def project_with_apps(count: int, scratch: Path) -> tuple[Path, dict[str, str]]:
    """A baked project with ``count`` startapp apps, each with one receiver, installed; its env."""
    project = bake_project(scratch / f"apps-{count}", include_example_app=False)
    env = own_environment(project)
    names = [f"app{number:03d}" for number in range(count)]
    for name in names:
        run_checked(project, env, "python", "manage.py", "startapp", name)
        signals = project / PACKAGE / name / "signals.py"
        signals.write_text(signals.read_text() + RECEIVER.format(package=PACKAGE))
    settings = project / "config" / "settings" / "base.py"
    listed = "".join(f'    "{PACKAGE}.{name}",\n' for name in names)
    settings.write_text(f"{settings.read_text()}\nINSTALLED_APPS += [\n{listed}]\n")
    signal_map = run_checked(
        project, env, "python", "manage.py", "signalmap", "--format", "markdown"
    )
    (project / "docs" / "signals.md").write_text(signal_map)
    return project, env


def best_seconds(
    project: Path, env: dict[str, str], command: tuple[str, ...], repeat: int
) -> float:
    """Best wall time of ``command`` over ``repeat`` runs, after a warm-up run."""
    run_checked(project, env, *command)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run_checked(project, env, *command)
        timings.append(time.perf_counter() - started)
    return min(timings)


COMMANDS = {
    "check": ("python", "manage.py", "check", "--fail-level", "WARNING"),
    "signalmap --check": ("python", "manage.py", "signalmap", "--check", "docs/signals.md"),
    "lint-imports": ("lint-imports", "--no-cache"),
    "pytest (gate)": ("python", "-m", "pytest", "-q", "-p", "no:cacheprovider"),
}


def main() -> None:
    """Measure every command at every N and print a table of seconds and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, nargs="+", default=[1, 100, 200])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        results = {}
        for count in arguments.apps:
            project, env = project_with_apps(count, Path(scratch))
            results[count] = {
                name: best_seconds(project, env, command, arguments.repeat)
                for name, command in COMMANDS.items()
            }
    first = arguments.apps[0]
    print(f"{'command':<20}" + "".join(f"{f'{count} apps':>20}" for count in arguments.apps))
    for name in COMMANDS:
        cells = [
            f"{results[count][name]:7.2f} s ({results[count][name] / results[first][name]:.2f}x)"
            for count in arguments.apps
        ]
        print(f"{name:<20}" + "".join(f"{cell:>20}" for cell in cells))


if __name__ == "__main__":
    main()
