"""The admin for organizations, grants and tokens writes through the services."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from certwright.accounts.models import ApiToken, Membership, Organization, ShareGrant
from certwright.accounts.services import api_token_create, share_grant
from certwright.audit.models import Event
from certwright.core.roles import Role, user_has_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(make_user: Any, with_totp: Any) -> Client:
    admin = make_user("root@example.com", superuser=True)
    with_totp(admin)
    client = Client()
    client.force_login(admin)
    return client


def test_adding_an_organization_gives_it_a_code_and_an_event(
    admin_client: Client, make_user: Any
) -> None:
    """The add form creates the organization through the service (a fresh code,
    an audit event) and its members get the employer role."""
    # given
    boss = make_user("boss@example.com")

    # when
    response = admin_client.post(
        "/admin/accounts/organization/add/",
        {
            "name": "Main Street Auto",
            "kind": "shop",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": str(boss.pk),
            "memberships-0-role": "admin",
            "share_grants-TOTAL_FORMS": "0",
            "share_grants-INITIAL_FORMS": "0",
        },
    )

    # then
    assert response.status_code == 302, response.content.decode()[:3000]
    organization = Organization.objects.get()
    assert len(organization.code) == 6
    assert organization.code.isalpha()
    assert Event.objects.filter(kind="organization.created").exists()
    assert Membership.objects.get(organization=organization).user == boss
    assert user_has_role(boss, Role.EMPLOYER)


def test_admin_lists_load(admin_client: Client, make_candidate: Any) -> None:
    """Changelists and change pages render."""
    # given
    user, technician = make_candidate("ana@example.com")
    shop = Organization.objects.create(name="Shop", code="SHOPAB")
    grant, _ = share_grant(technician_id=technician.pk, organization_id=shop.pk)
    token, _raw = api_token_create(user=user, name="t")

    # then
    for url in (
        "/admin/accounts/organization/",
        f"/admin/accounts/organization/{shop.pk}/change/",
        "/admin/accounts/sharegrant/",
        f"/admin/accounts/sharegrant/{grant.pk}/change/",
        "/admin/accounts/apitoken/",
        f"/admin/accounts/apitoken/{token.pk}/change/",
    ):
        assert admin_client.get(url).status_code == 200, url
    assert admin_client.get("/admin/accounts/apitoken/add/").status_code == 403


def test_admin_actions_revoke(admin_client: Client, make_candidate: Any) -> None:
    """The revoke actions go through the services (events written)."""
    # given
    user, technician = make_candidate("ana@example.com")
    shop = Organization.objects.create(name="Shop", code="SHOPAB")
    grant, _ = share_grant(technician_id=technician.pk, organization_id=shop.pk)
    token, _raw = api_token_create(user=user, name="t")

    # when
    admin_client.post(
        "/admin/accounts/sharegrant/",
        {"action": "revoke", "_selected_action": [str(grant.pk)]},
    )
    admin_client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [str(token.pk)]},
    )

    # then
    assert ShareGrant.objects.get().revoked_at is not None
    assert ApiToken.objects.get().revoked_at is not None
    assert Event.objects.filter(kind="share.revoked").count() == 1
    assert Event.objects.filter(kind="api_token.revoked").count() == 1
