"""The sweep renders a reminder once per certification and expiry date and puts
each person in afterwards (certwright.reminders.services ``_Rendered``): every
message must be exactly what rendering it for that person gives, for names that
HTML escapes and for two people sharing a kind."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from certwright.candidates.selectors import technician_email
from certwright.core.program import current_program
from certwright.notifications.services import email_render
from certwright.reminders.services import (
    _Rendered,
    reminder_email_context,
    unsubscribe_url,
)
from tests.support.reminders import expires_on, reminded_technician, sweep

pytestmark = pytest.mark.django_db


def test_each_message_is_the_one_rendered_for_its_person() -> None:
    with time_machine.travel(dt.date(2030, 1, 1), tick=False):
        rosa = reminded_technician(passed_on=dt.date(2026, 1, 1))
        other = reminded_technician(passed_on=dt.date(2026, 1, 1))
    other.name = "Zoë O'Brien & <Sons>"
    other.save(update_fields=["name"])
    ends = expires_on(rosa)
    assert expires_on(other) == ends
    day = ends - dt.timedelta(days=30)
    program = current_program()
    rendered = _Rendered(program, day)
    for technician in (rosa, other, rosa):
        link = unsubscribe_url(technician.pk)
        direct = email_render(
            template="expiry_reminder",
            context=reminder_email_context(
                technician=technician,
                program=program,
                test="A1",
                expires_on=ends,
                on=day,
            ),
        )
        assert rendered.message(technician, "A1", ends, link) == direct
    # One kind, rendered once, for the three messages
    assert len(rendered.kinds) == 1
    subject, text, html = rendered.message(other, "A1", ends, "x")
    assert "Zoë O'Brien & <Sons>" in text
    assert "Zoë O&#x27;Brien &amp; &lt;Sons&gt;" in html
    assert "MARK" not in text + html + subject


def test_the_sweep_sends_each_person_their_own_message() -> None:
    with time_machine.travel(dt.date(2030, 1, 1), tick=False):
        rosa = reminded_technician(passed_on=dt.date(2026, 1, 1))
        other = reminded_technician(passed_on=dt.date(2026, 1, 1))
    other.name = "Ana <b>Bold</b>"
    other.save(update_fields=["name"])
    day = expires_on(rosa) - dt.timedelta(days=30)
    result, sent = sweep(on=day)
    assert result.sent == 2
    bodies = {m.to[0]: m.body for m in sent}
    mine, theirs = bodies[technician_email(rosa)], bodies[technician_email(other)]
    assert "Hello Rosa Díaz," in mine
    assert "Hello Ana <b>Bold</b>," in theirs
    assert rosa.certification_id in mine
    assert other.certification_id in theirs
    assert rosa.certification_id not in theirs
    for message in sent:
        html = message.alternatives[0][0]
        assert "<b>Bold</b>" not in html
