"""How the gate grows with the number of apps: N apps made by the project's own ``startapp``.

Run by hand, not in CI: ``uv run python benchmarks/bench_scale.py [--apps 1 100 200]``.
For each N it bakes a project (without the example app), creates N apps with
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

from tests.conftest import bake_project, output_of, run_in_project

PACKAGE = "acme_shop"
RECEIVER = '''
from django.contrib.auth.models import Group  # noqa: E402
from django.db.models.signals import post_save  # noqa: E402

from {package}.side_effects import side_effect  # noqa: E402


@side_effect(post_save, sender=Group, max_queries=0)
def note_group_saved(sender: type[Group], **kwargs: object) -> None:
    """Note that a group was saved."""
'''


def run(project: Path, *command: str) -> None:
    """Run a command in the project; stop the benchmark if it fails."""
    result = run_in_project(project, *command, timeout=1800)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed in {project}:\n{output_of(result)}")


def project_with_apps(count: int, scratch: Path) -> Path:
    """A baked project with ``count`` startapp apps, each with one receiver, installed."""
    project = bake_project(scratch / f"apps-{count}", include_example_app=False)
    names = [f"app{number:03d}" for number in range(count)]
    for name in names:
        run(project, sys.executable, "manage.py", "startapp", name)
        signals = project / PACKAGE / name / "signals.py"
        signals.write_text(signals.read_text() + RECEIVER.format(package=PACKAGE))
    settings = project / "config" / "settings" / "base.py"
    listed = "".join(f'    "{PACKAGE}.{name}",\n' for name in names)
    settings.write_text(f"{settings.read_text()}\nINSTALLED_APPS += [\n{listed}]\n")
    result = run_in_project(
        project, sys.executable, "manage.py", "signalmap", "--format", "markdown"
    )
    (project / "docs" / "signals.md").write_text(result.stdout)
    return project


def best_seconds(project: Path, command: tuple[str, ...], repeat: int) -> float:
    """Best wall time of ``command`` over ``repeat`` runs, after a warm-up run."""
    run(project, *command)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run(project, *command)
        timings.append(time.perf_counter() - started)
    return min(timings)


COMMANDS = {
    "check": (sys.executable, "manage.py", "check", "--fail-level", "WARNING"),
    "signalmap --check": (sys.executable, "manage.py", "signalmap", "--check", "docs/signals.md"),
    "lint-imports": ("lint-imports", "--no-cache"),
    "pytest (gate)": (sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"),
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
            project = project_with_apps(count, Path(scratch))
            results[count] = {
                name: best_seconds(project, command, arguments.repeat)
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
