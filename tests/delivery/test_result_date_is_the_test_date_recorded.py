"""The result page, score report, PDF and e-mail show the test date as recorded on
the result fact (the centre's local day), not the submission's date in the
program's time zone: they agree with the certification."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from certwright.delivery.attempts import attempt_extend, attempt_submit
from certwright.delivery.models import Attempt
from certwright.delivery.reports import report_html
from tests.support.delivery import EXAM_DAY, KEYS, SEATS, form_items, save
from tests.support.scheduling import local

pytestmark = pytest.mark.django_db


def test_an_evening_exam_shows_the_centres_day(
    client,
    frozen,
    started,
    candidate,
    proctor,
    django_capture_on_commit_callbacks,
):
    # given an exam in Chicago submitted at 19:50 local time (00:50 UTC the next
    # day; the program's time zone is UTC), after the proctor gave extra time
    for _ in range(3):
        attempt_extend(
            attempt_id=started.pk, minutes=240, reason="late session", actor=proctor
        )
    items = form_items(started)
    save(started, items["A1-001"], seq=1, choice=KEYS["A1-001"])
    frozen.move_to(local(EXAM_DAY, 19, 50))
    # when the candidate submits
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(
            attempt_id=started.pk, by=candidate.user, device=SEATS[started.pk]
        )
    attempt = Attempt.objects.select_related("result").get(pk=started.pk)
    # then the fact is dated the centre's day, the day after in UTC
    assert attempt.status == "submitted"
    assert attempt.result is not None
    assert attempt.submitted_at is not None
    assert attempt.result.date == EXAM_DAY
    assert attempt.submitted_at.astimezone(dt.UTC).date() == EXAM_DAY + dt.timedelta(1)
    shown = f"<dd>{EXAM_DAY.isoformat()}</dd>"
    # then the result page and the report show the fact's date
    client.force_login(candidate.user)
    for name in ("delivery:result", "delivery:report"):
        page = client.get(reverse(name, args=[attempt.pk])).content.decode()
        assert shown in page, name
    # then the e-mail says it too
    (message,) = mail.outbox
    assert f"Test date: {EXAM_DAY.isoformat()}" in message.body
    # then the PDF's HTML shows it
    assert shown in report_html(attempt)
