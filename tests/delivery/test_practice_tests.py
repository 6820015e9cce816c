"""Practice tests: only for a candidate holding the practice entitlement of the
test, unproctored and untimed, with immediate feedback and the rationale after each
answer, on a practice form (made from the bank's practice pool when none is
published), and never a test result."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certwright.commerce.models import Entitlement, EntitlementKind
from certwright.credentials.models import TestResult
from certwright.delivery.answers import answer_save
from certwright.delivery.attempts import attempt_submit, practice_attempt_create
from certwright.delivery.errors import DeliveryError
from certwright.delivery.models import Attempt, AttemptKind, AttemptStatus
from certwright.itembank.models import FormKind, FormStatus, ItemPool
from tests.support.delivery import KEYS, form_create, form_items, version_create
from tests.support.scheduling import NOW, lines_buy

pytestmark = pytest.mark.django_db


def practice_items_create() -> set[str]:
    """Three practice items (area A) and a retired exam item (area B): the practice
    pool beside the exam form's items, 3 to 1 as the blueprint's 18 to 6; their
    codes."""
    for code, area in (("A1-P01", "A"), ("A1-P02", "A"), ("A1-P03", "A")):
        version_create(code, area, 1, "operational", pool=ItemPool.PRACTICE)
    version_create("A1-R01", "B", 2, "retired")
    return {"A1-P01", "A1-P02", "A1-P03", "A1-R01"}


def _entitle(technician, test="A1"):
    (line,) = lines_buy(technician, test)
    for kind in EntitlementKind.values:
        Entitlement.objects.create(
            technician=technician, test=test, kind=kind, source_line=line
        )


def test_practice_needs_the_entitlement(candidate, exam_form):
    """Without a purchase of A1 the practice test is refused and nothing made."""
    with pytest.raises(DeliveryError) as refused:
        practice_attempt_create(technician_id=candidate.pk, test="A1")
    assert refused.value.code == "entitlement"
    assert not Attempt.objects.exists()


def test_a_refunded_purchase_no_longer_opens_practice(candidate, exam_form):
    """A refund revokes the entitlement, and with it the practice tests."""
    _entitle(candidate)
    Entitlement.objects.update(revoked_at=NOW)
    with pytest.raises(DeliveryError):
        practice_attempt_create(technician_id=candidate.pk, test="A1")


def test_a_practice_test_gives_feedback_and_records_no_result(candidate, frozen):
    """On the published practice form: in progress at once, untimed; each answer
    comes back with right/wrong, the key and the rationale; submitting scores it
    but records no result fact."""
    # given the entitlement and a published practice form
    _entitle(candidate)
    practice_form = form_create(kind="practice")
    # when the candidate starts a practice test
    attempt = practice_attempt_create(technician_id=candidate.pk, test="A1")
    # then it runs on the practice form, without a clock or a proctor
    assert attempt.kind == AttemptKind.PRACTICE
    assert attempt.form_id == practice_form.pk
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert attempt.deadline is None
    assert attempt.appointment_id is None
    # when an answer is saved, asking for feedback
    item = form_items(attempt)["A1-001"]
    wrong = (KEYS["A1-001"] + 1) % 4
    ack = answer_save(
        attempt_id=attempt.pk,
        form_item_id=item.pk,
        choice=wrong,
        flagged=False,
        client_seq=1,
        by=candidate.user,
        feedback=True,
    )
    # then the feedback says it is wrong, with the key and why
    assert ack.feedback == {
        "correct": False,
        "key": KEYS["A1-001"],
        "rationale": "RATIONALE-A1-001-practice: because of the reading.",
    }
    # when submitted
    finished = attempt_submit(attempt_id=attempt.pk, by=candidate.user)
    # then it is scored but no result is recorded
    assert finished.status == AttemptStatus.SUBMITTED
    assert finished.raw_score == 0
    assert finished.result_id is None
    assert not TestResult.objects.exists()


def test_without_a_published_practice_form_one_is_made_from_the_practice_pool(
    candidate, exam_form
):
    """The practice items and the retired exam item make a practice form (the
    exam form's operational and pretest items stay off it); it is published, all
    scored, and a second practice test reuses it."""
    # given
    _entitle(candidate)
    practice = practice_items_create()
    # when
    attempt = practice_attempt_create(technician_id=candidate.pk, test="A1")
    # then
    form = attempt.form
    assert form.kind == FormKind.PRACTICE
    assert form.status == FormStatus.PUBLISHED
    rows = list(form.items.select_related("item_version__item"))
    assert {row.item_version.item.code for row in rows} == practice
    assert all(row.scored for row in rows)
    # a second practice test reuses it
    again = practice_attempt_create(technician_id=candidate.pk, test="A1")
    assert again.form_id == form.pk


def test_the_practice_page_starts_a_practice_test(client, candidate, exam_form):
    _entitle(candidate)
    practice_items_create()
    client.force_login(candidate.user)
    response = client.post(reverse("delivery:practice_start", args=["A1"]))
    attempt = Attempt.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("delivery:player", args=[attempt.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Practice test" in page.content.decode()


def test_the_study_material_lists_areas_and_tasks_never_items(
    client, candidate, exam_form
):
    """Content areas and the bank's task lines; no stem, option or key."""
    client.force_login(candidate.user)
    assert client.get(reverse("delivery:study", args=["A1"])).status_code == 403
    _entitle(candidate)
    page = client.get(reverse("delivery:study", args=["A1"]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "General Engine Diagnosis" in text
    assert "Diagnose the fault of A1-001" in text
    assert "Which reading shows fault" not in text
    assert "RATIONALE" not in text
