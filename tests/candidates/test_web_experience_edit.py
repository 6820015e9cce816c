"""Editing experience: corrections go through the same checks; a stale form, an
approved record and another candidate's record are refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from certwright.audit.models import Event
from certwright.candidates.models import ExperienceRecord
from certwright.candidates.services import (
    experience_record_add,
    experience_record_approve,
    experience_record_reject,
    experience_submit,
)
from tests.support.dates import ago

pytestmark = pytest.mark.django_db


def _submit(technician: Any, **kw: Any) -> ExperienceRecord:
    args: dict[str, Any] = {
        "technician_id": technician.pk,
        "kind": "employment",
        "start": ago(years=3),
        "end": ago(years=1),
        "full_time": True,
        "employer": "Main Street Auto",
        "role": "technician",
        "employer_email": "",
    }
    args.update(kw)
    return experience_submit(**args)


def _form(record: ExperienceRecord, **overrides: Any) -> dict[str, Any]:
    data = {
        "kind": record.kind,
        "employer": record.employer,
        "role": record.role,
        "employer_email": record.employer_email,
        "start": record.start.isoformat(),
        "end": record.end.isoformat() if record.end else "",
        "hours": "full" if record.full_time else "part",
        "note": record.note,
        "revision": record.revision,
    }
    data.update(overrides)
    return data


def test_a_correction_is_saved_and_recorded(client, candidate):
    """The record takes the new values, its revision moves on and the change is an
    audit event with before and after."""
    # given
    user, technician = candidate
    record = _submit(technician)
    client.force_login(user)

    # when
    response = client.post(
        reverse("candidates:experience_edit", args=[record.pk]),
        _form(record, end=ago(months=2).isoformat(), hours="part"),
    )

    # then
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.end == ago(months=2)
    assert not record.full_time
    assert record.revision == 2
    event = Event.objects.filter(kind="fact.updated").get()
    assert event.data["before"]["full_time"] is True
    assert event.data["after"]["full_time"] is False


def test_a_bad_correction_changes_nothing(client, candidate):
    """An end before the start, on edit, is refused; the record is as it was."""
    # given
    user, technician = candidate
    record = _submit(technician)
    client.force_login(user)

    # when
    response = client.post(
        reverse("candidates:experience_edit", args=[record.pk]),
        _form(record, end=ago(years=5).isoformat()),
    )

    # then
    assert response.status_code == 400
    assert "is before the start" in response.content.decode()
    fresh = ExperienceRecord.objects.get(pk=record.pk)
    assert (fresh.end, fresh.revision) == (record.end, 1)


def test_an_edit_into_an_overlap_is_refused(client, candidate):
    """Moving a record onto days another record of the same kind covers is refused."""
    # given
    user, technician = candidate
    _submit(technician, start=ago(years=6), end=ago(years=4), employer="First Job")
    record = _submit(technician)
    client.force_login(user)

    # when
    response = client.post(
        reverse("candidates:experience_edit", args=[record.pk]),
        _form(record, start=ago(years=5).isoformat()),
    )

    # then
    assert response.status_code == 400
    assert "(First Job)" in response.content.decode()
    assert ExperienceRecord.objects.get(pk=record.pk).start == record.start


def test_a_stale_form_is_refused(client, candidate):
    """A form opened on revision 1 cannot overwrite revision 2 saved meanwhile."""
    # given
    user, technician = candidate
    record = _submit(technician)
    client.force_login(user)
    url = reverse("candidates:experience_edit", args=[record.pk])
    client.post(url, _form(record, role="lead technician"))

    # when: the old form, still showing revision 1, is sent
    response = client.post(url, _form(record, role="apprentice"))

    # then
    assert response.status_code == 400
    assert "changed since you opened the form" in response.content.decode()
    assert ExperienceRecord.objects.get(pk=record.pk).role == "lead technician"


def test_an_approved_record_cannot_be_edited(client, candidate):
    """Once approved a record is a fact the certifications rest on: the edit page
    sends the candidate back with a message and a POST changes nothing."""
    # given
    user, technician = candidate
    record = _submit(technician)
    experience_record_approve(record_id=record.pk)
    client.force_login(user)
    url = reverse("candidates:experience_edit", args=[record.pk])

    # when
    response = client.post(url, _form(record, role="changed"), follow=True)

    # then
    assert "can no longer be changed" in response.content.decode()
    assert ExperienceRecord.objects.get(pk=record.pk).role == "technician"


def test_editing_a_rejected_record_resubmits_it(client, candidate):
    """Correcting a rejected record clears the rejection: it is back in the queue."""
    # given
    user, technician = candidate
    record = _submit(technician)
    experience_record_reject(record_id=record.pk, reason="dates do not match")
    client.force_login(user)

    # when
    client.post(
        reverse("candidates:experience_edit", args=[record.pk]),
        _form(
            ExperienceRecord.objects.get(pk=record.pk), start=ago(years=2).isoformat()
        ),
    )

    # then
    record.refresh_from_db()
    assert record.review_status == "pending"
    assert record.rejection_reason == ""
    assert Event.objects.filter(kind="experience.rejected").exists()


def test_changing_the_employer_facing_content_asks_the_employer_again(
    client, candidate, django_capture_on_commit_callbacks
):
    """A confirmation covers what the employer saw: new dates clear it and a new
    link goes out; a changed note alone does not."""
    # given
    user, technician = candidate
    with django_capture_on_commit_callbacks(execute=True):
        record = _submit(technician, employer_email="boss@example.com")
    ExperienceRecord.objects.filter(pk=record.pk).update(
        employer_confirmed_at=record.created_at
    )
    record.refresh_from_db()
    client.force_login(user)
    url = reverse("candidates:experience_edit", args=[record.pk])
    mail.outbox.clear()

    # when: only the note changes
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, _form(record, note="I also did diagnostics"))
    # then
    record.refresh_from_db()
    assert record.employer_confirmed_at is not None
    assert mail.outbox == []

    # when: the dates change
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, _form(record, start=ago(years=2).isoformat()))
    # then
    record.refresh_from_db()
    assert record.employer_confirmed_at is None
    assert [m.to for m in mail.outbox] == [["boss@example.com"]]


def test_a_candidate_cannot_open_or_change_anothers_record(client, make_candidate):
    """Another candidate's record is 404 on every page, as if it did not exist."""
    # given
    _owner_user, owner = make_candidate()
    other_user, _other = make_candidate()
    record = experience_record_add(
        technician_id=owner.pk, kind="employment", start=ago(years=3)
    )
    client.force_login(other_user)

    # when / then
    for name in ("experience_detail", "experience_edit"):
        assert (
            client.get(reverse(f"candidates:{name}", args=[record.pk])).status_code
            == 404
        )
    for name in ("experience_edit", "experience_withdraw", "experience_link_resend"):
        url = reverse(f"candidates:{name}", args=[record.pk])
        assert client.post(url, {"role": "x"}).status_code == 404
    assert ExperienceRecord.objects.get(pk=record.pk).withdrawn_at is None


def test_withdrawing_keeps_the_record_out_of_review(client, candidate):
    """A withdrawn record stays (never counted) and leaves the queue and overlaps."""
    # given
    user, technician = candidate
    record = _submit(technician)
    client.force_login(user)

    # when
    client.post(reverse("candidates:experience_withdraw", args=[record.pk]))

    # then
    record.refresh_from_db()
    assert record.review_status == "withdrawn"
    assert not record.editable
    _submit(technician)  # the same days again: no overlap with a withdrawn record
