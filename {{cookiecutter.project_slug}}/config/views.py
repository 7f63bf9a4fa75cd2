"""Views that belong to the whole site rather than to one app."""

from django.http import HttpRequest, JsonResponse
from django.middleware.csrf import get_token
from django.views.decorators.http import require_GET


@require_GET
def csrf_token(request: HttpRequest) -> JsonResponse:
    """Hand an API client the CSRF token it must send back with POST, PUT and DELETE requests.

    The response also sets the ``csrftoken`` cookie; send both: the cookie, and the token in the
    ``X-CSRFToken`` header.
    """
    return JsonResponse({"csrfToken": get_token(request)})
