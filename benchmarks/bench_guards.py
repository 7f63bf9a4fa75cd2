"""What the runtime guards cost the generated project's tests: the pytest plugin on vs off.

Run by hand, not in CI: ``uv run python benchmarks/bench_guards.py [--rounds N]``. Bakes the
default project, then runs its example app's tests (``<slug>/catalog/tests``, the tests that
trigger receivers; the kit's own tests, and the app's span tests with their ``spans`` fixture,
need the plugin) in one process each, with the plugin
(as the gate runs them) and with ``-p no:<slug>.side_effects.testing.pytest_plugin``,
alternating the two; prints the median wall time of each and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.helpers import PACKAGE, bake_project, output_of, run_gate

APP_TESTS = f"{PACKAGE}/catalog/tests"
PLUGIN_OFF = ("-p", f"no:{PACKAGE}.side_effects.testing.pytest_plugin")
# Left out of both variants: they use the plugin's ``spans`` fixture.
NEEDS_THE_PLUGIN = f"--ignore={APP_TESTS}/test_telemetry.py"


def main() -> None:
    """Bake, warm up, then time both variants in alternating rounds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="rounds per variant (median)")
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as scratch:
        project = bake_project(Path(scratch))
        seconds: dict[str, list[float]] = {"on": [], "off": []}
        timed(project, ())  # warm the file system caches and the bytecode
        for _ in range(rounds):
            seconds["on"].append(timed(project, ()))
            seconds["off"].append(timed(project, PLUGIN_OFF))
    on, off = statistics.median(seconds["on"]), statistics.median(seconds["off"])
    print(f"{APP_TESTS} (-n 0), median of {rounds} runs each:")
    print(f"  guards on   {on:7.2f} s")
    print(f"  guards off  {off:7.2f} s")
    print(f"  ratio       {on / off:7.3f}")


def timed(project: Path, extra: tuple[str, ...]) -> float:
    """Wall seconds of one run of the app's tests; exits if the run fails."""
    started = time.perf_counter()
    result = run_gate(project, APP_TESTS, NEEDS_THE_PLUGIN, "-n", "0", "-q", *extra)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"the app's tests failed:\n{output_of(result)}")
    return elapsed


if __name__ == "__main__":
    main()
