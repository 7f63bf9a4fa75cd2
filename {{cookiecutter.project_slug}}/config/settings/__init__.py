"""Split settings: ``base`` holds what every environment shares; the others extend it.

Pick one with ``DJANGO_SETTINGS_MODULE`` (``config.settings.local`` by default in ``manage.py``).
"""
