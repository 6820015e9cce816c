"""Sign-up: verification e-mail, confirmation, a technician with a certification ID."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from certwright.audit.models import Event
from certwright.candidates.ids import certification_id_normalize
from certwright.candidates.models import Technician
from certwright.candidates.selectors import technician_for_user
from certwright.core.roles import Role, user_has_role
from tests.accounts.helpers import PASSWORD, link_in_mail, post_committed, sign_in

pytestmark = pytest.mark.django_db


def _sign_up(client: Client, **overrides: str) -> Any:
    data = {
        "name": "  Ana   María López ",
        "email": "ana@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return post_committed(client, "/accounts/signup/", data)


def test_sign_up_sends_a_verification_mail_and_confirming_signs_in(
    client: Client,
) -> None:
    """Signing up mails a confirmation link; confirming it signs the candidate in and
    gives them a technician record with a certification ID under their legal name."""
    # when
    response = _sign_up(client)

    # then: told to check their mail; nothing more yet
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = get_user_model().objects.get(email="ana@example.com")
    assert user.get_full_name() == "Ana María López"
    assert user_has_role(user, Role.CANDIDATE)
    assert technician_for_user(user) is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.com"]
    assert mail.outbox[0].subject.startswith("[Certwright] ")

    # when: the link is followed and the address confirmed
    link = link_in_mail("/accounts/confirm-email/")
    page = client.get(link)
    assert page.status_code == 200
    confirmed = client.post(link)

    # then: signed in, on the dashboard, with a technician record
    assert confirmed.status_code == 302
    assert confirmed["Location"] == "/me/landing/"
    assert client.get(confirmed["Location"])["Location"] == "/me/"
    assert client.session.get("_auth_user_id") == str(user.pk)
    technician = Technician.objects.get(user=user)
    assert technician.name == "Ana María López"
    assert technician.email == "ana@example.com"
    assert certification_id_normalize(technician.certification_id) == (
        technician.certification_id
    )
    assert Event.objects.filter(
        kind="technician.created", technician_id=technician.pk
    ).exists()

    # and the profile shows the ID
    profile = client.get("/account/profile/")
    assert profile.status_code == 200
    assert technician.certification_id in profile.content.decode()


def test_an_unverified_account_cannot_sign_in(client: Client) -> None:
    """Until the address is confirmed, signing in only re-sends the link."""
    # given
    _sign_up(client)
    client.logout()
    mail.outbox.clear()

    # when
    response = sign_in(client, "ana@example.com")

    # then
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    assert not Technician.objects.exists()


def test_confirming_twice_keeps_one_technician(client: Client) -> None:
    """A second confirmation (a double click, staff verifying too) changes nothing."""
    # given
    _sign_up(client)
    link = link_in_mail("/accounts/confirm-email/")
    client.post(link)
    user = get_user_model().objects.get(email="ana@example.com")
    first = Technician.objects.get(user=user)

    # when: staff mark the address verified again (allauth's admin sends the signal)
    from certwright.accounts.receivers import on_email_confirmed

    address = EmailAddress.objects.get(user=user)
    on_email_confirmed(sender=EmailAddress, request=None, email_address=address)

    # then
    assert list(Technician.objects.filter(user=user)) == [first]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "Ana\x00López"}, "name"),
        ({"email": "not-an-address"}, "email"),
        ({"password2": "something-else-entirely"}, "password2"),
        ({"password1": "123", "password2": "123"}, "password1"),
    ],
)
def test_sign_up_refuses_bad_input_with_a_message_on_the_field(
    client: Client, overrides: dict[str, str], field: str
) -> None:
    """Bad input re-shows the form with the error tied to its field; nothing saved."""
    # when
    response = _sign_up(client, **overrides)

    # then
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.get(field), form.errors
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert "aria-invalid" in html
    assert not get_user_model().objects.exists()
    assert mail.outbox == []


def test_a_staff_account_confirming_an_address_gets_no_technician(
    make_user: Any,
) -> None:
    """Only candidates get a technician record when an address is verified."""
    # given
    staff = make_user("staff@example.com", staff=True)
    address = EmailAddress.objects.get(user=staff)

    # when
    from certwright.accounts.receivers import on_email_confirmed

    on_email_confirmed(sender=EmailAddress, request=None, email_address=address)

    # then
    assert technician_for_user(staff) is None
