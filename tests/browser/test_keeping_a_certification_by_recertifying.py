"""Keeping a certification, end to end in real browsers: a technician whose A1
expires in 60 days opens the dashboard on her phone, sees the ways to keep it (the
recertification test, the renewal app), puts the A1 recertification in her cart in
one click, places the order (paid by invoice, the money recorded as staff do), books
a seat; on the exam day the proctor checks her in and authorises the seat, she sits
the recertification form, the result is recorded, and the dashboard shows the new
expiry: the date the rules core computes from the recertification pass (five years).

The clock is the test's (time-machine, ticking so the player's clock runs): the
story starts on 2 March 2026 and moves to the exam morning after the booking.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from certwright.commerce.models import LineKind, Order, PaymentStatus
from certwright.commerce.services import order_mark_paid
from certwright.core.clock import today
from certwright.credentials.models import Certification, TestResult
from certwright.delivery.models import Attempt, AttemptStatus
from certwright.rules.dates import add_months, last_valid_day
from certwright.scheduling.models import Appointment
from tests.browser.test_done_means_exam_day import Exam
from tests.browser.test_exam_player import _axe, _signed_in
from tests.support.browser import DESKTOP, PHONE, launch_at_seat
from tests.support.delivery import form_create
from tests.support.proctoring import console_proctor
from tests.support.recert import expires_on, technician_expiring
from tests.support.scheduling import centre_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

START = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
EXAM_DAY = dt.date(2026, 3, 3)


@pytest.fixture
def opened() -> Iterator[list[Any]]:
    """Browser contexts to close at the end (their pages poll the live server)."""
    contexts: list[Any] = []
    yield contexts
    for context in contexts:
        context.close()


def test_a_technician_keeps_a1_by_one_click_recertification(
    browser: Any, live_server: Any, shoot: Any, opened: list[Any]
) -> None:
    with time_machine.travel(START, tick=True) as clock:
        # given Kim, certified in A1 until 60 days from today; a published A1
        # recertification form; a centre in UTC open every day 08:00-18:00
        kim = technician_expiring({"A1": 60}, name="Kim Keeper")
        old_expiry = expires_on(kim, "A1", today())
        assert old_expiry == today() + dt.timedelta(days=60)
        form_create(kind="recert")
        centre = centre_create(time_zone="UTC", weekdays=tuple(range(7)))
        context = _signed_in(
            browser,
            live_server,
            kim.user,
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
        )
        opened.append(context)
        page = context.new_page()

        # when she opens her dashboard
        page.goto("/me/")
        card = page.locator("#keep-A1")
        # then the A1 card says how long it is valid and every way to keep it
        expect(card).to_contain_text("Certified, expiring soon")
        expect(card).to_contain_text(f"Valid through {last_valid_day(old_expiry)}")
        expect(card).to_contain_text("Ways to keep A1")
        expect(card.locator(".keep-recert")).to_contain_text("Recertification test")
        expect(card.locator(".keep-renewal")).to_contain_text(
            "8 correct answers to the monthly renewal questions extend it by 12 months"
        )
        expect(card.locator(".keep-renewal")).to_contain_text(
            "You have no renewal subscription."
        )
        _axe(page, "dashboard with ways to keep")
        shoot(page, "01-dashboard")

        # when she puts the A1 recertification in her cart in one click
        card.get_by_role("button", name="Put the A1 recertification in my cart").click()
        page.wait_for_url("**/shop/cart/")
        # then the cart holds it as a recertification, said so
        expect(page.locator(".messages")).to_contain_text(
            "The A1 recertification test is in your cart"
        )
        shoot(page, "02-cart")

        # when she checks out (outside the United States: no sales tax) and
        # places the order, paid by invoice
        page.goto("/shop/checkout/")
        page.locator("select[name=billing_region]").select_option("OTHER")
        page.get_by_role("button", name="Update tax").click()
        page.wait_for_load_state()
        expect(page.locator("table.fees")).to_contain_text("A1 · recertification")
        page.get_by_role("button", name="Place order").click()
        page.wait_for_url(re.compile(r"/shop/orders/\d+/$"))
        order = Order.objects.get(technician=kim)
        (line,) = order.lines.all()
        assert line.kind == LineKind.RECERT
        assert order.total_cents == 3400 + 6200
        # and the money arrives (staff record it, as in the admin)
        order_mark_paid(order_id=order.pk, reference="test payment", actor="test")
        assert Order.objects.get(pk=order.pk).payment_status == PaymentStatus.PAID

        # when she books a seat tomorrow, at the first free time
        page.goto("/booking/book/")
        for box in page.locator("input[name=lines]").all():
            box.check()
        page.locator("select[name=centre]").select_option(str(centre.pk))
        page.locator("input[name=date]").fill(EXAM_DAY.isoformat())
        page.get_by_role("button", name="Show free times").click()
        page.locator("input[name=starts_at]").first.check()
        page.get_by_role("button", name="Book", exact=True).click()
        page.wait_for_url(re.compile(r"/booking/\d+/$"))
        appointment = Appointment.objects.get(technician=kim)
        assert appointment.starts_at.date() == EXAM_DAY
        # then the dashboard says it is booked, with no second button
        page.goto("/me/")
        expect(page.locator("#keep-A1")).to_contain_text("Booked and not yet taken")
        expect(
            page.get_by_role("button", name="Put the A1 recertification in my cart")
        ).to_have_count(0)

        # --- the exam morning -----------------------------------------------------
        clock.move_to(appointment.starts_at + dt.timedelta(minutes=5))
        proctor_context = _signed_in(
            browser, live_server, console_proctor(centre), viewport=DESKTOP
        )
        opened.append(proctor_context)
        proctor = proctor_context.new_page()
        # when the proctor checks her in and authorises the seat
        proctor.goto("/proctor/")
        proctor.wait_for_selector(f"#appt-{appointment.pk}")
        proctor.click(f"#check-in-link-{appointment.pk}")
        proctor.wait_for_selector("#check-in")
        proctor.check("#id_checkin-id_checked")
        proctor.check("#id_checkin-name_matches_0")
        proctor.click("#check-in-button")
        proctor.wait_for_selector("text=Kim Keeper is checked in.")
        seat = appointment.tests.get()
        proctor.click(f"#authorise-{seat.pk}")
        proctor.wait_for_selector("text=Waiting for the candidate to press Start.")
        attempt = Attempt.objects.get(appointment_test=seat)
        # then she is to sit the recertification form
        assert (attempt.kind, attempt.form.kind) == ("recert", "recert")
        code = proctor.inner_text(f"#launch-code-{seat.pk}").strip()

        # when she launches it at the seat and answers every question
        player_context = _signed_in(browser, live_server, kim.user, viewport=DESKTOP)
        opened.append(player_context)
        player = player_context.new_page()
        player.goto("/exam/mine/")
        player.get_by_role("link", name="Start").click()
        launch_at_seat(player, code)
        player.click("#start-button")
        player.wait_for_selector("#item-screen:not([hidden])")
        exam = Exam(player, attempt)
        exam.answer(1, exam.total)
        exam.saved()
        player.get_by_role("button", name="Review", exact=True).click()
        player.get_by_role("button", name="Submit", exact=True).click()
        player.get_by_role("dialog", name="Submit?").get_by_role(
            "button", name="Submit now"
        ).click()
        player.wait_for_url(f"**/exam/{attempt.pk}/result/")
        expect(player.locator(".outcome .kpi")).to_have_text("Pass")

        # then the result is recorded as a recertification pass on the exam day
        attempt.refresh_from_db()
        assert attempt.status == AttemptStatus.SUBMITTED
        result = TestResult.objects.get(technician=kim, kind="recert")
        assert (result.test, result.outcome, result.date) == ("A1", "pass", EXAM_DAY)
        # and the rules core extends A1 five years from that pass
        new_expiry = expires_on(kim, "A1", today())
        assert new_expiry == add_months(EXAM_DAY, 60)
        assert Certification.objects.get(technician=kim, test="A1").expires_on == (
            new_expiry
        )
        # and the dashboard shows it
        page.goto("/me/")
        card = page.locator("#keep-A1")
        expect(card).to_contain_text("Certified")
        expect(card).not_to_contain_text("expiring soon")
        expect(card).to_contain_text(f"Valid through {last_valid_day(new_expiry)}")
        expect(card).to_contain_text("The one-click recertification opens on")
        shoot(page, "03-dashboard-recertified")
