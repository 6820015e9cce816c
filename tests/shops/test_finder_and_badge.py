"""The public finder (by ZIP code or city, names only with consent, a fixed number
of queries), the badge, and the pages of a shop's members and its technicians."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from certwright.accounts.models import MembershipRole
from certwright.accounts.services import membership_add, technician_link_user
from certwright.shops.models import Employment, ShopProfile
from certwright.shops.services import employment_consent_set, employment_end
from tests.support.commerce import user_make
from tests.support.shops import employ, passes_record, shop_make, technician_make

pytestmark = pytest.mark.django_db


def _recognised_shop(name: str, *, zip_code: str, city: str, named: bool) -> Any:
    shop = shop_make(name, zip_code=zip_code, city=city)
    tech = technician_make(f"{name} Tech")
    passes_record(tech, ["A1"])
    employment = employ(shop, tech)
    if named:
        employment_consent_set(employment_id=employment.pk, show_name=True)
    return shop


def test_the_finder_lists_recognised_shops_by_zip_or_city(client: Client) -> None:
    # given two recognised shops and one with no certified technician
    _recognised_shop("North Garage", zip_code="30301", city="Atlanta", named=True)
    _recognised_shop("South Garage", zip_code="31201", city="Macon", named=False)
    shop_make("Empty Garage", zip_code="30302", city="Atlanta")
    # when searched by the first digits of a ZIP code
    page = client.get("/shops/", {"q": "303"}).content.decode()
    # then only the recognised shop there, with its level and count
    assert "North Garage" in page
    assert "South Garage" not in page
    assert "Empty Garage" not in page
    assert "Blue Seal of Excellence" in page
    assert "1 certified technician" in page
    # when searched by city, case ignored
    page = client.get("/shops/", {"q": "macon"}).content.decode()
    assert "South Garage" in page
    assert "North Garage" not in page


def test_names_show_only_with_consent(client: Client) -> None:
    _recognised_shop("Named Garage", zip_code="40001", city="Louisville", named=True)
    _recognised_shop("Quiet Garage", zip_code="40002", city="Louisville", named=False)
    page = client.get("/shops/", {"q": "Louisville"}).content.decode()
    assert "Named Garage Tech" in page
    assert "Quiet Garage Tech" not in page


def test_the_finder_runs_a_fixed_number_of_queries(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    for n in range(6):
        _recognised_shop(f"Garage {n}", zip_code=f"5000{n}", city="Omaha", named=True)
    with django_assert_max_num_queries(6):
        response = client.get("/shops/", {"q": "Omaha"})
    assert response.content.decode().count('class="card shop-entry"') == 6


def test_an_empty_or_overlong_query_is_answered_calmly(client: Client) -> None:
    assert client.get("/shops/").status_code == 200
    response = client.get("/shops/", {"q": "9" * 500})
    assert response.status_code == 200
    assert "No recognised shop there yet" in response.content.decode()


def test_the_badge_shows_the_recognition_and_says_when_it_is_lost(
    client: Client,
) -> None:
    shop = _recognised_shop(
        "Badge Garage", zip_code="60601", city="Chicago", named=False
    )
    # when the badge is fetched, then an SVG, cacheable, naming the level and
    # linking to the shop's entry
    response = client.get(f"/shops/{shop.code}/badge.svg")
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "max-age=" in response["Cache-Control"]
    svg = response.content.decode()
    assert "Blue Seal of Excellence" in svg
    assert f"/shops/{shop.code}/" in svg
    # when the shop's technician leaves, then the same URL says it is not recognised
    employment_end(employment_id=Employment.objects.get(shop=shop).pk, side="shop")
    svg = client.get(f"/shops/{shop.code}/badge.svg").content.decode()
    assert "Not currently recognised" in svg
    assert "Blue Seal" not in svg
    # and an unknown code is 404
    assert client.get("/shops/NOSUCH/badge.svg").status_code == 404


def test_a_shop_member_edits_the_profile_and_an_outsider_cannot(client: Client) -> None:
    shop = shop_make("Member Garage")
    member, outsider = user_make(), user_make()
    membership_add(organization_id=shop.pk, user=member, role=MembershipRole.MEMBER)
    # the organization page links to the shop's page
    client.force_login(member)
    page = client.get(f"/account/organizations/{shop.pk}/").content.decode()
    assert f"/shops/manage/{shop.pk}/" in page
    page = client.get(f"/shops/manage/{shop.pk}/").content.decode()
    # the badge's HTML to copy, escaped once for the text box
    assert f"&lt;img src=&quot;http://testserver/shops/{shop.code}/badge.svg" in page
    # when the member saves the profile, then it is stored
    response = client.post(
        f"/shops/manage/{shop.pk}/profile/",
        {
            "address": "2 Oak Road",
            "zip_code": "99501",
            "city": "Anchorage",
            "areas": ["brakes", "collision"],
        },
    )
    assert response.status_code == 302
    profile = ShopProfile.objects.get(organization=shop)
    assert (profile.city, profile.areas) == ("Anchorage", ["brakes", "collision"])
    # when an unknown area is posted, then a 400 and nothing changes
    response = client.post(
        f"/shops/manage/{shop.pk}/profile/",
        {"address": "", "zip_code": "1", "city": "X", "areas": ["teleport"]},
    )
    assert response.status_code == 400
    profile.refresh_from_db()
    assert profile.city == "Anchorage"
    # an outsider gets 404 on the page and on its actions
    client.force_login(outsider)
    assert client.get(f"/shops/manage/{shop.pk}/").status_code == 404
    assert (
        client.post(
            f"/shops/manage/{shop.pk}/invite/", {"certification_id": "X"}
        ).status_code
        == 404
    )


def test_a_technician_confirms_an_invitation_and_chooses_to_be_named(
    client: Client,
) -> None:
    shop = _recognised_shop(
        "Invite Garage", zip_code="70001", city="Metairie", named=False
    )
    member = user_make()
    membership_add(organization_id=shop.pk, user=member, role=MembershipRole.ADMIN)
    tech = technician_make("Ivy Invited")
    passes_record(tech, ["A5"])
    user = user_make()
    technician_link_user(technician_id=tech.pk, user=user)
    # when the shop invites through its page
    client.force_login(member)
    client.post(
        f"/shops/manage/{shop.pk}/invite/", {"certification_id": tech.certification_id}
    )
    employment = Employment.objects.get(shop=shop, technician=tech)
    assert employment.state == "proposed"
    # when the technician confirms and agrees to be named on their page
    client.force_login(user)
    assert "Invite Garage" in client.get("/shops/mine/").content.decode()
    client.post(f"/shops/mine/{employment.pk}/confirm/")
    client.post(f"/shops/mine/{employment.pk}/consent/", {"show_name": "1"})
    employment.refresh_from_db()
    assert employment.is_active
    assert employment.show_name
    assert "Ivy Invited" in client.get("/shops/", {"q": "70001"}).content.decode()
    # another technician cannot touch it
    client.force_login(user_make())
    assert client.post(f"/shops/mine/{employment.pk}/end/").status_code == 404
