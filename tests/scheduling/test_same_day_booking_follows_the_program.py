"""Same-day booking follows the program's [scheduling] same_day_booking: ASE's
data refuses a seat for the centre's today (nothing written), a centre can still
seat a walk-in, and a program that allows it books today."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.test import override_settings

from certwright.commerce.models import LineStatus, OrderLine
from certwright.program.loader import builtin_path
from certwright.scheduling.models import Appointment, SeatBlock
from certwright.scheduling.services import BookingError, appointment_book
from tests.support.scheduling import NOW, local

pytestmark = [pytest.mark.usefixtures("frozen"), pytest.mark.django_db]

TODAY = NOW.date()  # 09:00 in Chicago: the centre is open from 08:00 to 18:00


def _book(candidate, centre, line, **extra):
    return appointment_book(
        technician_id=candidate.pk,
        centre_id=centre.pk,
        starts_at=local(TODAY, 13),
        order_line_ids=[line.pk],
        **extra,
    )


def test_a_same_day_seat_is_refused_and_nothing_is_written(candidate, centre, buy):
    """ASE (same_day_booking = false): a seat this afternoon is refused with
    "same_day"; no appointment, seat or line change is written."""
    # given a purchased A1
    (line,) = buy(candidate, "A1")
    # when she books this afternoon
    with pytest.raises(BookingError) as refused:
        _book(candidate, centre, line)
    # then it is refused, naming tomorrow, and nothing changed
    assert refused.value.code == "same_day"
    assert "2026-03-03" in str(refused.value.message)
    assert not Appointment.objects.exists()
    assert not SeatBlock.objects.filter(booked__gt=0).exists()
    assert OrderLine.objects.get(pk=line.pk).status == LineStatus.PURCHASED


def test_a_centre_seats_a_walk_in_today(candidate, centre, buy):
    """The same seat booked as a walk-in (the centre seating her) is made."""
    # given a purchased A1
    (line,) = buy(candidate, "A1")
    # when the centre seats her this afternoon
    appointment = _book(candidate, centre, line, walk_in=True)
    # then the appointment is booked
    assert appointment.starts_at == local(TODAY, 13)


def test_a_program_that_allows_same_day_booking_books_today(
    candidate, centre, buy, tmp_path: Path
):
    """With same_day_booking = true in the program data, the same request books."""
    # given the ASE program with same-day booking allowed
    copy = tmp_path / "ase"
    shutil.copytree(builtin_path("ase"), copy)
    toml = copy / "program.toml"
    text = toml.read_text(encoding="utf-8")
    assert "same_day_booking = false" in text
    toml.write_text(
        text.replace("same_day_booking = false", "same_day_booking = true"),
        encoding="utf-8",
    )
    (line,) = buy(candidate, "A1")
    # when she books this afternoon
    with override_settings(CERTWRIGHT_PROGRAM=str(copy)):
        appointment = _book(candidate, centre, line)
    # then it is booked
    assert appointment.starts_at == local(TODAY, 13)
