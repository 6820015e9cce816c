"""Removing a member on the organization's admin page goes through the accounts
service, so the removal has its audit event; renaming it has one too."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from certwright.accounts.models import Membership, Organization
from certwright.accounts.services import membership_add, organization_create
from certwright.audit.models import Event
from tests.support.scheduling import user_create

pytestmark = pytest.mark.django_db


def _change(client: Client, organization: Organization, **data: Any) -> Any:
    membership = Membership.objects.get(organization=organization)
    form = {
        "name": organization.name,
        "kind": organization.kind,
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": str(membership.pk),
        "memberships-0-organization": str(organization.pk),
        "memberships-0-user": str(membership.user_id),
        "memberships-0-role": membership.role,
        "share_grants-TOTAL_FORMS": "0",
        "share_grants-INITIAL_FORMS": "0",
        **data,
    }
    url = reverse("admin:accounts_organization_change", args=[organization.pk])
    return client.post(url, form)


@pytest.fixture
def organization() -> Organization:
    organization = organization_create(name="Main Street Auto", kind="shop")
    membership_add(organization_id=organization.pk, user=user_create())
    return organization


def test_deleting_a_membership_inline_writes_the_removal_event(
    admin_client: Client, organization: Organization
) -> None:
    """Ticking "delete" on a member removes them with an
    organization.member_removed event naming the admin."""
    # when
    response = _change(admin_client, organization, **{"memberships-0-DELETE": "on"})

    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not Membership.objects.filter(organization=organization).exists()
    event = Event.objects.get(kind="organization.member_removed")
    assert event.actor_label != "system"


def test_renaming_an_organization_writes_an_event(
    admin_client: Client, organization: Organization
) -> None:
    """A rename is recorded with the name before and after."""
    # when
    response = _change(admin_client, organization, name="Main Street Motors")

    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    organization.refresh_from_db()
    assert organization.name == "Main Street Motors"
    event = Event.objects.get(kind="organization.updated")
    assert event.data["before"]["name"] == "Main Street Auto"
    assert event.data["after"]["name"] == "Main Street Motors"
