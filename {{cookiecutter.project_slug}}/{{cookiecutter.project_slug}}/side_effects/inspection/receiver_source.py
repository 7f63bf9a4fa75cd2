"""What a receiver's source says before it ever runs: the vetoes it raises, the work it does.

Read with :mod:`ast` (by :mod:`.source_reader`) from the receiver's function and from the
functions of the project it calls, and those they call, up to ``CALL_DEPTH`` calls away, so that
the checks can tell a rule from a side effect and a trivial receiver from a heavy one. A call is
followed when its name leads to a project function through modules and classes:
``check_tags(...)``, ``rules.check_tags(...)``, ``Rules.check(...)``,
``rules.Rules.check(...)``, ``self.check(...)`` / ``cls.check(...)`` in a method, and the
function a decorator's wrapper calls (one without ``functools.wraps`` too). What is
chosen at run time (``handler().check(...)``, a function passed in) is not seen: E002's hint
names such calls into the project's code, and the query guard measures them once the receiver
is a ``@side_effect``. A receiver whose source cannot be
read (a builtin, a lambda typed at a prompt) says nothing.

**A deliberate raise** (a veto) is a ``raise`` statement

- that names an exception (a bare ``raise`` re-raises the one being handled);
- outside every ``except`` block (raising there re-raises or translates the caught failure,
  ``raise ServiceError(...) from error``);
- outside nested functions, classes and lambdas (they run later, if ever);
- whose exception is a class or a call, spelt with a capital (``raise PermissionDenied``,
  ``raise AbortRequest("...")``, ``raise errors.Locked(...)``) or any call (``raise
  self.failure(...)``); ``raise error``, a variable holding an exception made elsewhere, is not.

The same refusal spelt without ``raise`` is one too, under the same two "outside" rules: an
``assert`` (other than one that only narrows a type for the type checker: ``isinstance(x, T)``,
``x is not None``), a model instance's validation (``instance.full_clean()``, ``.clean_fields()``,
``.validate_unique()``, ``.validate_constraints()``) and a call of one of Django's validators
(``validate_slug(name)``, ``MinValueValidator(0)(price)``), each of which raises to refuse.

**Weight** is estimated from the calls: each chain through a manager (``X.objects...``, a
``..._set`` related manager, a relation's manager by its field or ``related_name``:
``group.permissions.count()``) or a ``save()``/``refresh_from_db()`` counts as one query; a query
or a project function called in a loop, a call of a project services module, a task run inline
or published to the broker, network or e-mail I/O each make the receiver heavy, as do more
queries than ``SIDE_EFFECTS_MAX_QUERIES_CEILING``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import FunctionType

from ..runtime.conf import setting
from .call_targets import function_of
from .source_reader import read

# How many calls away from the receiver its project callees are read: its helpers, theirs, ...
CALL_DEPTH = 3


@dataclass(frozen=True, slots=True)
class Veto:
    """A deliberate ``raise`` in a receiver, or in a project function it calls."""

    exception: str
    # ``app/signals.py:12``, relative to the repository root.
    where: str
    # The dotted paths of the calls that lead to the function that raises, the receiver's first
    # (empty when the receiver raises itself).
    route: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"raises {self.exception} ({self.where}{_called(self.route)})"


@dataclass(slots=True)
class Weight:
    """What a receiver's source does that costs: its estimated queries, and what made it heavy."""

    queries: int = 0
    reasons: list[str] = field(default_factory=list)
    # The calls whose target is chosen at run time: what they cost is not in the estimate.
    unseen: list[str] = field(default_factory=list)

    @property
    def heavy(self) -> bool:
        """Whether the receiver does a service's (or a task's) work."""
        return bool(self.describe())

    def describe(self) -> str:
        """What made it heavy: ``"a query in a loop at app/signals.py:14, ..."``, or ``""``."""
        ceiling = setting("SIDE_EFFECTS_MAX_QUERIES_CEILING")
        reasons = list(self.reasons)
        if self.queries > ceiling:
            reasons.insert(0, f"{self.queries} queries, over the ceiling of {ceiling}")
        return ", ".join(dict.fromkeys(reasons))


def vetoes(receiver: object) -> list[Veto]:
    """The deliberate raises of ``receiver`` and of the project functions it calls directly."""
    found: list[Veto] = []
    for func, route in _receiver_and_callees(receiver):
        reading = read(func)
        if reading is not None:
            found += [Veto(name, where, route) for name, where in reading.raises]
    return found


def weight_of(receiver: object) -> Weight:
    """The estimated cost of ``receiver``, the project functions it calls included."""
    weight = Weight()
    for func, route in _receiver_and_callees(receiver):
        reading = read(func)
        if reading is None:
            continue
        weight.queries += reading.queries
        weight.reasons += [f"{reason}{_called(route)}" for reason in reading.reasons]
        weight.unseen += [f"{call}{_called(route)}" for call in reading.unseen]
    return weight


def _receiver_and_callees(receiver: object) -> list[tuple[FunctionType, tuple[str, ...]]]:
    """The receiver's function, then each project function it reaches, each with its route.

    Breadth first, each function once (by its shortest route), ``CALL_DEPTH`` calls deep.
    """
    func = function_of(receiver)
    if func is None or read(func) is None:
        return []
    routes: dict[FunctionType, tuple[str, ...]] = {func: ()}
    callers = [func]
    for _depth in range(CALL_DEPTH):
        reached = []
        for caller in callers:
            reading = read(caller)
            for callee, path in reading.callees if reading else []:
                if callee not in routes:
                    routes[callee] = (*routes[caller], path)
                    reached.append(callee)
        callers = reached
    return list(routes.items())


def _called(route: tuple[str, ...]) -> str:
    """`` in app.rules.check, which it calls`` (``through`` the calls between), or ``""``."""
    if not route:
        return ""
    *between, last = route
    through = f" through {' -> '.join(between)}" if between else ""
    return f" in {last}, which it calls{through}"
