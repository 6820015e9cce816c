"""Passwords are stored as argon2 hashes."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

import certwright.settings as project_settings
from tests.accounts.helpers import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_new_account_gets_an_argon2id_hash(client: Client, settings: Any) -> None:
    """Signing up stores the password as argon2id, the configured first hasher."""
    # given: the project's hashers, not the tests' fast one
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS

    # when
    client.post(
        "/accounts/signup/",
        {
            "name": "Ana López",
            "email": "ana@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    # then
    user = get_user_model().objects.get(email="ana@example.com")
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)
