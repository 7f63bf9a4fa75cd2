"""HTTP views of the catalog: thin adapters between requests and services or selectors."""

from django.contrib.auth import get_permission_codename
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_http_methods

from .forms import ProductForm
from .models import Product
from .selectors import list_products
from .services import create_product


def _as_json(product: Product) -> dict[str, object]:
    return {"id": product.pk, "name": product.name, "price": str(product.price)}


def _refused(code: str, message: str) -> JsonResponse:
    """A 403 in the shape of the form's errors, so that clients read every refusal alike."""
    return JsonResponse({"errors": {"__all__": [{"message": message, "code": code}]}}, status=403)


@require_http_methods(["GET", "POST"])
def products(request: HttpRequest) -> JsonResponse:
    """List products (GET, public, through a selector) or create one (POST, through the service,
    for a logged-in user with the permission to add products)."""
    if request.method == "POST":
        return _create(request)
    return JsonResponse({"products": [_as_json(product) for product in list_products()]})


def _create(request: HttpRequest) -> JsonResponse:
    """Create a product; invalid input, including a name taken meanwhile, is a 400."""
    if not request.user.is_authenticated:
        return _refused("not_authenticated", "Log in to add products.")
    add_permission = f"{Product._meta.app_label}.{get_permission_codename('add', Product._meta)}"
    if not request.user.has_perm(add_permission):
        return _refused("permission_denied", "You do not have permission to add products.")
    form = ProductForm(request.POST)
    if form.is_valid():
        try:
            product = create_product(
                name=form.cleaned_data["name"], price=form.cleaned_data["price"]
            )
        except ValidationError as error:  # the service's own validation
            form.add_error(None, error)
        except IntegrityError:  # a concurrent request took the name after the form checked
            form.validate_unique()  # now it reports the name as taken, as for any duplicate
            if not form.errors:
                form.add_error(None, "The product conflicts with another one; try again.")
        else:
            return JsonResponse(_as_json(product), status=201)
    return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
