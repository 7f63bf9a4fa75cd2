"""Root URL configuration."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, {% if cookiecutter.include_example_app %}include, {% endif %}path

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
{%- if cookiecutter.include_example_app %}
    path("", include("{{ cookiecutter.project_slug }}.catalog.urls")),
{%- endif %}
]
