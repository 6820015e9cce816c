"""`certwright ensure_superuser` gives `make run` a login that works on every start."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_creates_the_superuser_then_resets_its_password(monkeypatch, capsys):
    """The first run creates the account; a later run restores access and password."""
    # given
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "first-password")
    call_command("ensure_superuser", "--username", "admin")
    user = get_user_model().objects.get(username="admin")
    user.is_active = False
    user.is_superuser = False
    user.save()
    # when
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "second-password")
    call_command("ensure_superuser", "--username", "admin")
    # then
    user.refresh_from_db()
    assert (user.is_active, user.is_staff, user.is_superuser) == (True, True, True)
    assert user.check_password("second-password")
    out = capsys.readouterr().out
    assert "Created superuser 'admin'." in out
    assert "Refreshed superuser 'admin'." in out


def test_refuses_to_run_without_a_password(monkeypatch):
    """No DJANGO_SUPERUSER_PASSWORD, no account: never one with a blank password."""
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_PASSWORD"):
        call_command("ensure_superuser")
    assert not get_user_model().objects.filter(username="admin").exists()
