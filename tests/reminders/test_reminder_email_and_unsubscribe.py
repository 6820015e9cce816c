"""A reminder says what to do, with absolute one-click links, and carries RFC 8058's
one-click unsubscribe: a POST with the signed token turns reminders off without a
session; a GET only asks; a tampered token changes nothing."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from certwright.audit.models import Event
from certwright.reminders.models import ReminderChoice, ReminderPreference
from certwright.reminders.selectors import reminder_choice
from tests.support.reminders import expires_on, parsed, reminded_technician, sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def reminder() -> tuple[int, str, object]:
    """(technician id, unsubscribe URL, the message) of a 30-day reminder for A1."""
    with time_machine.travel(dt.date(2030, 1, 1), tick=False):
        technician = reminded_technician(passed_on=dt.date(2026, 1, 1))
    day = expires_on(technician) - dt.timedelta(days=30)
    result, sent = sweep(on=day)
    assert result.sent == 1
    (message,) = sent
    header = str(parsed(message)["List-Unsubscribe"]).strip()
    assert header.startswith("<")
    assert header.endswith(">")
    return technician.pk, header[1:-1], message


def test_the_message_carries_rfc_8058_one_click_headers(reminder) -> None:
    """List-Unsubscribe is one absolute https-or-site URL in angle brackets, and
    List-Unsubscribe-Post says One-Click, as a mail client parses them."""
    _, url, message = reminder
    headers = parsed(message)
    site = str(settings.CERTWRIGHT_SITE_URL).rstrip("/")
    assert url.startswith(f"{site}/reminders/unsubscribe/")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_message_says_what_to_do_with_absolute_links(reminder) -> None:
    """The valid-through date, the certification's card on the dashboard (where one
    click puts the recertification test in the cart), the renewal
    app (A is an eligible series), the settings page and the unsubscribe link."""
    _, url, message = reminder
    site = str(settings.CERTWRIGHT_SITE_URL).rstrip("/")
    body = message.body
    assert "valid through 2030-12-31" in body
    assert f"Take the recertification test: {site}/me/keep/A1/" in body
    assert f"renewal app: {site}/renewal/" in body
    assert f"{site}/reminders/" in body
    assert url in body
    html = message.alternatives[0][0]
    assert f'href="{site}/me/keep/A1/"' in html
    assert url in html


def test_a_get_only_asks(reminder, client: Client) -> None:
    """A link scanner that follows the link unsubscribes nobody."""
    technician_id, url, _ = reminder
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200
    assert b"Stop expiry reminders" in response.content
    assert b'method="post"' in response.content
    assert reminder_choice(technician_id) == ReminderChoice.ALL


def test_the_one_click_post_unsubscribes_without_a_session_or_csrf(reminder) -> None:
    """RFC 8058: the mail client's POST, no cookie, no CSRF token: 200, reminders
    off, with an event naming the link as the actor."""
    technician_id, url, _ = reminder
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        urlsplit(url).path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert reminder_choice(technician_id) == ReminderChoice.NONE
    event = Event.objects.get(kind="reminder_preference.changed")
    assert event.actor_label == "unsubscribe-link"
    assert event.data == {"before": "all", "after": "none"}
    # and again: still 200, nothing more recorded
    assert client.post(urlsplit(url).path).status_code == 200
    assert Event.objects.filter(kind="reminder_preference.changed").count() == 1


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "2" + token[1:],
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_token_changes_nothing(reminder, tamper) -> None:
    """A token whose signature does not match: 400, and no preference or event."""
    _, url, _ = reminder
    path = urlsplit(url).path
    token = path.rstrip("/").rsplit("/", 1)[1]
    bad = path.replace(token, tamper(token))
    client = Client(enforce_csrf_checks=True)
    assert client.post(bad).status_code == 400
    assert client.get(bad).status_code == 400
    assert not ReminderPreference.objects.exists()
    assert not Event.objects.filter(kind="reminder_preference.changed").exists()
