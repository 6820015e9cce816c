"""`certwright demo load` gives the demo candidate (candidate@example.com) a
working A1 practice test: the sample bank's 24 practice items, in the blueprint's
proportions and never an exam item, with feedback after each answer. Loading the
item bank again changes nothing."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from certwright.accounts.demo import demo_load as accounts_demo_load
from certwright.delivery.answers import answer_save
from certwright.delivery.models import Attempt, AttemptKind
from certwright.itembank.demo import demo_load as items_demo_load
from certwright.itembank.models import FormItem, ItemPool
from certwright.proctoring.demo import demo_load as exam_day_demo_load
from certwright.scheduling.demo import demo_load as scheduling_demo_load

pytestmark = pytest.mark.django_db

WEDNESDAY = dt.datetime(2026, 3, 4, 15, 0, tzinfo=dt.UTC)  # 09:00 in Chicago


def test_the_demo_candidate_takes_the_a1_practice_test(client):
    with time_machine.travel(WEDNESDAY, tick=False):
        # given the demo as `certwright demo load` builds it
        accounts_demo_load()
        scheduling_demo_load()
        first = items_demo_load()
        exam_day_demo_load()
        again = items_demo_load()
        assert first.problems == []
        assert again.problems == []
        assert again.imported is not None
        assert again.imported.changed == 0
        user = get_user_model().objects.get(email="candidate@example.com")
        client.force_login(user)
        # when she opens the A1 study page
        study = client.get(reverse("delivery:study", args=["A1"]))
        text = " ".join(
            html.unescape(re.sub(r"<[^>]+>", " ", study.content.decode())).split()
        )
        # then it offers a 24-question practice test, shorter than the exam
        assert study.status_code == 200
        assert "The practice test has 24 questions — shorter than the exam" in text
        # when she starts it
        started = client.post(reverse("delivery:practice_start", args=["A1"]))
        # then the player opens on a form of the 24 practice items
        attempt = Attempt.objects.get(technician__user=user, kind=AttemptKind.PRACTICE)
        assert started["Location"] == reverse("delivery:player", args=[attempt.pk])
        assert client.get(started["Location"]).status_code == 200
        rows = list(
            FormItem.objects.filter(form=attempt.form).select_related(
                "item_version__item"
            )
        )
        assert len(rows) == 24
        assert {r.item_version.item.pool for r in rows} == {ItemPool.PRACTICE}
        assert all(r.item_version.item.code.startswith("A1-P") for r in rows)
        # and an answer comes back with the key and the rationale
        row = rows[0]
        ack = answer_save(
            attempt_id=attempt.pk,
            form_item_id=row.pk,
            choice=row.item_version.key,
            flagged=False,
            client_seq=1,
            by=user,
            feedback=True,
        )
        assert ack.feedback == {
            "correct": True,
            "key": row.item_version.key,
            "rationale": row.item_version.rationale,
        }
