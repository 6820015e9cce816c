"""The superuser `make run` creates signs in to the admin with the e-mail address
and password it prints (sign-in is by e-mail only; issue 8, item 1)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_admin_signs_in_with_the_printed_email_and_reaches_the_admin(
    client, monkeypatch, settings
):
    """`ensure_superuser --email admin@example.com` gives an account whose sign-in
    with that address and the password goes straight through to /admin/ (no
    confirmation mail to read first)."""
    # given the account as `make run` makes it, without a second factor as there
    settings.CERTWRIGHT_STAFF_MFA = False
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "certwright-admin")
    call_command(
        "ensure_superuser", "--username", "admin", "--email", "admin@example.com"
    )
    # when the admin signs in from /admin/'s redirect
    answer = client.post(
        "/accounts/login/?next=/admin/",
        {"login": "admin@example.com", "password": "certwright-admin"},
    )
    # then the admin opens
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert answer["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
