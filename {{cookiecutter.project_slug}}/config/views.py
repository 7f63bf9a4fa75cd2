"""Views that belong to the whole site rather than to one app."""

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.views import defaults
from django.views.decorators.http import require_GET

from .database_outages import DATABASE_UNAVAILABLE, database_unavailable


@require_GET
def csrf_token(request: HttpRequest) -> JsonResponse:
    """Hand an API client the CSRF token it must send back with POST, PUT and DELETE requests.

    The response also sets the ``csrftoken`` cookie; send both: the cookie, and the token in the
    ``X-CSRFToken`` header.
    """
    return JsonResponse({"csrfToken": get_token(request)})


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: a 503 when the database was unreachable, Django's page otherwise.

    Django calls it for any exception a view or middleware let escape, while that exception
    is being handled (and only with ``DEBUG`` off: the debug page shows the traceback).
    """
    error = sys.exception()
    if isinstance(error, DATABASE_UNAVAILABLE):
        return database_unavailable(request, error)
    return defaults.server_error(request)
