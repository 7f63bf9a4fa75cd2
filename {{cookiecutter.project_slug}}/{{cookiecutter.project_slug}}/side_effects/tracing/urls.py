"""The development trace's page (``config/urls.py`` includes it only when DEBUG is on)."""

from django.urls import path

from . import views

app_name = "side_effects_tracing"
urlpatterns = [path("signal-map/", views.signal_map, name="signal-map")]
