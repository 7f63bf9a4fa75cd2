"""The signal map: every signal the project listens to and what each receiver does.

:func:`build` gathers it (:mod:`.contents`); :func:`render` writes it as text for a terminal,
Markdown with one Mermaid chart per app (``docs/signals.md``) or JSON for tools. Every format
is deterministic (sorted, no addresses, no timestamps), so a map's freshness is a text
comparison.
"""

from __future__ import annotations

from collections.abc import Callable

from .contents import SignalMap, build
from .json_format import as_json
from .markdown import as_markdown
from .text import as_text

RENDERERS: dict[str, Callable[[SignalMap], str]] = {
    "text": as_text,
    "markdown": as_markdown,
    "json": as_json,
}

__all__ = ["RENDERERS", "SignalMap", "build", "render"]


def render(signal_map: SignalMap, output_format: str) -> str:
    """The map in ``text``, ``markdown`` or ``json``, ending with a newline."""
    return RENDERERS[output_format](signal_map)
