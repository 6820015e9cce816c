"""Program staff's experience review queue shows the note the candidate wrote with
the record, beside the facts staff decide on."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from certwright.candidates.services import experience_submit
from certwright.core.clock import today
from certwright.core.roles import Role, role_add
from tests.browser.test_exam_player import _signed_in
from tests.support.browser import DESKTOP
from tests.support.scheduling import candidate_create, user_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Weekend shifts only from 2024; my manager's letter says so."


def test_the_queue_shows_the_candidates_note(browser: Any, live_server: Any) -> None:
    # given a record with a note, waiting for review, and program staff with 2FA
    from allauth.mfa.models import Authenticator

    technician = candidate_create("Noa Noted")
    experience_submit(
        technician_id=technician.pk,
        kind="employment",
        start=today() - dt.timedelta(days=800),
        end=None,
        full_time=False,
        employer="Harbor Marine & Auto",
        note=NOTE,
    )
    staff = user_create("staff@example.com", is_staff=True)
    role_add(staff, Role.PROGRAM_STAFF)
    Authenticator.objects.create(
        user=staff, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    context = _signed_in(browser, live_server, staff, viewport=DESKTOP)
    page = context.new_page()
    try:
        # when staff open the queue
        page.goto("/experience/review/")
        # then the record's card shows the note
        card = page.locator("main section.card", has_text="Noa Noted")
        assert NOTE in card.inner_text()
    finally:
        context.close()
