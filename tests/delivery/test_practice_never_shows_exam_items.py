"""A practice test shows the key and rationale after each answer, so it is drawn
from the practice pool only (practice items and retired exam items off every
published exam form): an operational or pretest exam item never appears on a
practice form, nor a retired one still on a live exam form; an old practice form
holding such items is retired rather than served. With no practice item the pages
say plainly that no practice test is available yet; a practice test shorter than
the exam says so."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from certwright.audit.models import Event, EventKind
from certwright.commerce.models import Entitlement, EntitlementKind
from certwright.delivery.attempts import practice_attempt_create
from certwright.delivery.models import Attempt
from certwright.itembank.models import (
    Form,
    FormItem,
    FormKind,
    FormStatus,
    ItemPool,
    ItemVersion,
)
from tests.support.delivery import version_create
from tests.support.scheduling import NOW, lines_buy

pytestmark = pytest.mark.django_db


def _entitle(technician, test="A1"):
    (line,) = lines_buy(technician, test)
    for kind in EntitlementKind.values:
        Entitlement.objects.create(
            technician=technician, test=test, kind=kind, source_line=line
        )


def _practice(*codes_areas: tuple[str, str]) -> set[str]:
    for code, area in codes_areas:
        version_create(code, area, 0, "operational", pool=ItemPool.PRACTICE)
    return {code for code, _area in codes_areas}


def _codes(form: Form) -> set[str]:
    return set(
        FormItem.objects.filter(form=form).values_list(
            "item_version__item__code", flat=True
        )
    )


def _text(response) -> str:
    return " ".join(
        html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split()
    )


def test_no_exam_item_on_a_practice_form(candidate, exam_form):
    """The exam form's operational and pretest items never appear, nor its item
    retired since but still on the published exam form; the practice items do."""
    # given an exam form (4 operational, 1 pretest) and one of its items retired
    ItemVersion.objects.filter(item__code="A1-001").update(status="retired")
    exam = _codes(exam_form)
    practice = _practice(("A1-P01", "A"), ("A1-P02", "A"), ("A1-P03", "B"))
    _entitle(candidate)
    # when
    attempt = practice_attempt_create(technician_id=candidate.pk, test="A1")
    # then
    on_form = _codes(attempt.form)
    assert on_form <= practice
    assert not on_form & exam
    assert {
        fi.item_version.item.pool
        for fi in FormItem.objects.filter(form=attempt.form).select_related(
            "item_version__item"
        )
    } == {ItemPool.PRACTICE}


def test_an_old_practice_form_with_exam_items_is_retired(candidate, exam_form):
    """A published practice form holding live exam items (made before the pools)
    is retired, with its event, and a new one of practice items is served."""
    # given an old practice form of the exam form's operational items
    old = Form.objects.create(
        test="A1",
        kind=FormKind.PRACTICE,
        number=1,
        status=FormStatus.PUBLISHED,
        blueprint_effective=exam_form.blueprint_effective,
        minutes=75,
        cut_score=3,
        scale=[200, 300, 400, 500, 800],
        published_at=NOW,
    )
    for position, row in enumerate(exam_form.items.filter(scored=True), start=1):
        FormItem.objects.create(
            form=old,
            position=position,
            item_version=row.item_version,
            scored=True,
            area=row.area,
        )
    practice = _practice(("A1-P01", "A"), ("A1-P02", "B"))
    _entitle(candidate)
    # when
    attempt = practice_attempt_create(technician_id=candidate.pk, test="A1")
    # then
    old.refresh_from_db()
    assert old.status == FormStatus.RETIRED
    assert Event.objects.filter(
        kind=EventKind.FORM_RETIRED, subject=f"form:{old.pk}"
    ).exists()
    assert attempt.form_id != old.pk
    assert _codes(attempt.form) == practice


def test_without_practice_items_the_pages_say_so(client, candidate, exam_form):
    """Starting a practice test of a test with no practice items lands on My exams
    with a plain message (no error page, nothing made); the study page and My
    exams say so and offer no button."""
    # given
    _entitle(candidate)
    client.force_login(candidate.user)
    # when
    started = client.post(reverse("delivery:practice_start", args=["A1"]), follow=True)
    # then
    assert started.status_code == 200
    assert started.redirect_chain == [(reverse("delivery:attempt_list"), 302)]
    assert "No practice test is available for A1 yet." in _text(started)
    assert not Attempt.objects.exists()
    assert not Form.objects.filter(kind=FormKind.PRACTICE).exists()
    study = client.get(reverse("delivery:study", args=["A1"]))
    assert study.status_code == 200
    assert "No practice test is available for A1 yet." in _text(study)
    assert reverse("delivery:practice_start", args=["A1"]) not in study.content.decode()
    mine = client.get(reverse("delivery:attempt_list"))
    assert reverse("delivery:practice_start", args=["A1"]) not in mine.content.decode()


def test_a_shorter_practice_test_says_so(client, candidate, exam_form, frozen):
    """Four practice items against the exam's 45 scored questions: the study page,
    My exams and the player's tutorial say the practice test is shorter."""
    # given
    _practice(("A1-P01", "A"), ("A1-P02", "A"), ("A1-P03", "A"), ("A1-P04", "B"))
    _entitle(candidate)
    client.force_login(candidate.user)
    # when
    study = _text(client.get(reverse("delivery:study", args=["A1"])))
    mine = _text(client.get(reverse("delivery:attempt_list")))
    started = client.post(reverse("delivery:practice_start", args=["A1"]), follow=True)
    # then
    assert (
        "The practice test has 4 questions — shorter than the exam, which has 45 "
        "scored questions." in study
    )
    assert "4 questions, fewer than the exam" in mine
    assert "There are 4 questions, one per screen." in _text(started)
    assert "This practice test is shorter than the exam (45 scored questions)" in (
        _text(started)
    )
