"""Password reset by e-mail link."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from certwright.notifications.models import EmailStatus, OutboundEmail
from tests.accounts.helpers import link_in_mail, post_committed, sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Fresh-lantern-orbit-42"


def test_reset_link_sets_a_new_password(client: Client, make_user: Any) -> None:
    """The mailed link lets the owner choose a new password; the old one stops
    working and the new one signs in."""
    # given
    make_user("ana@example.com")

    # when: a reset is asked for
    asked = post_committed(
        client, "/accounts/password/reset/", {"email": "ana@example.com"}
    )

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
    asked = post_committed(
        client, "/accounts/password/reset/", {"email": "nobody@example.com"}
    )

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
    post_committed(client, "/accounts/password/reset/", {"email": "ana@example.com"})
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


def test_the_reset_mail_is_queued_and_sent_only_after_commit(
    client: Client, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """allauth's mail goes the way of every Certwright e-mail: stored with the
    request's work and handed to the task queue when it commits, so an SMTP outage
    never fails the request and a rolled-back request mails nobody."""
    # given
    make_user("ana@example.com")

    # when: the request runs but its transaction has not committed yet
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        asked = client.post("/accounts/password/reset/", {"email": "ana@example.com"})

    # then: nothing sent, the message stored and queued
    assert asked.status_code == 302
    assert mail.outbox == []
    [stored] = OutboundEmail.objects.all()
    assert stored.to == ["ana@example.com"]
    assert stored.status == EmailStatus.QUEUED
    assert stored.subject.startswith("[Certwright] ")
    assert "/accounts/password/reset/key/" in stored.text_body
    assert len(callbacks) == 1

    # when: it commits
    callbacks[0]()

    # then: delivered by the task, and recorded as sent
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]
    stored.refresh_from_db()
    assert stored.status == EmailStatus.SENT


def test_an_smtp_outage_does_not_fail_the_reset_request(
    client: Client, make_user: Any, settings: Any
) -> None:
    """With the mail server down the request still succeeds; the message waits for
    a retry instead of being lost."""
    # given: an SMTP server nobody listens on
    make_user("ana@example.com")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    settings.EMAIL_TIMEOUT = 2

    # when
    asked = post_committed(
        client, "/accounts/password/reset/", {"email": "ana@example.com"}
    )

    # then
    assert asked.status_code == 302
    [stored] = OutboundEmail.objects.all()
    assert stored.status in {EmailStatus.QUEUED, EmailStatus.FAILED}
    assert stored.attempts >= 1
    assert stored.last_error
