"""Who may do what is decided by an account's flags and groups (roles are groups):
changed on the admin's user page, each change goes through the accounts services
and leaves an event naming the admin; deleting an account leaves one too."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from certwright.audit.models import Event
from certwright.core.roles import Role, role_add, user_has_role
from tests.support.scheduling import user_create

pytestmark = pytest.mark.django_db


def _save(client: Client, user: Any, **changes: Any) -> Any:
    form = {
        "username": user.username,
        "email": user.email,
        "first_name": "",
        "last_name": "",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "groups": [str(g.pk) for g in Group.objects.filter(user=user).order_by("pk")],
        **changes,
    }
    form = {k: v for k, v in form.items() if v is not None}
    url = reverse("admin:auth_user_change", args=[user.pk])
    return client.post(url, form)


def test_giving_a_role_and_staff_on_the_user_page_is_audited(admin_client):
    """Ticking Django staff and adding the program_staff group: the role is added
    through the role service (account.role_added) and the flag change is an
    account.flags_changed event, both naming the admin."""
    # given a plain account
    user = user_create("centre.admin@example.com")
    group, _created = Group.objects.get_or_create(name=Role.PROGRAM_STAFF.value)
    # when the admin makes them staff and program staff
    response = _save(admin_client, user, is_staff="on", groups=[str(group.pk)])
    # then
    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert user.is_staff
    assert user_has_role(user, Role.PROGRAM_STAFF)
    added = Event.objects.get(kind="account.role_added", subject=f"user:{user.pk}")
    assert added.data["role"] == "program_staff"
    assert added.actor_label != "system"
    flags = Event.objects.get(kind="account.flags_changed", subject=f"user:{user.pk}")
    assert flags.data["flags"] == {"is_staff": {"before": False, "after": True}}


def test_taking_a_role_away_on_the_user_page_is_audited(admin_client):
    user = user_create("former.proctor@example.com")
    role_add(user, Role.PROCTOR, actor="setup")
    response = _save(admin_client, user, groups=None)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not user_has_role(user, Role.PROCTOR)
    assert Event.objects.filter(
        kind="account.role_removed", subject=f"user:{user.pk}"
    ).exists()
    # an unchanged save writes no flag event
    assert not Event.objects.filter(kind="account.flags_changed").exists()


def test_deleting_an_account_is_audited(admin_client):
    user = user_create("gone@example.com")
    pk = user.pk
    url = reverse("admin:auth_user_delete", args=[pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    event = Event.objects.get(kind="account.deleted", subject=f"user:{pk}")
    assert event.data["email"] == "gone@example.com"
