"""Root URLs: the landing redirect, the CSRF token for API clients, the admin
{%- if cookiecutter.include_example_app %} and the catalog{% endif %}.

In development (DEBUG, with the local settings' apps) also django-debug-toolbar's URLs and the
signal map page its "Side effects" panel links to.
"""

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView

from . import views

handler500 = "config.views.server_error"  # a database outage is a 503 (config/database_outages.py)

urlpatterns: list[URLPattern | URLResolver] = [
{%- if cookiecutter.include_example_app %}
    path("", RedirectView.as_view(pattern_name="catalog:products"), name="home"),
{%- else %}
    path("", RedirectView.as_view(pattern_name="admin:index"), name="home"),
{%- endif %}
    path("csrf/", views.csrf_token, name="csrf-token"),
    path("admin/", admin.site.urls),
{%- if cookiecutter.include_example_app %}
    path("", include("{{ cookiecutter.project_slug }}.catalog.urls")),
{%- endif %}
]

if settings.DEBUG and apps.is_installed("debug_toolbar"):
    from debug_toolbar.toolbar import debug_toolbar_urls

    urlpatterns += debug_toolbar_urls()
TRACING = "{{ cookiecutter.project_slug }}.side_effects.tracing"
if settings.DEBUG and apps.is_installed(TRACING):
    urlpatterns.append(path("__side_effects__/", include(f"{TRACING}.urls")))
