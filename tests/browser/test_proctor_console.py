"""The proctor console in a real browser (Debian's chromium through Playwright): on
a phone-sized screen the proctor checks the candidate in with the keyboard alone
and authorises the seat; the candidate's workstation takes the launch code the
console shows and the player then starts; the console follows
the exam live, keeps what the proctor is typing across refreshes, and axe-core
finds no serious or critical violation on the day or the sitting."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from certwright.core.clock import now
from certwright.delivery.models import Attempt, AttemptStatus
from certwright.proctoring import views as proctoring_views
from certwright.scheduling.models import (
    Appointment,
    AppointmentStatus,
    AppointmentTest,
)
from tests.browser.test_exam_player import _axe, _signed_in, _tab_to
from tests.support.browser import DESKTOP, PHONE, launch_at_seat
from tests.support.delivery import form_create
from tests.support.proctoring import console_proctor
from tests.support.scheduling import candidate_create, centre_create, lines_buy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_numbers = itertools.count(1)


def _booked_now() -> Appointment:
    """A candidate booked for A1 at a centre in UTC from the start of this hour
    (written straight to the tables: booking is the journey test's business)."""
    form_create()
    centre = centre_create(time_zone="UTC", code=f"console{next(_numbers)}")
    technician = candidate_create("Robin Sitter")
    (line,) = lines_buy(technician, "A1")
    start = now().replace(minute=0, second=0, microsecond=0)
    appointment = Appointment.objects.create(
        technician=technician,
        centre=centre,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        status=AppointmentStatus.BOOKED,
        uid=f"{uuid.uuid4()}@test",
    )
    AppointmentTest.objects.create(
        appointment=appointment,
        order_line_id=line.pk,
        test="A1",
        kind="initial",
        minutes=75,
        must_take_by=line.must_take_by,
    )
    return appointment


@pytest.fixture
def opened() -> Iterator[list[Any]]:
    """Browser contexts to close at the end (their pages poll the live server)."""
    contexts: list[Any] = []
    yield contexts
    for context in contexts:
        context.close()


def test_a_proctor_checks_in_and_authorises_and_the_candidate_starts(
    browser: Any,
    live_server: Any,
    monkeypatch: pytest.MonkeyPatch,
    shoot: Any,
    opened: list[Any],
) -> None:
    # given a booked candidate, their proctor on a phone, a one-second refresh
    monkeypatch.setattr(proctoring_views, "POLL_SECONDS", 1)
    appointment = _booked_now()
    centre = appointment.centre
    proctor = console_proctor(centre)
    tablet_context = _signed_in(
        browser, live_server, proctor, viewport=PHONE, is_mobile=True, has_touch=True
    )
    opened.append(tablet_context)
    tablet = tablet_context.new_page()
    # when the proctor opens the console
    tablet.goto("/proctor/")
    # then the day shows the candidate, booked
    tablet.wait_for_selector(f"#appt-{appointment.pk}")
    assert "Robin Sitter" in tablet.inner_text(f"#appt-{appointment.pk}")
    _axe(tablet, "day")
    shoot(tablet, "day")
    # when they open the check-in and confirm the ID and the name by keyboard
    tablet.click(f"#check-in-link-{appointment.pk}")
    tablet.wait_for_selector("#check-in")
    assert tablet.inner_text("#legal-name") == "Robin Sitter"
    _axe(tablet, "sitting")
    shoot(tablet, "check-in")
    _tab_to(tablet, "#id_checkin-id_checked")
    tablet.keyboard.press("Space")
    _tab_to(tablet, "#id_checkin-name_matches_0")
    tablet.keyboard.press("Space")
    _tab_to(tablet, "#check-in-button")
    tablet.keyboard.press("Enter")
    # then the candidate is checked in
    tablet.wait_for_selector("text=Robin Sitter is checked in.")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    # when the proctor authorises the seat
    seat = appointment.tests.get()
    tablet.click(f"#authorise-{seat.pk}")
    tablet.wait_for_selector("text=Waiting for the candidate to press Start.")
    attempt = Attempt.objects.get(appointment_test=seat)
    assert attempt.status == AttemptStatus.AUTHORISED
    # then the console shows the launch code to give at the seat
    code = tablet.inner_text(f"#launch-code-{seat.pk}").strip()
    assert code.replace("-", "") == attempt.launch_code
    # when the candidate opens their exams, enters the code and starts
    player_context = _signed_in(
        browser, live_server, appointment.technician.user, viewport=DESKTOP
    )
    opened.append(player_context)
    player = player_context.new_page()
    player.goto("/exam/mine/")
    player.get_by_role("link", name="Start").click()
    launch_at_seat(player, code)
    player.click("#start-button")
    player.wait_for_selector("#item-screen:not([hidden])")
    # then the exam is running, and the console shows it without a reload
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS
    tablet.wait_for_selector(f"#pause-{seat.pk}")
    assert "75 min left" in tablet.inner_text(f"#seat-{seat.pk}")
    _axe(tablet, "sitting in progress")
    shoot(tablet, "in-progress", desktop=False)
    # when the proctor types an incident note while the page keeps refreshing
    note = tablet.locator("#id_incident-note")
    note.fill("Candidate asked for a tissue")
    # then the next refresh is skipped, and the page says why
    expect(tablet.locator("[data-live-note]")).to_contain_text(
        "Not refreshed", timeout=10_000
    )
    # and the text is still there
    assert note.input_value() == "Candidate asked for a tissue"
    # when they pause the exam with a reason
    tablet.locator(f"#id_seat{seat.pk}-pause-reason").fill("Fire alarm")
    tablet.click(f"#pause-{seat.pk}")
    # then it is paused
    tablet.wait_for_selector("text=A1 is paused")
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.PAUSED
    shoot(tablet, "paused")


def test_a_refresh_sent_before_the_proctor_ticked_does_not_wipe_the_tick(
    browser: Any,
    live_server: Any,
    monkeypatch: pytest.MonkeyPatch,
    opened: list[Any],
) -> None:
    """A poll that left while the check-in form was untouched and came back after
    the proctor ticked the ID box is dropped, not swapped in over the tick (on a
    slow network this made a check-in fail with the boxes silently unticked)."""
    # given the check-in page, with the next live refresh held in flight
    monkeypatch.setattr(proctoring_views, "POLL_SECONDS", 1)
    appointment = _booked_now()
    proctor = console_proctor(appointment.centre)
    context = _signed_in(browser, live_server, proctor, viewport=DESKTOP)
    opened.append(context)
    page = context.new_page()
    held: list[Any] = []

    def hold(route: Any) -> None:
        held.append(route)

    page.route("**/live/", hold)
    page.goto(f"/proctor/centres/{appointment.centre.pk}/")
    page.click(f"#check-in-link-{appointment.pk}")
    page.wait_for_selector("#check-in")
    # Wait for the condition (a refresh held), not for a time: Playwright calls the
    # route handler only between its own calls, so each turn is one round trip to
    # the page; the poll runs every second, so ten seconds is a failure.
    page.wait_for_event(
        "request", predicate=lambda r: r.url.endswith("/live/"), timeout=10_000
    )
    for _ in range(1000):
        if held:
            break
        page.evaluate("0")
    assert held, "the page sent no live refresh"

    # when the proctor ticks the ID box and then the held refresh arrives
    page.check("#id_checkin-id_checked")
    with page.expect_response("**/live/"):
        held.pop(0).continue_()

    # then the refresh is not swapped in: the page says so and the tick stays
    expect(page.locator("[data-live-note]")).to_contain_text(
        "Not refreshed", timeout=10_000
    )
    assert page.is_checked("#id_checkin-id_checked")
    page.unroute("**/live/", hold)
