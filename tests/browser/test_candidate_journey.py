"""The candidate's journey in a real browser, on a phone-sized screen: sign up,
verify the e-mail, add experience, buy A1 and A5 with the registration fee shown,
book a seat, reschedule it and receive the .ics invitations; and program staff
approving experience so that a pending pass becomes a certification."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import icalendar
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from certwright.candidates.services import experience_submit, technician_create
from certwright.commerce.models import TaxRate
from certwright.core.clock import today
from certwright.core.roles import Role, role_add
from certwright.credentials.models import Certification
from certwright.credentials.services import result_record
from certwright.rules.dates import add_months
from certwright.scheduling.models import OpeningHours, TestCentre
from tests.support.forms import forms_publish_for_every_test

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-Battery-9"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _centre() -> TestCentre:
    """A centre in UTC open every day 08:00–18:00, so any day has free slots."""
    centre = TestCentre.objects.create(
        code="journey",
        name="Journey Test Centre",
        address_line1="1 Main Street",
        city="Springfield",
        region="IL",
        postal_code="62701",
        country="US",
        time_zone="UTC",
        seats=5,
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(centre=centre, weekday=d, opens=dt.time(8), closes=dt.time(18))
        for d in range(7)
    )
    return centre


def _invitations() -> list[tuple[str, icalendar.Calendar]]:
    """(METHOD, calendar) of every text/calendar part in the outbox, in order."""
    found = []
    for message in mail.outbox:
        for part in message.message().walk():
            if part.get_content_type() == "text/calendar":
                calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
                found.append((str(calendar["METHOD"]), calendar))
    return found


def _event(calendar: icalendar.Calendar) -> Any:
    (event,) = calendar.walk("VEVENT")
    return event


def _pick_slot(page: Any, centre: TestCentre, day: dt.date) -> None:
    """Choose the centre and day, ask for the free times, take the first one."""
    page.locator("select[name=centre]").select_option(str(centre.pk))
    page.locator("input[name=date]").fill(day.isoformat())
    page.get_by_role("button", name="Show free times").click()
    page.locator("input[name=starts_at]").first.check()


def test_a_candidate_signs_up_buys_books_and_reschedules_on_a_phone(
    phone: Any, shoot: Any
) -> None:
    """The whole journey up to the exam through the pages, on a 390×844 screen."""
    # given a centre, a configured sales tax and published forms (tests are sold
    # only while a form of them is published)
    forms_publish_for_every_test()
    centre = _centre()
    TaxRate.objects.create(
        region="US-CA", rate_bp=725, effective_from=dt.date(2020, 1, 1), configured=True
    )
    page = phone

    # when the candidate signs up
    page.goto("/accounts/signup/")
    shoot(page, "01-signup")
    page.locator("input[name=name]").fill("Robin Journey")
    page.locator("input[name=email]").fill("robin@example.com")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/accounts/confirm-email/")

    # then a verification link arrives; following and confirming it signs them in
    (verification,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", str(verification.body))
    assert link is not None
    page.goto(link.group(0))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/me/")
    shoot(page, "02-dashboard-new")

    # when they add an experience record
    page.goto("/experience/add/")
    page.locator("select[name=kind]").select_option("employment")
    page.locator("input[name=employer]").fill("Harbor Marine & Auto")
    page.locator("input[name=role]").fill("Technician")
    start = add_months(today(), -30)
    page.locator("input[name=start]").fill(start.isoformat())
    shoot(page, "03-experience-add", desktop=False)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert "Harbor Marine" in page.content()

    # when they add A1 and A5 from the catalog
    for code in ("A1", "A5"):
        page.goto("/me/catalog/")
        page.get_by_role("button", name=f"Add to cart {code}", exact=True).click()
        page.wait_for_load_state()
    page.goto("/shop/cart/")
    shoot(page, "04-cart")

    # then the checkout shows the registration fee beside both tests
    page.goto("/shop/checkout/")
    page.locator("select[name=billing_region]").select_option("US-CA")
    page.get_by_role("button", name="Update tax").click()
    page.wait_for_load_state()
    fees = page.locator("table.fees")
    assert "Registration fee (one per order)" in fees.inner_text()
    assert "A1 · certification" in fees.inner_text()
    assert "A5 · certification" in fees.inner_text()
    shoot(page, "05-checkout")

    # when the order is placed (invoice)
    page.get_by_role("button", name="Place order").click()
    page.wait_for_load_state()
    assert "/shop/orders/" in page.url
    shoot(page, "06-order")

    # when they book one appointment for both tests a week out
    mail.outbox.clear()
    page.goto("/booking/book/")
    for box in page.locator("input[name=lines]").all():
        box.check()
    _pick_slot(page, centre, today() + dt.timedelta(days=7))
    shoot(page, "07-book", desktop=False)
    page.get_by_role("button", name="Book", exact=True).click()
    page.wait_for_url(re.compile(r"/booking/\d+/$"))
    shoot(page, "08-appointment")

    # and move it to the next day
    page.get_by_role("link", name="Reschedule").click()
    _pick_slot(page, centre, today() + dt.timedelta(days=8))
    shoot(page, "09-reschedule", desktop=False)
    page.get_by_role("button", name="Move the appointment").click()
    page.wait_for_url(re.compile(r"/booking/\d+/$"))
    shoot(page, "10-rescheduled")

    # then two invitations arrived: same UID, higher SEQUENCE, both METHOD:REQUEST
    (booked_method, booked), (moved_method, moved) = _invitations()
    assert booked_method == moved_method == "REQUEST"
    assert _event(booked)["UID"] == _event(moved)["UID"]
    assert int(_event(moved)["SEQUENCE"]) > int(_event(booked)["SEQUENCE"])
    moved_start = _event(moved)["DTSTART"].dt
    assert moved_start.date() == today() + dt.timedelta(days=8)
    assert centre.name in str(_event(moved).get("LOCATION", "")) + str(
        _event(moved).get("DESCRIPTION", "")
    )


def test_staff_approving_experience_turns_a_pending_pass_into_a_certification(
    phone: Any,
    shoot: Any,
    live_server: Any,
    client: Any,
    settings: Any,
    tmp_path: Any,
) -> None:
    """A pass waiting on experience becomes a certification once program staff
    approve the experience in the review queue."""
    # given a candidate with an A1 pass and three years of unapproved employment
    users = get_user_model().objects
    candidate = users.create_user(
        username="casey", email="casey@example.com", password=PASSWORD
    )
    technician = technician_create(
        name="Casey Pending", email="casey@example.com", user_id=candidate.pk
    )
    settings.MEDIA_ROOT = tmp_path / "media"
    experience_submit(
        technician_id=technician.pk,
        kind="employment",
        start=add_months(today(), -36),
        end=None,
        full_time=True,
        employer="Harbor Marine & Auto",
        documents=[SimpleUploadedFile("letter.pdf", PDF, "application/pdf")],
    )
    result_record(
        technician_id=technician.pk,
        test="A1",
        date=today() - dt.timedelta(days=60),
        kind="initial",
        outcome="pass",
    )
    assert Certification.objects.get(technician=technician).status == (
        "pending_experience"
    )
    # and program staff with an authenticator app, signed in
    from allauth.mfa.models import Authenticator

    staff = users.create_user(
        username="staff", email="staff@example.com", password=None, is_staff=True
    )
    role_add(staff, Role.PROGRAM_STAFF)
    Authenticator.objects.create(
        user=staff, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    client.force_login(staff)
    page = phone
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )

    # when staff approve the record in the queue
    page.goto("/experience/review/")
    assert "Casey Pending" in page.content()
    shoot(page, "01-review-queue")
    page.get_by_role("button", name=re.compile("^Approve")).first.click()
    page.wait_for_load_state()

    # then the pass is a certification, and the candidate's dashboard says so
    assert Certification.objects.get(technician=technician).status == "certified"
    page.context.clear_cookies()
    client.logout()
    client.force_login(candidate)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto("/me/")
    shoot(page, "02-dashboard-certified")
    assert "A1" in page.content()
    assert "Certified" in page.locator("main").inner_text()
