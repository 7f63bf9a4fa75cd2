"""HTTP views of the catalog: thin adapters between requests and services or selectors."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_http_methods

from .forms import ProductForm
from .models import Product
from .selectors import list_products
from .services import create_product


def _as_json(product: Product) -> dict[str, object]:
    return {"id": product.pk, "name": product.name, "price": str(product.price)}


@require_http_methods(["GET", "POST"])
def products(request: HttpRequest) -> JsonResponse:
    """List products (GET, through a selector) or create one (POST, through the service)."""
    if request.method == "POST":
        return _create(request)
    return JsonResponse({"products": [_as_json(product) for product in list_products()]})


def _create(request: HttpRequest) -> JsonResponse:
    form = ProductForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    product = create_product(name=form.cleaned_data["name"], price=form.cleaned_data["price"])
    return JsonResponse(_as_json(product), status=201)
