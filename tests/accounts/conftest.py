"""Fixtures for the accounts tests: people with roles and candidates with their
technician records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.cache import cache

from certwright.candidates.models import Technician
from certwright.candidates.services import technician_create
from certwright.core.roles import Role, role_add
from tests.accounts.helpers import PASSWORD


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    # allauth keeps its rate limits (and used TOTP codes) in the cache, which
    # outlives a test's database transaction.
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # Argon2 with Django's parameters takes 100 MB and a good fraction of a second
    # per hash; tests that are not about the hash use a fast one.
    # (test_passwords.py checks the real configuration.)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


UserFactory = Callable[..., Any]


@pytest.fixture
def make_user(db: None) -> UserFactory:
    """A user with a verified e-mail address (so they can sign in) and roles."""

    def make(
        email: str,
        *,
        name: str = "",
        password: str | None = PASSWORD,
        roles: tuple[Role, ...] = (),
        staff: bool = False,
        superuser: bool = False,
    ) -> Any:
        first, _sep, last = name.rpartition(" ")
        user = get_user_model().objects.create_user(
            username=email.split("@")[0],
            email=email,
            password=password,
            first_name=first,
            last_name=last,
            is_staff=staff or superuser,
            is_superuser=superuser,
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        for role in roles:
            role_add(user, role)
        return user

    return make


@pytest.fixture
def make_candidate(make_user: UserFactory) -> Callable[..., tuple[Any, Technician]]:
    """A candidate account with its technician record."""

    def make(email: str, name: str = "Test Candidate") -> tuple[Any, Technician]:
        user = make_user(email, name=name, roles=(Role.CANDIDATE,))
        technician = technician_create(name=name, email=email, user_id=user.pk)
        return user, technician

    return make


@pytest.fixture
def with_totp() -> Callable[[Any], str]:
    """Give a user an authenticator app (as if set up); returns its secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    def add(user: Any) -> str:
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        return secret

    return add
