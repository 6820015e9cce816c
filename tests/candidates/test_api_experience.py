"""/api/candidates: a candidate's own experience through the API, with the same
checks as the pages; other people's records are 404 and decisions are staff's."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from certwright.accounts.services import api_token_create
from certwright.candidates.models import ExperienceRecord
from certwright.candidates.services import experience_record_add
from certwright.credentials.models import Certification
from certwright.credentials.services import result_record
from tests.support.candidates import PDF
from tests.support.dates import ago

pytestmark = pytest.mark.django_db

BASE = "/api/candidates"


def _body(**overrides: Any) -> dict[str, Any]:
    body = {
        "kind": "employment",
        "start": ago(years=3).isoformat(),
        "end": None,
        "full_time": True,
        "employer": "Main Street Auto",
        "role": "technician",
        "employer_email": "",
    }
    body.update(overrides)
    return body


def test_create_read_update_and_withdraw_my_record(client, candidate):
    """The candidate creates a record, reads it back, corrects it (with its
    revision) and withdraws it."""
    # given
    client.force_login(candidate[0])

    # when
    created = client.post(
        f"{BASE}/experience", _body(), content_type="application/json"
    )
    record_id = created.json()["id"]
    listed = client.get(f"{BASE}/experience")
    updated = client.put(
        f"{BASE}/experience/{record_id}",
        {**_body(role="lead technician"), "revision": 1},
        content_type="application/json",
    )
    withdrawn = client.delete(f"{BASE}/experience/{record_id}")

    # then
    assert created.status_code == 201
    assert created.json()["review_status"] == "pending"
    assert [r["id"] for r in listed.json()] == [record_id]
    assert updated.status_code == 200
    assert updated.json()["role"] == "lead technician"
    assert updated.json()["revision"] == 2
    assert withdrawn.json()["review_status"] == "withdrawn"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": "2021-05-01", "end": "2021-04-30"}, "end"),
        ({"start": "1900-01-01"}, "start"),
        ({"start": "2999-01-01"}, "start"),
        ({"kind": "hobby"}, "kind"),
        ({"employer_email": "not an address"}, "employer_email"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_nothing_is_written(
    client, candidate, change, field
):
    """Impossible dates, unknown kinds and bad addresses come back by field."""
    client.force_login(candidate[0])
    response = client.post(
        f"{BASE}/experience", _body(**change), content_type="application/json"
    )
    assert response.status_code == 400
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not ExperienceRecord.objects.exists()


def test_an_overlap_is_refused(client, candidate):
    """The same kind over the same days is 400 with a message naming the other."""
    # given
    user, technician = candidate
    experience_record_add(
        technician_id=technician.pk,
        kind="employment",
        start=ago(years=5),
        employer="Quick Lube",
    )
    client.force_login(user)

    # when
    response = client.post(
        f"{BASE}/experience", _body(), content_type="application/json"
    )

    # then
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "Quick Lube" in next(e["message"] for e in errors if e["field"] == "")
    assert ExperienceRecord.objects.count() == 1


def test_a_stale_update_is_409(client, candidate):
    """An update based on an old revision is refused with 409."""
    client.force_login(candidate[0])
    record_id = client.post(
        f"{BASE}/experience", _body(), content_type="application/json"
    ).json()["id"]
    url = f"{BASE}/experience/{record_id}"
    client.put(url, {**_body(role="a"), "revision": 1}, content_type="application/json")
    stale = client.put(
        url, {**_body(role="b"), "revision": 1}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert ExperienceRecord.objects.get().role == "a"


def test_documents_upload_with_the_same_checks(client, candidate):
    """A PDF is attached; a text file pretending to be a PDF is refused."""
    client.force_login(candidate[0])
    record_id = client.post(
        f"{BASE}/experience", _body(kind="degree"), content_type="application/json"
    ).json()["id"]
    url = f"{BASE}/experience/{record_id}/documents"
    good = client.post(
        url, {"file": SimpleUploadedFile("d.pdf", PDF, "application/pdf")}
    )
    bad = client.post(
        url, {"file": SimpleUploadedFile("x.pdf", b"hello", "text/plain")}
    )
    assert good.status_code == 201
    assert [d["name"] for d in good.json()["documents"]] == ["d.pdf"]
    assert bad.status_code == 400
    errors = bad.json()["errors"]
    assert errors[0]["field"] == "documents"
    assert "not a PDF, JPEG or PNG" in errors[0]["message"]


def test_another_candidates_record_is_404_everywhere(client, make_candidate):
    """Reading, changing, withdrawing, uploading to or re-sending the link of someone
    else's record answers 404, as for an id that does not exist."""
    # given
    _owner_user, owner = make_candidate()
    other_user, _ = make_candidate()
    record = experience_record_add(
        technician_id=owner.pk, kind="employment", start=ago(years=3)
    )
    client.force_login(other_user)
    url = f"{BASE}/experience/{record.pk}"

    # when / then
    assert client.get(url).status_code == 404
    assert client.get(f"{BASE}/experience/999999").status_code == 404
    assert (
        client.put(url, {**_body(), "revision": 1}, content_type="application/json")
    ).status_code == 404
    assert client.delete(url).status_code == 404
    assert client.post(f"{url}/employer-link").status_code == 404
    upload = {"file": SimpleUploadedFile("d.pdf", PDF, "application/pdf")}
    assert client.post(f"{url}/documents", upload).status_code == 404
    assert client.get(f"{BASE}/experience").json() == []
    record.refresh_from_db()
    assert (record.revision, record.withdrawn_at) == (1, None)


def test_candidates_cannot_decide_even_on_their_own_records(client, candidate):
    """Approve, reject and the queue are 403 for a candidate."""
    user, technician = candidate
    record = experience_record_add(
        technician_id=technician.pk, kind="employment", start=ago(years=3)
    )
    client.force_login(user)
    assert client.get(f"{BASE}/review").status_code == 403
    assert client.post(f"{BASE}/experience/{record.pk}/approve").status_code == 403
    reject = client.post(
        f"{BASE}/experience/{record.pk}/reject",
        {"reason": "no"},
        content_type="application/json",
    )
    assert reject.status_code == 403
    record.refresh_from_db()
    assert not record.approved


def test_staff_approve_through_the_api_and_the_pending_pass_is_certified(
    client, candidate, staff_user, django_capture_on_commit_callbacks
):
    """Approval through the API is the same fact as on the page: A1 becomes certified
    and the candidate is e-mailed."""
    # given
    _user, technician = candidate
    with django_capture_on_commit_callbacks(execute=True):
        record = experience_record_add(
            technician_id=technician.pk, kind="employment", start=ago(years=4)
        )
        result_record(
            technician_id=technician.pk,
            test="A1",
            date=ago(months=1),
            kind="initial",
            outcome="pass",
        )
    client.force_login(staff_user)
    queue = client.get(f"{BASE}/review").json()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BASE}/experience/{record.pk}/approve")

    # then
    assert [r["id"] for r in queue] == [record.pk]
    assert response.status_code == 200
    assert response.json()["review_status"] == "approved"
    assert Certification.objects.get(technician=technician).status == "certified"
    assert "You are now certified in A1" in [m.subject for m in mail.outbox]


def test_staff_reject_needs_a_reason(client, candidate, staff_user):
    """An empty reason is refused by the schema; a reason is recorded."""
    _user, technician = candidate
    record = experience_record_add(
        technician_id=technician.pk, kind="employment", start=ago(years=3)
    )
    client.force_login(staff_user)
    url = f"{BASE}/experience/{record.pk}/reject"
    empty = client.post(url, {"reason": ""}, content_type="application/json")
    ok = client.post(url, {"reason": "No letter"}, content_type="application/json")
    assert empty.status_code in (400, 422)
    assert ok.json()["review_status"] == "rejected"
    assert ok.json()["rejection_reason"] == "No letter"


def test_an_api_token_reaches_only_its_owners_records(client, make_candidate):
    """With a bearer token (no session) the candidate lists their own records."""
    # given
    user, technician = make_candidate()
    experience_record_add(
        technician_id=technician.pk, kind="employment", start=ago(years=3)
    )
    _token, raw = api_token_create(user=user, name="garage system")

    # when
    response = client.get(
        f"{BASE}/experience", headers={"Authorization": f"Bearer {raw}"}
    )
    anonymous = client.get(f"{BASE}/experience")

    # then
    assert response.status_code == 200
    assert len(response.json()) == 1
    assert anonymous.status_code == 401


def test_control_characters_are_refused(client, candidate):
    """A NUL or another control character in a text field is refused before any
    database sees it (PostgreSQL cannot store a NUL)."""
    client.force_login(candidate[0])
    response = client.post(
        f"{BASE}/experience",
        _body(employer="Main\x00Street"),
        content_type="application/json",
    )
    assert response.status_code in (400, 422)
    assert not ExperienceRecord.objects.exists()
