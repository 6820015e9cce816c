"""Technicians choose which expiry reminders they get on /reminders/, linked from the
dashboard: every one, only the last before expiry and the one after, or none. Bad
input is a clear error and saves nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from certwright.audit.models import Event
from certwright.reminders.models import ReminderChoice, ReminderPreference
from certwright.reminders.selectors import reminder_choice
from tests.support.reminders import expires_on, reminded_technician, sweep
from tests.support.scheduling import user_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def technician():
    with time_machine.travel(dt.date(2030, 1, 1), tick=False):
        return reminded_technician(passed_on=dt.date(2026, 1, 1))


def test_the_dashboard_links_to_the_settings_page(client, technician) -> None:
    """The dashboard shows the valid-through date and the way to the settings."""
    client.force_login(technician.user)
    text = client.get(reverse("portal:dashboard")).content.decode()
    assert reverse("reminders:settings") in text
    assert "Valid through 2030-12-31" in text


def test_choosing_none_stops_the_reminders(client, technician) -> None:
    """Saved with an event; the sweep then sends nothing on a rung's day."""
    # given
    client.force_login(technician.user)
    page = client.get(reverse("reminders:settings"))
    assert page.status_code == 200
    assert b'name="choice"' in page.content
    assert b'name="viewport"' in page.content  # the base page works at phone width

    # when
    response = client.post(reverse("reminders:settings"), {"choice": "none"})

    # then
    assert response.status_code == 302
    assert reminder_choice(technician.pk) == ReminderChoice.NONE
    assert Event.objects.filter(
        kind="reminder_preference.changed", technician_id=technician.pk
    ).exists()
    result, sent = sweep(on=expires_on(technician) - dt.timedelta(days=30))
    assert (result.sent, sent) == (0, [])


def test_only_the_last_ones(client, technician) -> None:
    """'last': no 30-day reminder, but the 7-day one and the one after expiry."""
    client.force_login(technician.user)
    client.post(reverse("reminders:settings"), {"choice": "last"})
    end = expires_on(technician)
    assert sweep(on=end - dt.timedelta(days=30))[0].sent == 0
    assert sweep(on=end - dt.timedelta(days=7))[0].sent == 1
    assert sweep(on=end + dt.timedelta(days=30))[0].sent == 1


@pytest.mark.parametrize("data", [{"choice": "sometimes"}, {}, {"choice": ""}])
def test_bad_input_is_a_clear_error_and_saves_nothing(client, technician, data) -> None:
    """400 with the error on the page; no preference, no event."""
    client.force_login(technician.user)
    response = client.post(reverse("reminders:settings"), data)
    assert response.status_code == 400
    assert b"Choose one of the options" in response.content
    assert not ReminderPreference.objects.exists()
    assert not Event.objects.filter(kind="reminder_preference.changed").exists()


def test_an_account_without_a_technician_record_is_told_so(client) -> None:
    """403 with a page saying why, not an error."""
    client.force_login(user_create())
    response = client.get(reverse("reminders:settings"))
    assert response.status_code == 403
    assert b"no technician record" in response.content
