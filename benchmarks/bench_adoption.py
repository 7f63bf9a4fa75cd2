"""What the adopted kit costs a real project's own tests and checks, side by side.

Run by hand, not in CI: ``uv run python benchmarks/bench_adoption.py [--rounds N]``.
Takes django-axes from PyPI and adopts the kit as ``tests/test_adoption_real_project.py`` does
(``tests/adoption.py``: the adopt command, the README's settings, a baseline of today's
findings), then alternates, in rounds:

1. a slice of axes' own tests (``manage.py test``) with the guards on (``GuardedTestRunner``)
   and off (Django's ``DiscoverRunner``, the kit's checks still installed); prints the ratio of
   the medians (goal: at most 1.1);
2. the same slice with ``--parallel 2``, guards on (each worker guarded, its findings sent back
   to the runner) and off; prints the ratio of the medians;
3. ``manage.py check`` with the kit's inspection app installed and with axes' settings as they
   were before the adoption; prints the ratio of the medians.

Each time is a whole command, as a developer waits for it (start-up included).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.adoption import SETTINGS_MODULE, TEST_SLICE, adopt_kit, download_project  # noqa: E402
from tests.helpers import output_of, project_env  # noqa: E402

# The test slice, and axes' login tests (107 of them, the bulk of its suite's signals).
BENCH_SLICE = (*TEST_SLICE, "tests.test_login")
PLAIN_SETTINGS = "tests.settings_without_kit"
DISCOVER_RUNNER = "django.test.runner.DiscoverRunner"


def main() -> None:
    """Adopt the kit into axes and time the three comparisons."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds per variant (median)")
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as scratch:
        root = download_project(Path(scratch))
        settings = root / Path(*SETTINGS_MODULE.split(".")).with_suffix(".py")
        (root / "tests" / "settings_without_kit.py").write_text(settings.read_text())
        adopt_kit(root)
        _manage(root, "signalbaseline")
        tests = _alternate(
            rounds,
            on=lambda: _manage(root, "test", *BENCH_SLICE),
            off=lambda: _manage(root, "test", "--testrunner", DISCOVER_RUNNER, *BENCH_SLICE),
        )
        parallel = ("--parallel", "2")
        parallel_tests = _alternate(
            rounds,
            on=lambda: _manage(root, "test", *parallel, *BENCH_SLICE),
            off=lambda: _manage(
                root, "test", *parallel, "--testrunner", DISCOVER_RUNNER, *BENCH_SLICE
            ),
        )
        check = _alternate(
            rounds,
            on=lambda: _manage(root, "check"),
            off=lambda: _manage(root, "check", "--settings", PLAIN_SETTINGS),
        )
    print(f"django-axes, median of {rounds} rounds, whole commands:")
    _report(f"manage.py test ({len(BENCH_SLICE)} modules)", "guards on", "off", tests, goal=1.1)
    _report("manage.py test --parallel 2", "guards on", "off", parallel_tests, goal=1.1)
    _report("manage.py check", "with the kit", "without", check, goal=None)


def _manage(root: Path, *args: str) -> float:
    """Run ``python manage.py ARGS`` in axes; the seconds it took (exits if it failed)."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=root,
        env=project_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{output_of(result)}")
    return elapsed


def _alternate(rounds: int, **variants: Callable[[], float]) -> dict[str, float]:
    """The median seconds of each variant, run in turn, after one warm-up run of each."""
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds + 1):
        for name, run in variants.items():
            times[name].append(run())
    return {name: statistics.median(each[1:]) for name, each in times.items()}


def _report(what: str, on: str, off: str, timings: dict[str, float], goal: float | None) -> None:
    ratio = timings["on"] / timings["off"]
    print(f"  {what}:")
    print(f"    {on:24} {timings['on']:8.2f} s")
    print(f"    {off:24} {timings['off']:8.2f} s")
    print(f"    {'ratio':24} {ratio:8.3f}" + (f"   (goal <= {goal})" if goal else ""))


if __name__ == "__main__":
    main()
