"""The signal map as a page (development only), where the toolbar panel's links lead."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..inspection.signal_map.contents import build


def signal_map(request: HttpRequest) -> HttpResponse:
    """Every project receiver, one row per signal and sender, anchored by its dotted path."""
    rows = build().rows
    first_rows = {row.receiver: index for index, row in reversed(list(enumerate(rows)))}
    anchored = [(row, first_rows[row.receiver] == index) for index, row in enumerate(rows)]
    return render(request, "side_effects/signal_map.html", {"rows": anchored})
