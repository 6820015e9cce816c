"""The profile page: name, e-mail, certification ID, roles, 2FA status, tokens."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from certwright.accounts.services import (
    api_token_create,
    membership_add,
    organization_create,
)
from certwright.core.roles import Role, role_add

pytestmark = pytest.mark.django_db


def test_the_profile_shows_who_i_am(
    client: Client, make_candidate: Any, with_totp: Any
) -> None:
    """Everything about the account on one page."""
    # given
    user, technician = make_candidate("ana@example.com", "Ana María López")
    role_add(user, Role.EMPLOYER)
    shop = organization_create(name="Main Street Auto")
    membership_add(organization_id=shop.pk, user=user)
    api_token_create(user=user, name="payroll sync")
    client.force_login(user)

    # when
    html = client.get("/account/profile/").content.decode()

    # then
    for text in (
        "Ana María López",
        "ana@example.com",
        technician.certification_id,
        "candidate",
        "shop or employer administrator",
        "payroll sync",
        "Main Street Auto",
        f"/account/organizations/{shop.pk}/",
    ):
        assert text in html, text
    assert re.search(r'badge warn">Off', html)

    # when: 2FA is on
    with_totp(user)
    html = client.get("/account/profile/").content.decode()

    # then
    assert 'badge ok">On' in html


def test_account_root_goes_to_the_profile(client: Client, make_user: Any) -> None:
    client.force_login(make_user("x@example.com"))
    assert client.get("/account/")["Location"] == "/account/profile/"


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
)
def test_entrance_forms_label_every_field(client: Client, url: str) -> None:
    """Each visible input has a <label for=...>; pages use the site layout."""
    # when
    html = client.get(url).content.decode()

    # then
    assert 'href="/static/core/site.css"' in html
    ids = re.findall(r'<input (?![^>]*type="hidden")[^>]*id="([^"]+)"', html)
    assert ids
    for input_id in ids:
        assert f'for="{input_id}"' in html, input_id
