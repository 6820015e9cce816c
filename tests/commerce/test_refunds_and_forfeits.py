"""Refunds and forfeits follow ASE's rules: a purchased test cancelled (before it is
taken) is refunded with its tax, never the registration fee; a no-show forfeits all
fees. Every change of a line writes an event."""

from __future__ import annotations

import pytest

from certwright.audit.models import Event
from certwright.commerce import selectors, services
from certwright.commerce.errors import LineStateError
from certwright.commerce.models import (
    Entitlement,
    LineStatus,
    Order,
    Payment,
    PaymentAction,
)
from tests.support.commerce import buy


def test_cancelling_a_paid_test_refunds_its_fee_and_tax(candidate, california_tax):
    """A5 cancelled before booking: $62 + $4.50 tax back, the registration kept."""
    # given A1 and A5 bought in California
    order = buy(candidate, "A1", "A5")
    a5 = order.lines.get(test="A5")
    # when A5 is cancelled
    line = services.order_line_refund(line_id=a5.pk, reason="changed my mind")
    # then it is refunded: its fee and its tax, not the registration fee
    assert line.status == LineStatus.REFUNDED
    assert line.refunded_cents == 6200 + 450
    order.refresh_from_db()
    assert order.refunded_cents == 6650
    refund = Payment.objects.get(action=PaymentAction.REFUND)
    assert (refund.amount_cents, refund.line_id) == (6650, a5.pk)
    # and the event says who, what and why
    event = Event.objects.get(kind="order_line.refunded")
    assert event.data["before"] == {"status": "purchased"}
    assert event.reason == "changed my mind"
    # and its study material is locked again
    assert not selectors.has_entitlement(candidate.pk, "A5", "study")
    assert selectors.has_entitlement(candidate.pk, "A1", "study")


def test_a_booked_test_cancelled_in_time_is_refunded(candidate):
    """Scheduling cancels an appointment in time: the booked line is refunded."""
    line = buy(candidate, "A1", region="OTHER").lines.get()
    services.order_line_mark_booked(line_id=line.pk, appointment_id=5)
    refunded = services.order_line_refund(
        line_id=line.pk, reason="appointment cancelled"
    )
    assert refunded.status == LineStatus.REFUNDED
    assert refunded.appointment_id is None
    assert refunded.refunded_cents == 6200


def test_a_no_show_forfeits_the_fees(candidate):
    """No refund, no payment row; the study material stays unlocked."""
    # given A1 booked
    line = buy(candidate, "A1", region="OTHER").lines.get()
    services.order_line_mark_booked(line_id=line.pk, appointment_id=9)
    # when the candidate does not show up
    forfeited = services.order_line_forfeit(line_id=line.pk)
    # then the line is forfeited, nothing refunded
    assert forfeited.status == LineStatus.FORFEITED
    assert forfeited.refunded_cents == 0
    assert not Payment.objects.filter(action=PaymentAction.REFUND).exists()
    assert Order.objects.get().refunded_cents == 0
    assert selectors.has_entitlement(candidate.pk, "A1", "study")
    assert Event.objects.filter(kind="order_line.forfeited").count() == 1
    # and it cannot be refunded afterwards
    with pytest.raises(LineStateError):
        services.order_line_refund(line_id=line.pk, reason="too late")


def test_a_taken_test_cannot_be_refunded(candidate):
    line = buy(candidate, "A1", region="OTHER").lines.get()
    services.order_line_mark_booked(line_id=line.pk, appointment_id=3)
    services.order_line_mark_taken(line_id=line.pk)
    with pytest.raises(LineStateError) as refused:
        services.order_line_refund(line_id=line.pk, reason="please")
    assert "is taken" in refused.value.messages[0]


def test_a_refund_is_given_once(candidate):
    """Refunding the same line twice (a double click) refunds once."""
    line = buy(candidate, "A1", region="OTHER").lines.get()
    services.order_line_refund(line_id=line.pk, reason="one")
    with pytest.raises(LineStateError):
        services.order_line_refund(line_id=line.pk, reason="two")
    assert Payment.objects.filter(action=PaymentAction.REFUND).count() == 1


def test_booking_follows_the_line_states(candidate):
    """paid -> booked -> paid (released) -> booked -> taken; each with an event."""
    line = buy(candidate, "A1", region="OTHER").lines.get()
    services.order_line_mark_booked(line_id=line.pk, appointment_id=1)
    # booking the same appointment again is a no-op; another one is refused
    services.order_line_mark_booked(line_id=line.pk, appointment_id=1)
    with pytest.raises(LineStateError):
        services.order_line_mark_booked(line_id=line.pk, appointment_id=2)
    assert selectors.order_lines_bookable(candidate.pk, line.must_take_by) == []
    released = services.order_line_release(line_id=line.pk)
    assert (released.status, released.appointment_id) == (LineStatus.PURCHASED, None)
    services.order_line_mark_booked(line_id=line.pk, appointment_id=2)
    taken = services.order_line_mark_taken(line_id=line.pk)
    assert taken.status == LineStatus.TAKEN
    kinds = list(
        Event.objects.filter(
            subject=f"order_line:{line.pk}", kind__startswith="order_line."
        )
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == [
        "order_line.booked",
        "order_line.released",
        "order_line.booked",
        "order_line.taken",
    ]


def test_a_line_past_its_window_cannot_be_booked(candidate, frozen_day):
    """After must-take-by, booking is refused with the date."""
    import datetime as dt

    line = buy(candidate, "A1", region="OTHER").lines.get()
    frozen_day.move_to(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC))
    with pytest.raises(LineStateError) as refused:
        services.order_line_mark_booked(line_id=line.pk, appointment_id=4)
    assert "had to be taken by 2026-05-31" in refused.value.messages[0]


def test_an_unknown_line_is_refused(db):
    with pytest.raises(LineStateError):
        services.order_line_forfeit(line_id=999_999)
    assert not Entitlement.objects.exists()
