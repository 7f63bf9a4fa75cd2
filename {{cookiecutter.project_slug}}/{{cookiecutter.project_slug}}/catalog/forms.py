"""Input validation for the catalog's views."""

from django import forms

from .models import Product


class ProductForm(forms.ModelForm[Product]):
    """Validates a new product's fields; saving is the service's job, not the form's."""

    class Meta:
        model = Product
        fields = ["name", "price"]
