"""Pytest plugin: hold every ``@side_effect`` receiver to its rules while the tests run.

The project's ``conftest.py`` enables it:
``pytest_plugins = ["<project>.side_effects.testing.pytest_plugin"]``. It installs the runtime
guards (:mod:`.guards`) for the session and fails the test, or the fixture, during which a
receiver broke a rule, naming the receiver, what it did and the fix. A violation in a class's
set-up (``setUpTestData``, ``setUpClass``, a class-scoped fixture) is charged to the class.

It loads its other parts, one module each:

- :mod:`.pytest_end_of_run`: a full run fails for a receiver no test triggered and for a stale
  baseline; the summary of the run's violations (also across xdist workers);
- :mod:`.pytest_trace`: ``pytest --side-effects-trace`` prints the receivers each test fired;
- :mod:`.pytest_durations`: ``pytest --receiver-durations=N`` prints the N slowest receivers;
- :mod:`.pytest_spans`: the ``spans`` fixture, the OpenTelemetry spans a test makes.

What it shares with Django's test runner (:mod:`.django_runner`) is in :mod:`.session`: the
baseline, report-only mode, the end-of-run summary of the violations (each once, counted) and
``pytest --side-effects-baseline-update``.
"""

from __future__ import annotations

import itertools
import os
import shlex
from collections.abc import Generator

import pytest

from ..inspection.scope import startup_modules
from . import advice
from .guards import ReceiverGuards
from .guards.violations import render_all
from .session import UPDATE_HELP, UPDATE_OPTION, GuardedRun

pytest_plugins = [
    f"{__package__}.pytest_end_of_run",
    f"{__package__}.pytest_trace",
    f"{__package__}.pytest_durations",
    f"{__package__}.pytest_spans",
]

_RUN = pytest.StashKey[GuardedRun]()


def guarded_run(config: pytest.Config) -> GuardedRun:
    """The guarded run of this pytest session (its parts judge and report what it recorded)."""
    return config.stash[_RUN]


def guards_of(config: pytest.Config) -> ReceiverGuards:
    """The guards this run installed (the kit's own tests read what they recorded)."""
    if _RUN not in config.stash:
        pytest.fail(guards_off_reason(config), pytrace=False)
    return config.stash[_RUN].guards


def guards_off_reason(config: pytest.Config) -> str:
    """Why the receiver guards are off or cannot judge a whole run; ``""`` when they are on."""
    if _RUN not in config.stash or config.pluginmanager.is_blocked(__name__):
        why = f"the plugin {__name__} is not active: -p no:{__name__}"
    else:
        options = [*config.getini("addopts"), *shlex.split(os.environ.get("PYTEST_ADDOPTS", ""))]
        dropped = _dropping_options(options)
        if not dropped:
            return ""
        why = f"addopts {' '.join(dropped)} leaves tests out of every run"
    return advice.GUARDS_OFF.format(why=why, plugin=__name__)


def _dropping_options(options: list[str]) -> list[str]:
    """The options among ``options`` that leave tests out (``-k``, ``-m``, ``--ignore`` ...)."""
    return [
        option if "=" in option else f"{option} {value}"
        for option, value in itertools.pairwise([*options, ""])
        if option.partition("=")[0] in _SELECTING
    ]


# Options that, in addopts, make every run a partial one.
_SELECTING = frozenset({"-k", "-m", "--ignore", "--ignore-glob", "--deselect"})


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--side-effects-baseline-update``."""
    parser.getgroup("side_effects", "receiver budgets").addoption(
        UPDATE_OPTION, action="store_true", help=UPDATE_HELP
    )


def pytest_configure(config: pytest.Config) -> None:
    """Prepare the guards."""
    startup_modules()  # before collection: test modules are not start-up modules
    update_baseline = config.getoption("side_effects_baseline_update")
    config.stash[_RUN] = GuardedRun(update_baseline=update_baseline)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Start guarding every receiver call: Django is set up by now, before any test runs."""
    session.config.stash[_RUN].install()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop guarding."""
    config.stash[_RUN].uninstall()


def _held_to_budgets(item: pytest.Item, when: str) -> Generator[None, object, object]:
    """Fail a test phase in which a receiver broke a rule (unless the baseline accepts it)."""
    run = item.config.stash[_RUN]
    run.guards.take()  # what ran between two phases belongs to neither
    try:
        result = yield
    except BaseException:
        # The phase failed anyway: show the violations beside its own error.
        failing = run.take(item.nodeid)
        if failing:
            item.add_report_section(when, "receiver rules", render_all(failing))
        raise
    failure = run.failure(item.nodeid)
    if failure:
        pytest.fail(failure, pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(
    fixturedef: pytest.FixtureDef[object], request: pytest.FixtureRequest
) -> Generator[None, object, object]:
    """Charge a class's set-up (``setUpTestData``, a class-scoped fixture) to the class.

    pytest sets it up in the first test's set-up, which is not what broke the rule.
    """
    if fixturedef.scope == "function":
        return (yield)
    run = request.config.stash[_RUN]
    earlier = run.guards.take()
    where = _set_up_of(fixturedef, request)
    try:
        result = yield
    finally:
        failure = run.failure(where, label=where)
        run.guards.violations.extend(earlier)
    if failure:
        pytest.fail(failure, pytrace=False)
    return result


def _set_up_of(fixturedef: pytest.FixtureDef[object], request: pytest.FixtureRequest) -> str:
    """``TestX (class set-up)``, else ``<fixture> (<scope> set-up)``."""
    if fixturedef.scope == "class" and request.cls is not None:
        return f"{request.cls.__qualname__} (class set-up)"
    return f"{fixturedef.argname} ({fixturedef.scope} set-up)"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, object, object]:
    """Receivers triggered by fixtures."""
    return (yield from _held_to_budgets(item, "setup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Receivers triggered by the test itself."""
    return (yield from _held_to_budgets(item, "call"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, object, object]:
    """Receivers triggered while fixtures are torn down (on-commit bodies, for instance)."""
    return (yield from _held_to_budgets(item, "teardown"))
