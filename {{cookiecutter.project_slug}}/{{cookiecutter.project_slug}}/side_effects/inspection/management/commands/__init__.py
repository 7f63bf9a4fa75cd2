"""``python manage.py signalmap``."""
