"""Two-factor authentication: required for staff, proctors, centre admins and
program staff; set up with an authenticator app (TOTP)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.test import Client

from certwright.core.roles import Role
from tests.accounts.helpers import PASSWORD, sign_in, totp_code

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"
REAUTHENTICATE = "/accounts/reauthenticate/"


@pytest.fixture
def frozen() -> Iterator[None]:
    # The code the test computes and the one the server expects come from the same
    # 30-second window.
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False):
        yield


def _activate_totp(client: Client) -> str:
    """Set up TOTP as a person does: confirm the password (allauth asks before any
    2FA change), read the key off the page, type a code."""
    asked = client.get(ACTIVATE)
    assert asked.status_code == 302
    assert asked["Location"].startswith(REAUTHENTICATE)
    confirmed = client.post(asked["Location"], {"password": PASSWORD})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == ACTIVATE
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    secret = page.context["form"].secret
    html = page.content.decode()
    assert secret in html
    assert "must sign in with a second factor" in html
    done = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert done.status_code == 302, done.content.decode()
    return secret


@pytest.mark.parametrize(
    "kind",
    ["staff", "superuser", Role.PROCTOR, Role.CENTRE_ADMIN, Role.PROGRAM_STAFF],
)
def test_privileged_accounts_are_sent_to_set_up_2fa(
    client: Client, make_user: Any, kind: str
) -> None:
    """Until they have an authenticator, every page sends them to set one up."""
    # given
    make_user(
        "p@example.com",
        staff=kind == "staff",
        superuser=kind == "superuser",
        roles=() if kind in ("staff", "superuser") else (Role(kind),),
    )
    sign_in(client, "p@example.com")

    # when
    pages = [client.get(url) for url in ("/account/profile/", "/me/", "/")]

    # then
    for page in pages:
        assert page.status_code == 302
        assert page["Location"] == ACTIVATE
    # The set-up (after allauth's password confirmation) is reachable.
    reauthenticate = client.get(ACTIVATE)["Location"]
    assert reauthenticate.startswith(REAUTHENTICATE)
    assert client.get(reauthenticate).status_code == 200


def test_the_api_answers_403_json_instead_of_redirecting(
    client: Client, make_user: Any
) -> None:
    """A proctor without 2FA gets a JSON refusal from the API."""
    # given
    make_user("p@example.com", roles=(Role.PROCTOR,))
    sign_in(client, "p@example.com")

    # when
    response = client.get("/api/accounts/me")

    # then
    assert response.status_code == 403
    assert "Two-factor" in response.json()["detail"]


def test_sign_out_and_static_files_stay_reachable(
    client: Client, make_user: Any
) -> None:
    """A proctor who does not want to set up 2FA now can still sign out."""
    # given
    make_user("p@example.com", roles=(Role.PROCTOR,))
    sign_in(client, "p@example.com")

    # when
    css = client.get("/static/core/site.css")
    out = client.post("/accounts/logout/")

    # then
    assert css.status_code == 200
    assert out.status_code == 302
    assert "_auth_user_id" not in client.session


def test_candidates_and_employers_are_not_asked(client: Client, make_user: Any) -> None:
    """2FA is optional for candidates and employers."""
    # given
    make_user("c@example.com", roles=(Role.CANDIDATE, Role.EMPLOYER))
    sign_in(client, "c@example.com")

    # when
    page = client.get("/account/profile/")

    # then
    assert page.status_code == 200


def test_setting_up_totp_lets_the_proctor_in_and_sign_in_then_asks_for_a_code(
    client: Client, make_user: Any, frozen: None
) -> None:
    """After activation with a code from the app, pages open; the next sign-in asks
    for a code after the password, and a right code completes it."""
    # given
    proctor = make_user("p@example.com", roles=(Role.PROCTOR,))
    sign_in(client, "p@example.com")

    # when
    secret = _activate_totp(client)

    # then
    assert Authenticator.objects.filter(
        user=proctor, type=Authenticator.Type.TOTP
    ).exists()
    assert client.get("/account/profile/").status_code == 200
    assert client.get("/api/accounts/me").json()["mfa_enabled"] is True

    # when: a fresh sign-in
    fresh = Client()
    after_password = sign_in(fresh, "p@example.com")

    # then: not signed in yet; asked for a code
    assert after_password.status_code == 302
    assert after_password["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in fresh.session
    wrong = fresh.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in fresh.session
    right = fresh.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert right.status_code == 302
    assert fresh.session["_auth_user_id"] == str(proctor.pk)
    assert fresh.get("/account/profile/").status_code == 200


def test_a_wrong_code_does_not_activate(
    client: Client, make_user: Any, frozen: None
) -> None:
    """A wrong code re-shows the form with the error on the code field."""
    # given
    make_user("p@example.com", roles=(Role.PROCTOR,))
    sign_in(client, "p@example.com")
    client.post(client.get(ACTIVATE)["Location"], {"password": PASSWORD})
    client.get(ACTIVATE)

    # when
    response = client.post(ACTIVATE, {"code": "123456"})

    # then
    assert response.status_code == 200
    assert 'id="id_code_error"' in response.content.decode()
    assert not Authenticator.objects.exists()
    assert client.get("/account/profile/").status_code == 302


def test_the_admin_login_goes_through_allauth(client: Client, make_user: Any) -> None:
    """/admin/login/ sends people to allauth's sign-in (so 2FA and the lock-out
    apply); staff then reach the admin once 2FA is set up."""
    # when
    anonymous = client.get("/admin/login/?next=/admin/")
    index = client.get("/admin/")

    # then
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/?next=")
    assert index.status_code == 302
    assert "/admin/login/" in index["Location"]

    # when: staff sign in through allauth, without 2FA
    make_user("s@example.com", staff=True)
    sign_in(client, "s@example.com")

    # then
    assert client.get("/admin/")["Location"] == ACTIVATE


def test_a_signed_in_non_staff_user_is_refused_the_admin_login(
    client: Client, make_user: Any
) -> None:
    """A candidate at /admin/login/ gets 403, not a second login form."""
    # given
    make_user("c@example.com", roles=(Role.CANDIDATE,))
    sign_in(client, "c@example.com")

    # when
    response = client.get("/admin/login/")

    # then
    assert response.status_code == 403
