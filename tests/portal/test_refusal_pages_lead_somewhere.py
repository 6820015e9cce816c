"""A page refused to a role (403) links to that person's own page, never to a
page that answers 404 (the shop's refusal once linked to /shop/vouchers/)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from certwright.core.roles import Role, role_add

pytestmark = pytest.mark.django_db


def _signed_in(client: Client, django_user_model: Any, role: Role) -> None:
    user = django_user_model.objects.create_user(username="p", email="p@example.com")
    role_add(user, role)
    client.force_login(user)


def _links(html: str) -> list[str]:
    """The site's links inside the page's main landmark."""
    main = html.split('<main id="main">', 1)[1]
    return re.findall(r'href="(/[^"]*)"', main)


@pytest.mark.parametrize(
    ("role", "url", "home"),
    [
        (Role.EMPLOYER, "/shop/cart/", "/account/organizations/"),
        (Role.EMPLOYER, "/renewal/", "/account/organizations/"),
        (Role.CANDIDATE, "/staff/", "/me/"),
    ],
)
def test_a_refused_page_links_to_your_own_page(
    client: Client,
    django_user_model: Any,
    settings: Any,
    role: Role,
    url: str,
    home: str,
) -> None:
    """403, with "Go to your page"; every link on it answers."""
    # given
    settings.CERTWRIGHT_STAFF_MFA = False
    _signed_in(client, django_user_model, role)
    # when
    response = client.get(url)
    # then
    assert response.status_code == 403
    links = _links(response.content.decode())
    assert home in links
    assert "/shop/vouchers/" not in links
    for link in links:
        assert client.get(link, follow=True).status_code == 200, link
