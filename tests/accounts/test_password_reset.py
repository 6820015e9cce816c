"""Password reset by e-mail link."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from tests.accounts.helpers import link_in_mail, sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Fresh-lantern-orbit-42"


def test_reset_link_sets_a_new_password(client: Client, make_user: Any) -> None:
    """The mailed link lets the owner choose a new password; the old one stops
    working and the new one signs in."""
    # given
    make_user("ana@example.com")

    # when: a reset is asked for
    asked = client.post("/accounts/password/reset/", {"email": "ana@example.com"})

    # then
    assert asked.status_code == 302
    assert len(mail.outbox) == 1
    link = link_in_mail("/accounts/password/reset/key/")

    # when: the link is followed (allauth moves the key into the session) and a
    # new password chosen
    landing = client.get(link)
    assert landing.status_code == 302
    form_url = landing["Location"]
    page = client.get(form_url)
    assert page.status_code == 200
    done = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    # then
    assert done.status_code == 302
    assert done["Location"] == "/accounts/password/reset/key/done/"
    client.logout()
    assert sign_in(client, "ana@example.com").status_code == 200  # refused
    assert "_auth_user_id" not in client.session
    assert sign_in(client, "ana@example.com", NEW_PASSWORD).status_code == 302
    assert "_auth_user_id" in client.session


def test_reset_for_an_unknown_address_reveals_nothing(client: Client) -> None:
    """Asking for a reset for an address with no account looks the same to the
    asker (allauth mails the address that it has no account instead)."""
    # when
    asked = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})

    # then
    assert asked.status_code == 302
    assert asked["Location"] == "/accounts/password/reset/done/"
    assert "/accounts/password/reset/key/" not in "".join(
        str(m.body) for m in mail.outbox
    )


def test_a_used_reset_link_does_not_work_twice(client: Client, make_user: Any) -> None:
    """Once the password is changed, the same link is refused."""
    # given
    make_user("ana@example.com")
    client.post("/accounts/password/reset/", {"email": "ana@example.com"})
    link = link_in_mail("/accounts/password/reset/key/")
    form_url = client.get(link)["Location"]
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.logout()

    # when
    again = Client()
    landing = again.get(link, follow=True)

    # then
    assert "token_fail" in landing.context or b"invalid" in landing.content.lower()
    assert "_auth_user_id" not in again.session
