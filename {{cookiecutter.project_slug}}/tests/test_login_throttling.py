"""Login attempts are throttled (django-axes): too many wrong passwords lock the account out."""

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.urls import reverse

FAILURE_LIMIT = 3
PASSWORD = "the-right-password-0123"


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=FAILURE_LIMIT)
def test_the_last_allowed_wrong_password_locks_the_account_out(
    client: Client, django_user_model: type[User]
) -> None:
    django_user_model.objects.create_superuser("admin", "admin@example.com", PASSWORD)

    def attempt(password: str) -> int:
        form = {"username": "admin", "password": password}
        return client.post(reverse("admin:login"), form).status_code

    failures = [attempt("wrong") for _ in range(FAILURE_LIMIT)]

    assert failures == [200] * (FAILURE_LIMIT - 1) + [429]  # the form again, then locked out
    assert attempt(PASSWORD) == 429  # even the right password, until the cool-off ends
