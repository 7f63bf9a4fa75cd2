"""Wall time of rendering the template and of a baked project's full gate, per option.

Run by hand, not in CI: ``uv run python benchmarks/bench_bake_and_gate.py [--repeat N]``.
Prints the median of N runs for a bake (in-process, cookiecutter's API) and for the baked
project's ``pytest`` (a fresh interpreter in the project's own environment, warm, as a
developer or CI would run it; see ``project_environment.py``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.project_environment import own_environment, run_checked
from tests.helpers import bake_project

OPTIONS = [
    {"background_tasks": "database", "include_example_app": True},
    {"background_tasks": "celery", "include_example_app": True},
    {"background_tasks": "database", "include_example_app": False},
]


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``action`` over ``repeat`` runs."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def measure(answers: dict[str, object], repeat: int, scratch: Path) -> tuple[float, float]:
    """Median seconds of a bake and of the baked project's gate, for one set of answers."""
    bakes = iter(range(repeat))
    bake_time = median_seconds(
        lambda: bake_project(scratch / f"bake-{next(bakes)}", **answers), repeat
    )
    project = bake_project(scratch / "gate", **answers)
    env = own_environment(project)
    gate = ("python", "-m", "pytest", "-q", "-p", "no:cacheprovider")
    run_checked(project, env, *gate)  # the first run writes the bytecode caches
    gate_time = median_seconds(lambda: run_checked(project, env, *gate), repeat)
    return bake_time, gate_time


def main() -> None:
    """Measure each option set and print one line per measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    repeat = parser.parse_args().repeat
    for answers in OPTIONS:
        label = ", ".join(f"{key}={value}" for key, value in answers.items())
        with tempfile.TemporaryDirectory() as scratch:
            bake_time, gate_time = measure(answers, repeat, Path(scratch))
        print(f"{label}: bake {bake_time:.2f} s, gate {gate_time:.2f} s (median of {repeat})")


if __name__ == "__main__":
    main()
