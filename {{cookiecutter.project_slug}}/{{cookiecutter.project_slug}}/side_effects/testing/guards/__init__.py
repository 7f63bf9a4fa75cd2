"""The runtime guards: what a receiver's body may not do, checked while the tests run.

:class:`ReceiverGuards` measures every receiver call through the decorator's observer hook and
asks each rule, one module each, what the call broke:

- :mod:`.query_budget`, :mod:`.time_budget`: ``max_queries`` and ``max_seconds``;
- :mod:`.service_calls`: no call into a project ``*.services`` module;
- :mod:`.outside_work`: no network connection (a UDP datagram aside), process or thread;
- :mod:`.escaping_work`: nothing handed to an executor, a pool or the event loop;
- :mod:`.inline_tasks`: tasks go through the hand-off, charged, never run inline or published;
- :mod:`.declared_writes`: rows written only of the models the receiver declares;
- :mod:`.vetoes`: no exception escapes a receiver (production swallows it);
- :mod:`.on_commit`: callbacks a receiver registers are its work too;
- :mod:`.instance_changes`: a ``pre_save`` receiver leaves its instance alone;

and, outside receiver calls, :mod:`.direct_calls`, :mod:`.model_overrides` and
:mod:`.late_wiring`. Each rule installs its own instrumentation (:mod:`.rule`) and reports a
:class:`~.violations.Violation`, shown in the one message style with the chain of calls that
led to the receiver (:mod:`.chain`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from ...runtime.observers import observe_calls
from ...runtime.registry import Registration
from .calls import Call, measuring
from .chain import chain_here
from .declared_writes import DeclaredWrites
from .direct_calls import DirectCalls
from .escaping_work import EscapingWork
from .inline_tasks import InlineTasks
from .instance_changes import InstanceChanges
from .late_wiring import LateWiring
from .model_overrides import ModelOverrides
from .monitoring import CodeWatcher
from .on_commit import OnCommitCallbacks
from .outside_work import OutsideWork
from .query_budget import QueryBudget
from .rule import Guard, Patcher
from .service_calls import ServiceCalls
from .time_budget import TimeBudget
from .vetoes import Vetoes
from .violations import Violation, render_all


@dataclass
class ReceiverStats:
    """What the tests cost one receiver, over all its calls."""

    calls: int = 0
    seconds: float = 0.0
    slowest: float = 0.0
    most_queries: int = 0


class ReceiverGuards:
    """Measures every receiver call, and records each rule it breaks in :attr:`violations`."""

    def __init__(self) -> None:
        self.stats: defaultdict[str, ReceiverStats] = defaultdict(ReceiverStats)
        self.violations: list[Violation] = []
        self._patcher = Patcher()
        self._watcher = CodeWatcher()
        self.rules: tuple[Guard, ...] = (
            QueryBudget(),
            TimeBudget(),
            ServiceCalls(self._watcher),
            OutsideWork(),
            EscapingWork(),
            InlineTasks(),
            DeclaredWrites(),
            Vetoes(),
            OnCommitCallbacks(self.measure),
            InstanceChanges(),
            DirectCalls(self._watcher, self.violations.append),
            ModelOverrides(self.violations.append),
            LateWiring(),
        )

    def install(self) -> None:
        """Start guarding (the app registry must be ready), until :meth:`uninstall`."""
        self._watcher.install(self._patcher)
        for rule in self.rules:
            rule.install(self._patcher)
        self._patcher.on_undo(observe_calls(self.measure))

    def uninstall(self) -> None:
        """Stop guarding and undo every patch."""
        self._patcher.undo()

    @contextmanager
    def measure(
        self, registration: Registration, kwargs: dict[str, object], via: str = ""
    ) -> Iterator[None]:
        """Measure one call of ``registration``'s receiver (the decorator's observer hook)."""
        call = Call(registration, kwargs, via)
        for rule in self.rules:
            rule.before_call(call)
        try:
            with measuring(call):
                yield
        except Exception as error:
            call.error = error
            raise
        finally:
            self._count(call)
            for rule in self.rules:
                call.violations += rule.after_call(call)
            if call.violations:
                chain = chain_here(call.registration.path)
                call.violations = [
                    replace(each, details=(*each.details, *chain)) for each in call.violations
                ]
            self.violations += call.violations

    def take(self) -> list[Violation]:
        """The violations recorded since the last look; forgets them (the list stays the same)."""
        taken = list(self.violations)
        self.violations.clear()
        return taken

    def report(self) -> str:
        """The recorded violations, as one message (repeats counted); forgets them."""
        return render_all(self.take())

    def _count(self, call: Call) -> None:
        """Add the call to its receiver's statistics."""
        stats = self.stats[call.registration.path]
        stats.calls += 1
        stats.seconds += call.seconds
        stats.slowest = max(stats.slowest, call.seconds)
        stats.most_queries = max(stats.most_queries, len(call.queries))
