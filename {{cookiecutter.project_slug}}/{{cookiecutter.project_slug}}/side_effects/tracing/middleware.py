"""Log the receivers each request fired (``SIDE_EFFECTS_TRACE``; the local settings add it)."""

from collections.abc import Callable

from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponseBase

from ..runtime.conf import setting
from .recorder import recording
from .render import log


class TraceMiddleware:
    """Records each request's receivers and logs them as a tree once the response is ready
    (unless the request is part of a recording under way, which its owner logs)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        if not setting("SIDE_EFFECTS_TRACE"):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        with recording(f"{request.method} {request.get_full_path()}", on_finish=log):
            return self.get_response(request)
