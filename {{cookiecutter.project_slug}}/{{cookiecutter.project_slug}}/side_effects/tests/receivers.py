"""Receivers made on the spot for the kit's tests, named as if they lived in a given module.

The tests connect them through the ``connect`` fixture, which disconnects them afterwards, so
the project's checks and signal map never see them outside the test that made them.
"""

from __future__ import annotations

from collections.abc import Callable

from ..runtime.conf import KIT_PACKAGE
from ..runtime.registry import Receiver

# The kit's inspection is an installed app, so receivers "defined" here count as living in an
# app's signals module.
SIGNALS_MODULE = f"{KIT_PACKAGE}.inspection.signals"
DOCSTRING = "Record the call for the test."
# The ``connect`` fixture: ``connect(signal, receiver, **side_effect_options)``.
Connect = Callable[..., Receiver]
# The ``connect_plainly`` fixture: ``connect_plainly(signal, receiver, sender=None)``.
ConnectPlainly = Callable[..., None]


def make_receiver(
    name: str,
    *,
    calls: list[dict[str, object]],
    module: str = SIGNALS_MODULE,
    doc: str | None = DOCSTRING,
    error: Exception | None = None,
) -> Receiver:
    """A receiver that appends its arguments to ``calls`` (then raises ``error``, if given)."""

    def receiver(sender: object, **kwargs: object) -> None:
        calls.append({"sender": sender, **kwargs})
        if error:
            raise error

    return _named(receiver, name, module, doc)


def make_async_receiver(
    name: str, *, calls: list[dict[str, object]], error: Exception | None = None
) -> Receiver:
    """:func:`make_receiver` as an ``async def`` receiver."""

    async def receiver(sender: object, **kwargs: object) -> None:
        calls.append({"sender": sender, **kwargs})
        if error:
            raise error

    return _named(receiver, name, SIGNALS_MODULE, DOCSTRING)


def _named(func: Callable[..., object], name: str, module: str, doc: str | None) -> Receiver:
    """Give ``func`` the identity of a module-level function ``module.name``."""
    func.__name__ = func.__qualname__ = name
    func.__module__ = module
    func.__doc__ = doc
    return func
