"""Exam delivery: a published A1 form with four scored items (two in content area A,
two in B) and one unscored pretest item, a candidate checked in for an A1 seat at a
Chicago centre, and its proctor; the clock is frozen (time-machine).

The form is built straight in the item bank's tables and published through its
service (the default cut: 3 of 4; the default scale: raw 3 → 500).

A plugin of tests/conftest.py: the fixtures (``exam_form``, ``proctor``, ``seat``,
``authorised``, ``started``) serve the delivery, proctoring and fuzz tests alike,
and every test starts with no seat token held (SEATS).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from certwright.candidates.models import Technician
from certwright.delivery.attempts import attempt_authorise, attempt_start
from certwright.delivery.launch import attempt_launch
from certwright.delivery.models import Attempt
from certwright.itembank.models import (
    Form,
    FormItem,
    Item,
    ItemPool,
    ItemStatus,
    ItemVersion,
)
from certwright.itembank.services import form_publish
from certwright.scheduling.models import AppointmentTest, TestCentre
from certwright.scheduling.services import appointment_book, appointment_check_in
from tests.support.scheduling import (
    days_from_now,
    lines_buy,
    local,
    user_create,
)

EXAM_DAY = days_from_now(8)  # Tuesday 10 March 2026
# (code, area, key, scored)
ITEMS = [
    ("A1-001", "A", 0, True),
    ("A1-002", "A", 1, True),
    ("A1-003", "B", 2, True),
    ("A1-004", "B", 3, True),
    ("A1-005", "A", 0, False),
]
KEYS = {code: key for code, _area, key, _scored in ITEMS}


def version_create(
    code: str, area: str, key: int, status: str, pool: str = ItemPool.EXAM
) -> ItemVersion:
    item = Item.objects.create(test="A1", code=code, pool=pool)
    return ItemVersion.objects.create(
        item=item,
        number=1,
        status=status,
        # The text never names the code: the tests look for codes in pages.
        stem=f"Which reading shows fault number {code[-3:]}?",
        options=[f"Reading {letter} for fault {code[-3:]}" for letter in "ABCD"],
        key=key,
        rationale=f"RATIONALE-{code}: because of the reading.",
        area=area,
        task=f"Diagnose the fault of {code}",
        written_by_label="writer",
        reviewed_by_label="reviewer",
    )


def form_create(*, kind: str = "initial", minutes: int = 75) -> Form:
    form = Form.objects.create(
        test="A1", kind=kind, blueprint_effective=dt.date(2026, 1, 1), minutes=minutes
    )
    for position, (code, area, key, scored) in enumerate(ITEMS, start=1):
        if kind == "practice" and not scored:
            continue
        suffix = "" if kind == "initial" else f"-{kind}"
        version = version_create(
            code + suffix,
            area,
            key,
            ItemStatus.OPERATIONAL if scored else ItemStatus.PRETEST,
            # A practice form holds practice items (the item bank refuses others).
            ItemPool.PRACTICE if kind == "practice" else ItemPool.EXAM,
        )
        FormItem.objects.create(
            form=form, position=position, item_version=version, scored=scored, area=area
        )
    return form_publish(form_id=form.pk, actor="test")


@pytest.fixture
def exam_form(db: Any) -> Form:
    return form_create()


@pytest.fixture
def proctor(centre: TestCentre) -> Any:
    user = user_create("proctor@example.com")
    centre.admins.add(user)
    return user


@pytest.fixture
def seat(
    frozen: time_machine.Traveller,
    candidate: Technician,
    centre: TestCentre,
    exam_form: Form,
) -> AppointmentTest:
    """The candidate's A1 seat, checked in on exam day at 09:05 Chicago."""
    lines = lines_buy(candidate, "A1")
    appointment = appointment_book(
        technician_id=candidate.pk,
        centre_id=centre.pk,
        starts_at=local(EXAM_DAY, 9),
        order_line_ids=[line.pk for line in lines],
    )
    frozen.move_to(local(EXAM_DAY, 9, 5))
    appointment_check_in(appointment_id=appointment.pk, actor="proctor")
    return appointment.tests.get()


@pytest.fixture
def authorised(seat: AppointmentTest, proctor: Any) -> Attempt:
    return attempt_authorise(appointment_test_id=seat.pk, actor=proctor)


# The seat token each launched attempt's workstation holds, by attempt id.
SEATS: dict[int, str] = {}


def launch(attempt: Attempt, by: Any = None) -> str:
    """The candidate's workstation enters the proctor's launch code; its seat
    token (also kept in SEATS for ``save``)."""
    attempt.refresh_from_db()
    _attempt, token = attempt_launch(
        attempt_id=attempt.pk,
        code=attempt.launch_code,
        by=by or attempt.technician.user,
        device_label="workstation 7",
    )
    SEATS[attempt.pk] = token
    return token


@pytest.fixture(autouse=True)
def _seats_forgotten() -> Iterator[None]:
    """Each test starts with no workstation holding a seat token: attempt ids are
    reused across tests, and a token left from an earlier test must not count."""
    SEATS.clear()
    yield
    SEATS.clear()


def client_launch(client: Any, attempt: Attempt, code: str | None = None) -> str:
    """The signed-in candidate's browser (a Django test client) enters the
    proctor's launch code (as the console shows it, ABC-DEF, unless ``code``) on
    the launch page: it is redirected to the player holding the seat cookie. The
    seat token (also kept in SEATS)."""
    from django.urls import reverse

    from certwright.delivery.seats import launch_code_display
    from certwright.delivery.views import SEAT_COOKIE

    attempt.refresh_from_db()
    if code is None:
        code = launch_code_display(attempt.launch_code)
    response = client.post(
        reverse("delivery:launch", args=[attempt.pk]), {"code": code}
    )
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("delivery:player", args=[attempt.pk])
    cookie = client.cookies[SEAT_COOKIE.format(attempt_id=attempt.pk)]
    assert cookie["httponly"]
    assert cookie["path"] == reverse("delivery:player", args=[attempt.pk])
    SEATS[attempt.pk] = cookie.value
    return cookie.value


def seat_cookie(client: Any, attempt: Attempt) -> Any:
    """Give a test client the seat cookie of the workstation ``attempt`` was
    launched on (``launch``), as that browser holds it; the client."""
    from certwright.delivery.views import SEAT_COOKIE

    client.cookies[SEAT_COOKIE.format(attempt_id=attempt.pk)] = SEATS[attempt.pk]
    return client


@pytest.fixture
def started(authorised: Attempt, candidate: Technician) -> Attempt:
    token = launch(authorised, candidate.user)
    return attempt_start(attempt_id=authorised.pk, by=candidate.user, device=token)


def form_items(attempt: Attempt) -> dict[str, FormItem]:
    """The attempt's form items by item code."""
    return {
        fi.item_version.item.code.split("-practice")[0]: fi
        for fi in FormItem.objects.filter(form_id=attempt.form_id).select_related(
            "item_version__item"
        )
    }


def save(
    attempt: Attempt,
    item: FormItem,
    *,
    seq: int,
    choice: int | None,
    flagged: bool = False,
    by: Any = None,
) -> Any:
    """The candidate (or ``by``) saves ``choice`` for ``item`` with ``seq``."""
    from certwright.delivery.answers import answer_save

    return answer_save(
        attempt_id=attempt.pk,
        form_item_id=item.pk,
        choice=choice,
        flagged=flagged,
        client_seq=seq,
        by=by or attempt.technician.user,
        device=SEATS.get(attempt.pk),
    )
