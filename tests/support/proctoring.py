"""Helpers for the proctor console tests (tests/proctoring/, tests/browser/).

They build on tests/support/delivery.py (a published A1 form, a Chicago centre, a
candidate, the clock frozen on exam day): ``console_proctor`` is a proctor as the
platform has them (the proctor role and an authenticator app, which the MFA
middleware requires), ``book`` an A1 appointment not yet checked in.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import time_machine
from django.urls import reverse

from certwright.candidates.models import Technician
from certwright.core.roles import Role, role_add
from certwright.itembank.selectors import deliverable
from certwright.scheduling.models import Appointment, AppointmentTest, TestCentre
from certwright.scheduling.services import appointment_book
from tests.support.delivery import EXAM_DAY
from tests.support.forms import forms_publish_for_every_test
from tests.support.scheduling import lines_buy, local, user_create


def console_proctor(centre: TestCentre, email: str | None = None) -> Any:
    """A proctor of ``centre`` with a second factor."""
    from allauth.mfa.models import Authenticator

    user = user_create(email)
    role_add(user, Role.PROCTOR, actor="test")
    Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.TOTP,
        data={"secret": "JBSWY3DPEHPK3PXP"},
    )
    centre.admins.add(user)
    return user


def book(
    frozen: time_machine.Traveller,
    candidate: Technician,
    centre: TestCentre,
    *,
    hour: int = 9,
    now: tuple[int, int] = (8, 30),
    test: str = "A1",
) -> Appointment:
    """``candidate``'s ``test`` at ``centre`` on exam day at ``hour``:00 Chicago,
    booked a week ahead; the clock then moves to ``now`` on exam day. A test is
    booked only while a form of it is published: without one, the stand-in forms
    of tests/support/forms.py are published first."""
    if not deliverable(test, "initial"):
        forms_publish_for_every_test()
    (line,) = lines_buy(candidate, test)
    # A week ahead, as the program asks (no same-day booking by candidates), even
    # when an earlier call already moved the clock to exam day.
    frozen.move_to(local(EXAM_DAY - dt.timedelta(days=7), 9))
    appointment = appointment_book(
        technician_id=candidate.pk,
        centre_id=centre.pk,
        starts_at=local(EXAM_DAY, hour),
        order_line_ids=[line.pk],
    )
    frozen.move_to(local(EXAM_DAY, *now))
    return appointment


def seat_of(appointment: Appointment) -> AppointmentTest:
    return appointment.tests.get()


def day_url(centre: TestCentre) -> str:
    return reverse("proctor:day", args=[centre.pk]) + f"?date={EXAM_DAY.isoformat()}"


def board_url(centre: TestCentre) -> str:
    return reverse("proctor:board", args=[centre.pk]) + f"?date={EXAM_DAY.isoformat()}"


def sitting_url(appointment: Appointment) -> str:
    return reverse("proctor:sitting", args=[appointment.centre_id, appointment.pk])


def action_url(name: str, appointment: Appointment, *extra: Any) -> str:
    return reverse(
        f"proctor:{name}", args=[appointment.centre_id, appointment.pk, *extra]
    )


def control_url(appointment: Appointment, action: str) -> str:
    seat = seat_of(appointment)
    if action in ("authorise", "end"):
        return action_url(action, appointment, seat.pk)
    return action_url("control", appointment, seat.pk, action)


def text_of(response: Any) -> str:
    """The page's text without tags and with spaces collapsed, for reading what a
    person sees."""
    page = response.content.decode()
    page = re.sub(r"<(script|style|datalist)\b.*?</\1>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"\s+", " ", text).strip()


def control_data(
    appointment: Appointment, action: str, **fields: Any
) -> dict[str, Any]:
    """The POST body of a seat's control form (``version`` as the page showed)."""
    prefix = f"seat{seat_of(appointment).pk}-{action}"
    return {f"{prefix}-{name}": value for name, value in fields.items()}


def check_in_data(
    *, id_checked: bool = True, name: str | None = "yes"
) -> dict[str, str]:
    data = {}
    if id_checked:
        data["checkin-id_checked"] = "on"
    if name is not None:
        data["checkin-name_matches"] = name
    return data


def send(
    client: Any,
    appointment: Appointment,
    action: str,
    *,
    follow: bool = False,
    **fields: Any,
) -> Any:
    """POST a seat's control form (pause, resume, extend, end) as its page would."""
    return client.post(
        control_url(appointment, action),
        control_data(appointment, action, **fields),
        follow=follow,
    )
