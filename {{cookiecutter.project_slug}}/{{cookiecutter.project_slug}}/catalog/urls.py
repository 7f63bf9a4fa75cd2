"""URLs of the catalog app."""

from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("products/", views.products, name="products"),
]
