"""API tokens: created once (the secret shown once), hashed at rest, accepted as
``Authorization: Bearer``; a wrong or revoked token is 401."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client

from certwright.accounts.models import ApiToken
from certwright.accounts.services import api_token_create, api_token_revoke
from certwright.audit.models import Event
from certwright.core.roles import Role

pytestmark = pytest.mark.django_db


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_profile_page_creates_a_token_and_shows_it_once(
    client: Client, make_candidate: Any
) -> None:
    """Creating a token shows it on the response page (not cached); only its hash
    is stored, the profile lists it by prefix, and it authenticates the API."""
    # given
    user, technician = make_candidate("ana@example.com")
    client.force_login(user)

    # when
    created = client.post("/account/tokens/", {"name": "payroll sync"})

    # then
    assert created.status_code == 200
    assert (
        "no-store" in created["Cache-Control"] or "no-cache" in created["Cache-Control"]
    )
    raw = created.context["raw"]
    assert raw.startswith("cw_")
    assert raw in created.content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.name == "payroll sync"
    assert token.hashed_secret == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(list(ApiToken.objects.values()))
    profile = client.get("/account/profile/").content.decode()
    assert f"cw_{token.prefix}_" in profile
    assert raw not in profile
    assert Event.objects.filter(kind="api_token.created").exists()

    # when: the token is used
    me = Client().get("/api/accounts/me", headers=_bearer(raw))

    # then
    assert me.status_code == 200
    assert me.json()["certification_id"] == technician.certification_id
    assert me.json()["roles"] == ["candidate"]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_nameless_token_is_refused_with_a_message(
    client: Client, make_user: Any
) -> None:
    """The form re-shows with the error on the name field; no token is made."""
    # given
    client.force_login(make_user("ana@example.com"))

    # when
    response = client.post("/account/tokens/", {"name": "   "})

    # then
    assert response.status_code == 400
    assert 'id="id_name_error"' in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "header",
    [
        "Bearer cw_00000000_not-the-secret",
        "Bearer cw_zz_x",
        "Bearer nonsense",
        "Bearer ",
        "Bearer " + "x" * 5000,
    ],
)
def test_a_wrong_token_is_401(make_user: Any, header: str) -> None:
    """Anything that is not a live token is refused with 401 and JSON."""
    # given
    api_token_create(user=make_user("ana@example.com"), name="real")

    # when
    response = Client().get("/api/accounts/me", HTTP_AUTHORIZATION=header)

    # then
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_token_with_the_right_prefix_and_a_wrong_secret_is_401(
    make_user: Any,
) -> None:
    """Knowing a token's public prefix is not enough."""
    # given
    token, _raw = api_token_create(user=make_user("ana@example.com"), name="real")
    forged = f"cw_{token.prefix}_{'A' * 43}"

    # then
    assert Client().get("/api/accounts/me", headers=_bearer(forged)).status_code == 401


def test_a_revoked_token_is_401(client: Client, make_user: Any) -> None:
    """Revoking (on the profile page) stops the token at once."""
    # given
    user = make_user("ana@example.com")
    token, raw = api_token_create(user=user, name="old")
    client.force_login(user)

    # when
    response = client.post(f"/account/tokens/{token.pk}/revoke/")

    # then
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/accounts/me", headers=_bearer(raw)).status_code == 401


def test_a_token_of_a_deactivated_account_is_401(make_user: Any) -> None:
    """Deactivating the account disables its tokens too."""
    user = make_user("ana@example.com")
    _token, raw = api_token_create(user=user, name="t")
    user.is_active = False
    user.save()
    assert Client().get("/api/accounts/me", headers=_bearer(raw)).status_code == 401


def test_a_proctors_token_needs_2fa(make_user: Any) -> None:
    """A proctor without 2FA (turned off after creating the token) cannot use it."""
    proctor = make_user("p@example.com", roles=(Role.PROCTOR,))
    _token, raw = api_token_create(user=proctor, name="t")
    assert Client().get("/api/accounts/me", headers=_bearer(raw)).status_code == 401


def test_someone_elses_token_cannot_be_revoked(client: Client, make_user: Any) -> None:
    """Another person's token id is 404 on the page and in the API."""
    # given
    ana = make_user("ana@example.com")
    token, _raw = api_token_create(user=ana, name="ana's")
    mallory = make_user("mallory@example.com")
    client.force_login(mallory)
    _own, own_raw = api_token_create(user=mallory, name="mine")

    # when
    page = client.post(f"/account/tokens/{token.pk}/revoke/")
    api = Client().delete(f"/api/accounts/tokens/{token.pk}", headers=_bearer(own_raw))

    # then
    assert page.status_code == 404
    assert api.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_tokens_through_the_api(make_user: Any) -> None:
    """A browser session (with its CSRF token) creates a token through the API; the
    token lists and revokes tokens, but cannot mint new ones."""
    # given
    user = make_user("ana@example.com")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    browser.get("/account/profile/")  # sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value

    # when: no CSRF token
    refused = browser.post(
        "/api/accounts/tokens", {"name": "ci"}, content_type="application/json"
    )
    # when: with it
    created = browser.post(
        "/api/accounts/tokens",
        {"name": "ci"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )

    # then
    assert refused.status_code == 403
    assert created.status_code == 201
    body = created.json()
    raw = body["token"]
    assert body["name"] == "ci"
    assert raw.startswith(f"cw_{body['prefix']}_")

    # when: the token tries to mint another, then lists and revokes itself
    api = Client(enforce_csrf_checks=True)
    minted = api.post(
        "/api/accounts/tokens",
        {"name": "more"},
        content_type="application/json",
        headers=_bearer(raw),
    )
    listed = api.get("/api/accounts/tokens", headers=_bearer(raw))
    revoked = api.delete(f"/api/accounts/tokens/{body['id']}", headers=_bearer(raw))

    # then
    assert minted.status_code == 401
    assert [t["id"] for t in listed.json()] == [body["id"]]
    assert "token" not in listed.json()[0]
    assert revoked.status_code == 204
    assert api.get("/api/accounts/tokens", headers=_bearer(raw)).status_code == 401


@pytest.mark.parametrize(
    "name", ["", "   ", "a" * 101, "bad\x00name", "tab\tseparated\x07"]
)
def test_the_api_refuses_bad_token_names_with_422(make_user: Any, name: str) -> None:
    """Empty, too long or unprintable names are a 422 with a message, not a 500."""
    browser = Client()
    browser.force_login(make_user("ana@example.com"))
    response = browser.post(
        "/api/accounts/tokens", {"name": name}, content_type="application/json"
    )
    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_revoking_twice_is_harmless(make_user: Any) -> None:
    """The second revoke keeps the first time and writes no second event."""
    user = make_user("ana@example.com")
    token, _raw = api_token_create(user=user, name="t")
    first = api_token_revoke(token_id=token.pk).revoked_at
    again = api_token_revoke(token_id=token.pk).revoked_at
    assert first == again
    assert Event.objects.filter(kind="api_token.revoked").count() == 1
