"""Every account page and API endpoint refuses someone who is not signed in: pages
send them to sign in, the API answers 401."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from certwright.accounts.services import (
    api_token_create,
    organization_create,
    share_grant,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ids(make_candidate: Any) -> dict[str, int]:
    user, technician = make_candidate("ana@example.com")
    shop = organization_create(name="Main Street Auto")
    grant, _ = share_grant(technician_id=technician.pk, organization_id=shop.pk)
    token, _raw = api_token_create(user=user, name="t")
    return {"token": token.pk, "grant": grant.pk, "organization": shop.pk}


PAGES = [
    ("get", "accounts:home", ()),
    ("get", "accounts:profile", ()),
    ("post", "accounts:token_create", ()),
    ("post", "accounts:token_revoke", ("token",)),
    ("get", "accounts:sharing", ()),
    ("post", "accounts:sharing", ()),
    ("post", "accounts:share_revoke", ("grant",)),
    ("get", "accounts:organization_list", ()),
    ("get", "accounts:organization_detail", ("organization",)),
    ("get", "accounts:organization_roster_csv", ("organization",)),
    ("post", "accounts:organization_watch", ("organization",)),
    ("get", "mfa_index", ()),
    ("get", "mfa_activate_totp", ()),
    ("get", "account_email", ()),
    ("get", "account_change_password", ()),
]


@pytest.mark.parametrize(("method", "name", "args"), PAGES)
def test_pages_send_anonymous_visitors_to_sign_in(
    client: Client, ids: dict[str, int], method: str, name: str, args: tuple[str, ...]
) -> None:
    """Each page redirects to the sign-in form and changes nothing."""
    url = reverse(name, args=[ids[a] for a in args])
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


API = [
    ("get", "/api/accounts/me"),
    ("get", "/api/accounts/tokens"),
    ("post", "/api/accounts/tokens"),
    ("delete", "/api/accounts/tokens/{token}"),
    ("get", "/api/accounts/shares"),
    ("post", "/api/accounts/shares"),
    ("delete", "/api/accounts/shares/{grant}"),
    ("get", "/api/accounts/organizations/{organization}/technicians"),
]


@pytest.mark.parametrize(("method", "path"), API)
def test_api_endpoints_answer_401(ids: dict[str, int], method: str, path: str) -> None:
    """No session, no token: 401 with a JSON body."""
    client = Client(enforce_csrf_checks=True)
    kwargs: dict[str, Any] = {}
    if method == "post":
        kwargs = {"data": {"name": "x", "organization_code": "X"}}
        kwargs["content_type"] = "application/json"
    response = getattr(client, method)(path.format(**ids), **kwargs)
    assert response.status_code == 401, response.content
    assert "detail" in response.json()


def test_every_accounts_api_route_is_covered() -> None:
    """A new endpoint must be added to the list above."""
    from certwright.accounts.api import router

    routes = {
        (method.lower(), "/api/accounts" + path)
        for path, view in router.path_operations.items()
        for op in view.operations
        for method in op.methods
    }
    listed = {(m, p.replace("{token}", "{token_id}")) for m, p in API}
    listed = {
        (
            m,
            p.replace("{grant}", "{share_id}").replace(
                "{organization}", "{organization_id}"
            ),
        )
        for m, p in listed
    }
    assert routes == listed


def test_every_accounts_page_is_covered() -> None:
    """A new page must be added to the list above."""
    from certwright.accounts.urls import urlpatterns

    names = {f"accounts:{p.name}" for p in urlpatterns}
    assert names <= {name for _m, name, _a in PAGES}
