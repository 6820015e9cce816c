"""The employer's landing page is their organization: the roster, the members,
and for a shop's administrators the link to the vouchers; /account/organizations/
goes straight to the one organization, or lists several, or says none."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from certwright.accounts.models import MembershipRole, OrganizationKind
from certwright.accounts.services import membership_add, organization_create

pytestmark = pytest.mark.django_db


def test_a_shop_administrator_sees_members_and_the_vouchers_link(
    client: Client, make_user: Any
) -> None:
    """The shop's page lists both members and links to /shop/vouchers/, which
    opens."""
    # given a shop with an administrator and a member
    shop = organization_create(
        name="Main Street Auto", code="MAINST", kind=OrganizationKind.SHOP
    )
    boss = make_user("boss@example.com", name="Jordan Price")
    clerk = make_user("clerk@example.com", name="Kim Clerk")
    membership_add(organization_id=shop.pk, user=boss, role=MembershipRole.ADMIN)
    membership_add(organization_id=shop.pk, user=clerk)
    client.force_login(boss)

    # when the administrator lands
    landing = client.get("/account/organizations/")
    page = client.get(landing["Location"]).content.decode()

    # then it is the shop's page, with members and vouchers
    assert landing["Location"] == f"/account/organizations/{shop.pk}/"
    assert "Jordan Price" in page
    assert "Kim Clerk" in page
    assert 'href="/shop/vouchers/"' in page
    assert client.get("/shop/vouchers/").status_code == 200


def test_members_and_employers_see_no_vouchers_link(
    client: Client, make_user: Any
) -> None:
    """A shop's plain member, and an employer's administrator, have no vouchers to
    open: no link to them."""
    # given
    shop = organization_create(
        name="Main Street Auto", code="MAINST", kind=OrganizationKind.SHOP
    )
    fleet = organization_create(
        name="Fleet Co", code="FLEET", kind=OrganizationKind.EMPLOYER
    )
    clerk = make_user("clerk@example.com")
    manager = make_user("manager@example.com")
    membership_add(organization_id=shop.pk, user=clerk)
    membership_add(organization_id=fleet.pk, user=manager, role=MembershipRole.ADMIN)

    # then
    for user, organization in ((clerk, shop), (manager, fleet)):
        client.force_login(user)
        page = client.get(f"/account/organizations/{organization.pk}/")
        assert page.status_code == 200
        assert "/shop/vouchers/" not in page.content.decode()


def test_several_organizations_are_listed_and_none_is_explained(
    client: Client, make_user: Any
) -> None:
    """Two memberships: a list of both; none: a word on how to be added."""
    # given
    first = organization_create(name="Alpha Auto", code="ALPHA")
    second = organization_create(name="Beta Brakes", code="BETA")
    both = make_user("both@example.com")
    nobody = make_user("nobody@example.com")
    for organization in (first, second):
        membership_add(organization_id=organization.pk, user=both)

    # when
    client.force_login(both)
    listed = client.get("/account/organizations/")
    client.force_login(nobody)
    empty = client.get("/account/organizations/")

    # then
    assert listed.status_code == 200
    assert "Alpha Auto" in listed.content.decode()
    assert "Beta Brakes" in listed.content.decode()
    assert empty.status_code == 200
    assert "No organization has added you" in empty.content.decode()
