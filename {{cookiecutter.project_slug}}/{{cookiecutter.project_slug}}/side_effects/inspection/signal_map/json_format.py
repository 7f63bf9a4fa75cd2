"""The signal map for tools: ``{"receivers": [rows], "custom_signals": [signals]}``.

With a baseline (SIDE_EFFECTS_BASELINE), also ``"baseline": {"path": ..., "accepted": N}``.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from .contents import SignalMap


def as_json(signal_map: SignalMap) -> str:
    """The map's rows and the project's own signals, with their dataclasses' fields."""
    document: dict[str, object] = {
        "receivers": [asdict(row) for row in signal_map.rows],
        "custom_signals": [asdict(custom) for custom in signal_map.custom_signals],
    }
    if signal_map.baseline is not None:
        document["baseline"] = asdict(signal_map.baseline)
    return json.dumps(document, indent=2) + "\n"
