"""django-debug-toolbar's "Side effects" panel: the receivers the request fired, as a tree.

Listed in ``DEBUG_TOOLBAR_PANELS`` by the local settings. Each receiver links to its entry in
the signal map (:mod:`.views`).
"""

from typing import Any

from debug_toolbar.panels import Panel
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import ngettext

from ..runtime.naming import count
from .recorder import recording


class SideEffectsPanel(Panel):
    """Records the request's receiver calls and shows them nested as they set each other off."""

    title = nav_title = "Side effects"
    template = "side_effects/panel.html"

    @property
    def nav_subtitle(self) -> str:
        calls = self.get_stats().get("calls", 0)  # type: ignore[no-untyped-call]
        return ngettext("%(count)d receiver call", "%(count)d receiver calls", calls) % {
            "count": calls
        }

    def process_request(self, request: HttpRequest) -> HttpResponseBase:
        with recording(f"{request.method} {request.get_full_path()}") as trace:
            response: HttpResponseBase = super().process_request(request)  # type: ignore[no-untyped-call]
        calls = len(trace.all_nodes())
        summary = f"{count(calls, 'receiver call')}, {trace.seconds * 1000:.1f} ms in receivers"
        stats: dict[str, Any] = {**trace.as_dict(), "calls": calls, "summary": summary}
        self.record_stats(stats)  # type: ignore[no-untyped-call]
        return response
