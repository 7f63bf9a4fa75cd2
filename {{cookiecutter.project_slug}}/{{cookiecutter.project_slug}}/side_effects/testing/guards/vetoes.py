"""A receiver never vetoes: no exception escapes one, even where a test expects it.

In production ``SIDE_EFFECTS_RAISE_EXCEPTIONS`` is off: the exception is logged and swallowed
and the change goes ahead, so a test that passes because a receiver raised certifies
behaviour production does not have. Receivers that tests define for themselves (to test
containment) are not judged. A receiver whose source raises on purpose is named before any
test runs, by ``manage.py check`` (``side_effects.E007``); this guard also sees the exceptions
its calls raise from further away.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator

from .. import advice
from .calls import Call
from .frames import is_business_code
from .rule import Guard
from .violations import Violation


class Vetoes(Guard):
    """Reports the exception a project receiver's call raised."""

    def after_call(self, call: Call) -> Iterator[Violation]:
        """A project receiver whose call ended with an exception."""
        error = call.error
        code = getattr(inspect.unwrap(call.registration.func), "__code__", None)
        if error is None or code is None or not is_business_code(code.co_filename):
            return
        trigger = advice.trigger_of(call.kwargs.get("signal"))
        yield Violation(
            call.who,
            f"raised {type(error).__qualname__}: {str(error)[:200]}",
            advice.VETO.format(trigger=trigger),
        )
