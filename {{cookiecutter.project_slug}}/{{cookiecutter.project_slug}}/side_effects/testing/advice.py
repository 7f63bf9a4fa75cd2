"""What the kit tells a developer to do instead: the guards' fixes and the contracts' guidance.

Each text is written once, here. The import contracts in ``pyproject.toml`` carry their
``broken_contract_guidance`` as TOML, which the project's architecture tests compare with
:data:`CONTRACT_GUIDANCE`, so the two cannot drift apart.
"""

from __future__ import annotations

from django.contrib.auth import signals as auth_signals
from django.core import signals as core_signals
from django.db.models import signals as model_signals

{%- if cookiecutter.get("_adopted") %}

# The project's own task queue: the kit knows only that a service enqueues work on it.
ENQUEUE = "(in the change's own transaction, so that it is queued if and only if it commits)"
# Where work that a receiver must not do goes, in every piece of advice that says so: work that
# must not be missed is enqueued by the service (a receiver's failure is swallowed in production).
TASK = (
    f"a task of the project's queue that the service making the change enqueues {ENQUEUE}, or "
    "that the receiver enqueues if the work may be missed"
)
{%- else %}
{%- if cookiecutter.background_tasks == "database" %}

ENQUEUE = "(task.enqueue(...), which writes the task in the caller's transaction)"
{%- else %}

ENQUEUE = (
    "(enqueue(task, ...) from {{ cookiecutter.project_slug }}.background.outbox, which writes "
    "the task in the caller's transaction)"
)
{%- endif %}
# Where work that a receiver must not do goes, in every piece of advice that says so: work that
# must not be missed is enqueued by the service (a receiver's failure is swallowed in production).
TASK = (
    f"a task (<app>/tasks.py) that the service making the change enqueues {ENQUEUE}, or that "
    "the receiver enqueues if the work may be missed"
)
{%- endif %}
CALL_THE_SERVICE = (
    "call the service from the code that sends the signal (a view or another service)"
)

QUERY_BUDGET = (
    f"Receivers must stay lightweight: move the work into {TASK}, or, if the cost is "
    "deliberate, raise max_queries in its @side_effect(...)."
)
TIME_BUDGET = (
    "Receivers must stay lightweight: move slow work (network calls, sleeps, heavy computation) "
    f"into {TASK}, or, if the time is deliberate, raise max_seconds in its @side_effect(...)."
)
SERVICE_CALL = (
    "Receivers must not run business logic, however the service is reached (import, "
    f"import_module, import_string, a helper): {CALL_THE_SERVICE}, or enqueue a task that "
    "calls it."
)
# {subject}: "Network I/O", "A subprocess", "A thread" ...; {trigger}: see trigger_of().
OUTSIDE_WORK = (
    "{subject} in a receiver makes every {trigger} wait on work outside it, work that is not "
    f"undone when the transaction rolls back: move it into {TASK}. A metric may go out as a "
    "fire-and-forget UDP datagram (StatsD)."
)
# {what}: "a thread pool", "the event loop" ...
ESCAPING_WORK = (
    "Work handed to {what} outlives the receiver, so no budget or guard sees it and nothing "
    "waits for it or retries it: move it into "
    f"{TASK}."
)
INLINE_TASK = (
    "That does the task's work inside the {trigger}: enqueue it instead "
    f"{ENQUEUE} and let a worker run it."
)
{%- if cookiecutter.get("_adopted") %}
BROKER_CALL = (
    "A receiver does not publish to the broker itself: task.delay(), apply_async() and "
    "send_task() publish even when the change rolls back and are lost when the broker is down. "
    "Let the service that makes the change enqueue the work, in its transaction (an outbox), "
    "or at least once it commits (transaction.on_commit())."
)
{%- else %}
BROKER_CALL = (
    "A receiver reaches the broker only through the hand-off, which writes the task in the "
    "caller's transaction (committed if and only if the change is): enqueue it "
    f"{ENQUEUE}; never task.delay(), apply_async() or send_task(), which publish even when the "
    "change rolls back and are lost when the broker is down."
)
{%- endif %}
VETO = (
    "A receiver cannot veto: in production (SIDE_EFFECTS_RAISE_EXCEPTIONS off) this exception "
    "is logged and swallowed and the {trigger} goes ahead. Put the rule where it can refuse: "
    "the service that makes the change, Model.clean() (with full_clean() in the service) or a "
    "form."
)
UNDECLARED_WRITES = (
    "Writing rows is business logic unless the team says otherwise: declare the models the "
    "receiver writes, @side_effect(..., writes=(TheModel,)), so that reviewers and the signal "
    "map see them, or move the writes into the service that makes the change."
)
INSTANCE_CHANGE = (
    "A pre_save receiver that rewrites the instance hides a business rule behind save(): apply "
    "the rule in the service that saves (validation in Model.clean()). If it only normalises a "
    "value (trimming, lower-casing), declare it: @side_effect(pre_save, sender=..., "
    "normalizes=True)."
)
MODEL_OVERRIDE = (
    "That is business logic hidden behind every save: move it to a service that saves the "
    "instance and writes the other rows explicitly, in one transaction.atomic() block."
)
DIRECT_CALL = (
    "A receiver runs only when its signal is sent: code that needs the work done calls a "
    "service (business logic) or enqueues a task. Call receivers directly only in tests."
)
GUARDS_OFF = (
    "The receiver guards are off in this run ({why}), so no receiver rule is checked. Remove "
{%- if cookiecutter.get("_adopted") %}
    "it from addopts (the pytest configuration) or PYTEST_ADDOPTS: the project's conftest.py "
    "enables the guards with pytest_plugins = [{plugin!r}]."
{%- else %}
    "it from addopts (pyproject.toml) or PYTEST_ADDOPTS: the project's conftest.py enables the "
    "guards with pytest_plugins = [{plugin!r}], and the gate runs the kit's own tests too."
{%- endif %}
)
LATE_WIRING = (
    "Wiring is fixed at start-up: define the receiver with @side_effect in <app>/signals.py, "
    "which <app>/apps.py's ready() imports. A test may connect one temporarily, itself or "
    "through a helper it calls; project code that no test called (a request, a worker's thread, "
    "a post_migrate receiver) may not."
)
UNTESTED = (
    "Add a test that does what triggers each one in the app (save or delete its sender through "
    "the service) and asserts its side effect; for an on_commit=True receiver, run the commit "
    "too: with django_capture_on_commit_callbacks(execute=True): ... (pytest), or with "
    "self.captureOnCommitCallbacks(execute=True): ... (a Django TestCase)"
)
STALE_BASELINE = (
    "Run {rewrite} to rewrite the file, and commit it: the baseline only shrinks as findings "
    "are fixed."
)
REPORT_ONLY = (
    "SIDE_EFFECTS_REPORT_ONLY is on, so these failed no test: it is a first step of adoption, "
    "not a way to stay. Accept today's findings in a baseline (SIDE_EFFECTS_BASELINE, then "
    "{rewrite}) and turn it off, so that new ones fail."
)
BASELINE_NEEDS_FULL_RUN = (
    "--side-effects-baseline-update needs a full run (no test chosen, none deselected, not "
    "stopped early): the baseline was not written."
)

# What sends each kind of signal, for "makes every {trigger} wait".
_TRIGGERS: dict[object, str] = {
    model_signals.pre_save: "save",
    model_signals.post_save: "save",
    model_signals.pre_delete: "delete",
    model_signals.post_delete: "delete",
    model_signals.m2m_changed: "many-to-many change",
    model_signals.pre_init: "model instantiation",
    model_signals.post_init: "model instantiation",
    core_signals.request_started: "request",
    core_signals.request_finished: "request",
    core_signals.got_request_exception: "failing request",
    auth_signals.user_logged_in: "login",
    auth_signals.user_logged_out: "logout",
    auth_signals.user_login_failed: "failed login",
}


def trigger_of(signal: object) -> str:
    """What waits on a receiver of ``signal``: ``save``, ``request``, ``login``, ``send``."""
    return _TRIGGERS.get(signal, "send of its signal")


# The broken_contract_guidance of each import contract in pyproject.toml, by contract id.
CONTRACT_GUIDANCE = {
    "business-logic-never-imports-receivers": (
        "Business logic must not depend on receivers: a receiver is an optional side effect, "
        "and code that imports one has made it load-bearing. Do the work explicitly in a "
        "service function (<app>/services/), and leave <app>/signals.py to be imported by "
        "<app>/apps.py alone. <app>/events.py holds only the app's Signal() definitions and "
        "imports no receivers."
    ),
    "receivers-are-imported-only-by-apps": (
        "Receivers are connected once, in AppConfig.ready() (<app>/apps.py). Nothing else "
        "imports <app>/signals.py: to test a receiver, send the signal (save the model through "
        "its service); to share a helper, move it to the app's services, selectors or tasks."
    ),
    "receivers-never-call-services": (
        "A receiver that imports a service hides business logic behind a save(): "
        f"{CALL_THE_SERVICE}, or move the work into {TASK}."
    ),
    "app-layers": (
        "Within an app, imports go down the layers: admin/views/urls/forms may use services "
        "and tasks, those may use selectors, and everything may use models and events (the "
        "app's Signal() definitions, which import nothing of the app); never the other way "
        "round. Move the code you need to the lower layer, or pass the value in as an argument."
    ),
    "kit-layers": (
        "The receiver kit is laid out by when its code runs. runtime/ is what production "
        "imports, so it never imports inspection/ (manage.py check and signalmap), tracing/ "
        "(the development trace), testing/ (pytest) or scaffolding/ (startapp, makemigrations); "
        "inspection/ never imports tracing/, testing/ or scaffolding/, and tracing/ never "
        "imports testing/ or scaffolding/. Move what both sides need down to the lower layer."
    ),
}
