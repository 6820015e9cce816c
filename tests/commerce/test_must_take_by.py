"""Each purchased test must be taken within the program's purchase window (ASE: 90
days); after that it expires and its fees are forfeited."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command

from certwright.audit.models import Event
from certwright.commerce import selectors, services
from certwright.commerce.models import LineStatus
from tests.support.commerce import TODAY, buy


def test_must_take_by_is_the_order_date_plus_90_days(candidate):
    """Bought on 2 March 2026: take it by 31 May 2026."""
    # when A1 and A5 are bought on 2 March 2026
    order = buy(candidate, "A1", "A5")
    # then both lines must be taken by 90 days later
    assert {ln.must_take_by for ln in order.lines.all()} == {dt.date(2026, 5, 31)}
    assert dt.date(2026, 5, 31) - TODAY == dt.timedelta(days=90)


def test_a_line_is_bookable_through_its_last_day_only(candidate):
    """Bookable on the must-take-by day, not the day after."""
    # given A1 bought today
    line = buy(candidate, "A1").lines.get()
    # then it is bookable on its last day and not after
    assert selectors.order_lines_bookable(candidate.pk, line.must_take_by) == [line]
    later = line.must_take_by + dt.timedelta(days=1)
    assert selectors.order_lines_bookable(candidate.pk, later) == []


def test_untaken_lines_expire_after_their_window(candidate):
    """The sweep expires paid lines past their date and records an event; booked
    lines are left to scheduling."""
    # given two purchased tests, one of them booked
    order = buy(candidate, "A1", "A5")
    a1, a5 = order.lines.all()
    services.order_line_mark_booked(line_id=a5.pk, appointment_id=77)
    # when the sweep runs the day after the window
    expired = services.order_lines_expire(today=a1.must_take_by + dt.timedelta(days=1))
    # then only the paid line expired, with an event
    assert expired == 1
    a1.refresh_from_db()
    a5.refresh_from_db()
    assert (a1.status, a5.status) == (LineStatus.EXPIRED, LineStatus.BOOKED)
    assert Event.objects.filter(
        kind="order_line.expired", subject=f"order_line:{a1.pk}"
    ).exists()


def test_the_sweep_leaves_lines_inside_their_window(candidate):
    """On the last day itself nothing expires."""
    line = buy(candidate, "A1").lines.get()
    assert services.order_lines_expire(today=line.must_take_by) == 0
    line.refresh_from_db()
    assert line.status == LineStatus.PURCHASED


def test_the_daily_command_expires_lines(candidate, frozen_day):
    """`manage.py order_lines_expire` runs the sweep for today."""
    line = buy(candidate, "A1", region="OTHER").lines.get()
    frozen_day.move_to(dt.datetime(2026, 6, 1, 3, tzinfo=dt.UTC))
    out = io.StringIO()
    call_command("order_lines_expire", stdout=out)
    assert out.getvalue().strip() == "1 order line(s) expired."
    line.refresh_from_db()
    assert line.status == LineStatus.EXPIRED
