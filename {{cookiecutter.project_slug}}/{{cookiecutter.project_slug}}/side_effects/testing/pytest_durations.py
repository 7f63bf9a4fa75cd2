"""``pytest --receiver-durations=N``: the N slowest ``@side_effect`` receivers (``--durations``).

Part of the pytest plugin (:mod:`.pytest_plugin` loads it): what the guards measured of each
receiver in this process (``0`` lists them all), last among the kit's sections of the summary.
"""

from __future__ import annotations

import pytest

from ..runtime.naming import count
from .pytest_plugin import guarded_run


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--receiver-durations=N``."""
    parser.getgroup("side_effects").addoption(
        "--receiver-durations",
        type=int,
        default=None,
        metavar="N",
        help="show the N slowest @side_effect receivers (N=0 for all)",
    )


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """The N slowest receivers: their total time, calls, slowest call and most queries."""
    limit = config.getoption("receiver_durations")
    if limit is None:
        return
    ranked = sorted(
        guarded_run(config).guards.stats.items(), key=lambda item: (-item[1].seconds, item[0])
    )
    shown = ranked[:limit] if limit else ranked
    terminalreporter.write_sep("=", f"slowest {limit} receivers" if limit else "slowest receivers")
    if not shown:
        terminalreporter.write_line("No @side_effect receiver ran.")
    for path, stats in shown:
        terminalreporter.write_line(
            f"{stats.seconds:.4f}s total  {count(stats.calls, 'call')}  slowest "
            f"{stats.slowest:.4f}s  up to {count(stats.most_queries, 'query')}  {path}"
        )
