"""`certwright ensure_superuser` gives `make run` a login that works on every start."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_creates_the_superuser_then_resets_its_password(monkeypatch, capsys):
    """The first run creates the account; a later run restores access and password."""
    # given
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "first-password")
    call_command("ensure_superuser", "--username", "admin", "--email", "a@example.com")
    user = get_user_model().objects.get(username="admin")
    user.is_active = False
    user.is_superuser = False
    user.save()
    # when
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "second-password")
    call_command("ensure_superuser", "--username", "admin", "--email", "a@example.com")
    # then
    user.refresh_from_db()
    assert (user.is_active, user.is_staff, user.is_superuser) == (True, True, True)
    assert user.check_password("second-password")
    out = capsys.readouterr().out
    assert "Created superuser 'admin' (a@example.com)." in out
    assert "Refreshed superuser 'admin' (a@example.com)." in out


def test_refuses_to_run_without_a_password(monkeypatch):
    """No DJANGO_SUPERUSER_PASSWORD, no account: never one with a blank password."""
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_PASSWORD"):
        call_command("ensure_superuser", "--email", "admin@example.com")
    assert not get_user_model().objects.filter(username="admin").exists()


def test_refuses_an_address_that_is_not_one(monkeypatch):
    """`--email admin` is refused with the reason; no account is written."""
    # given
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-password")
    # when / then
    with pytest.raises(CommandError, match="not an e-mail address"):
        call_command("ensure_superuser", "--username", "admin", "--email", "admin")
    assert not get_user_model().objects.filter(username="admin").exists()
    assert not EmailAddress.objects.exists()


def test_refuses_an_address_another_user_holds(monkeypatch, django_user_model):
    """An address already someone else's is refused: sign-in by it would be
    ambiguous; the other account and the admin are left as they were."""
    # given
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-password")
    other = django_user_model.objects.create_user(
        username="sam", email="admin@example.com", password="x"
    )
    EmailAddress.objects.create(user=other, email="admin@example.com", verified=True)
    # when / then
    with pytest.raises(CommandError, match="belongs to another user"):
        call_command(
            "ensure_superuser", "--username", "admin", "--email", "admin@example.com"
        )
    assert not django_user_model.objects.filter(username="admin").exists()
    assert EmailAddress.objects.get(email="admin@example.com").user == other
