"""The candidates part of the REST API, mounted by certwright.interface.api
(with ``SessionOrToken``: a session or an API token) at /api/candidates: a
candidate's own experience records (create, read, correct, withdraw, documents) and
program staff's review decisions.

Other people's records answer 404 (``access_experience_record``), whatever they are;
decisions answer 403 to anyone who is not program staff.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field, field_validator

from certwright.candidates.models import ExperienceDocument, ExperienceRecord
from certwright.candidates.selectors import (
    access_experience_record,
    access_own_experience_record,
    can_review_experience,
    experience_record_list,
    experience_review_queue,
    technician_for_user,
)
from certwright.candidates.services import (
    ThrottledError,
    experience_document_add,
    experience_edit,
    experience_employer_link_send,
    experience_record_approve,
    experience_record_reject,
    experience_record_withdraw,
    experience_submit,
)
from certwright.core.api_types import (
    PRINTABLE,
    BodyBool,
    BodyInt,
    IsoDate,
    documented_pattern,
)
from certwright.core.problems import ProblemDetails, problem, validation_problem

router = Router(tags=["candidates"])


class DocumentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: dt.datetime
    url: str


class ExperienceOut(Schema):
    id: int
    technician_id: int
    kind: str
    employer: str
    role: str
    employer_email: str
    start: dt.date
    end: dt.date | None
    full_time: bool
    note: str
    revision: int = Field(description="Send it back on PUT to refuse stale edits.")
    review_status: str = Field(description="pending, approved, rejected or withdrawn")
    approved: bool
    approved_at: dt.datetime | None
    rejection_reason: str
    rejected_at: dt.datetime | None
    employer_status: str = Field(
        description="not_asked, awaiting, confirmed, flagged (confirmed from an "
        "address staff should look at) or disputed"
    )
    employer_flags: list[str] = Field(
        description="Why a confirmation is flagged: free_mail, own_domain"
    )
    employer_response: str
    created_at: dt.datetime
    documents: list[DocumentOut]


def _printable(value: str) -> str:
    # A NUL is an error on PostgreSQL and no control character belongs in a record;
    # the web forms refuse them too (Django's CharField).
    if any(unicodedata.category(ch) == "Cc" for ch in value if ch not in "\n\r\t"):
        raise ValueError("contains characters that cannot be printed")
    return value


_PRINTABLE = documented_pattern(PRINTABLE)


class ExperienceIn(Schema):
    kind: str = Field(description="employment, apprenticeship, degree or training")
    start: IsoDate
    end: IsoDate | None = Field(None, description="Empty while ongoing.")
    full_time: BodyBool = True
    employer: str = Field("", max_length=200, json_schema_extra=_PRINTABLE)
    role: str = Field("", max_length=200, json_schema_extra=_PRINTABLE)
    employer_email: str = Field("", max_length=254, json_schema_extra=_PRINTABLE)
    note: str = Field("", max_length=2000, json_schema_extra=_PRINTABLE)

    @field_validator("employer", "role", "employer_email", "note")
    @classmethod
    def _text(cls, value: str) -> str:
        return _printable(value)


class ExperienceUpdateIn(ExperienceIn):
    revision: BodyInt | None = Field(
        None, description="The revision the edit is based on; a mismatch is 409."
    )


class RejectIn(Schema):
    reason: str = Field(min_length=1, max_length=2000, json_schema_extra=_PRINTABLE)

    @field_validator("reason")
    @classmethod
    def _text(cls, value: str) -> str:
        return _printable(value)


ERRORS: dict[int, Any] = {
    400: ProblemDetails,
    403: ProblemDetails,
    404: ProblemDetails,
    409: ProblemDetails,
}
# The calls that may mail the employer also answer 429 (too many links too soon).
MAILING_ERRORS: dict[int, Any] = {**ERRORS, 429: ProblemDetails}


def _document_out(d: ExperienceDocument) -> dict[str, Any]:
    from django.urls import reverse

    return {
        "id": d.pk,
        "name": d.original_name,
        "content_type": d.content_type,
        "size": d.size,
        "uploaded_at": d.uploaded_at,
        "url": reverse("candidates:document_download", args=[d.pk]),
    }


def _out(r: ExperienceRecord) -> dict[str, Any]:
    return {
        "id": r.pk,
        "technician_id": r.technician_id,
        "kind": r.kind,
        "employer": r.employer,
        "role": r.role,
        "employer_email": r.employer_email,
        "start": r.start,
        "end": r.end,
        "full_time": r.full_time,
        "note": r.note,
        "revision": r.revision,
        "review_status": str(r.review_status),
        "approved": r.approved,
        "approved_at": r.approved_at,
        "rejection_reason": r.rejection_reason,
        "rejected_at": r.rejected_at,
        "employer_status": str(r.employer_status),
        "employer_flags": r.employer_flags.split(),
        "employer_response": r.employer_response,
        "created_at": r.created_at,
        "documents": [_document_out(d) for d in r.documents.all()],
    }


def _throttled(exc: ThrottledError, response: HttpResponse) -> Status:
    response["Retry-After"] = str(exc.retry_after_seconds)
    return problem(429, exc.message)


def _error(exc: ValidationError) -> Status:
    """400 for bad input (errors by field), 409 for a state that forbids the change
    (already approved, withdrawn, or changed since the caller read it)."""
    return validation_problem(exc, 400 if hasattr(exc, "error_dict") else 409)


def _not_candidate() -> Status:
    return problem(
        403, _("This account has no technician record."), code="not_candidate"
    )


def _refused_to_non_staff() -> Status:
    return problem(403, _("Only program staff decide on experience records."))


def _actor(request: HttpRequest) -> AbstractBaseUser:
    # Behind SessionOrToken: an anonymous user here is a programming error.
    user = request.user
    if not isinstance(user, AbstractBaseUser):
        raise Http404
    return user


@router.get(
    "/experience",
    response={200: list[ExperienceOut], **ERRORS},
    summary="My experience records",
)
def experience_list(request: HttpRequest) -> Any:
    technician = technician_for_user(request.user)
    if technician is None:
        return _not_candidate()
    return [_out(r) for r in experience_record_list(technician_id=technician.pk)]


@router.post(
    "/experience",
    response={201: ExperienceOut, **MAILING_ERRORS},
    summary="Document experience (it waits for review)",
)
def experience_create(
    request: HttpRequest, payload: ExperienceIn, response: HttpResponse
) -> Any:
    technician = technician_for_user(request.user)
    if technician is None:
        return _not_candidate()
    try:
        record = experience_submit(
            technician_id=technician.pk, actor=_actor(request), **payload.dict()
        )
    except ValidationError as exc:
        return _error(exc)
    except ThrottledError as exc:
        return _throttled(exc, response)
    return Status(201, _out(record))


@router.get(
    "/experience/{record_id}",
    response={200: ExperienceOut, **ERRORS},
    summary="One experience record (yours, or any for program staff)",
)
def experience_get(request: HttpRequest, record_id: int) -> Any:
    return _out(access_experience_record(request.user, record_id))


@router.put(
    "/experience/{record_id}",
    response={200: ExperienceOut, **MAILING_ERRORS},
    summary="Correct a record not yet approved",
)
def experience_update(
    request: HttpRequest,
    record_id: int,
    payload: ExperienceUpdateIn,
    response: HttpResponse,
) -> Any:
    record = access_own_experience_record(request.user, record_id)
    data = payload.dict()
    revision = data.pop("revision")
    try:
        record = experience_edit(
            record_id=record.pk,
            expected_revision=revision,
            actor=_actor(request),
            **data,
        )
    except ValidationError as exc:
        return _error(exc)
    except ThrottledError as exc:
        return _throttled(exc, response)
    return _out(record)


@router.delete(
    "/experience/{record_id}",
    response={200: ExperienceOut, **ERRORS},
    summary="Withdraw a record before it is approved (it is kept, never counted)",
)
def experience_withdraw(request: HttpRequest, record_id: int) -> Any:
    record = access_own_experience_record(request.user, record_id)
    try:
        record = experience_record_withdraw(record_id=record.pk, actor=_actor(request))
    except ValidationError as exc:
        return _error(exc)
    return _out(record)


@router.post(
    "/experience/{record_id}/documents",
    response={201: ExperienceOut, **ERRORS},
    summary="Attach a document (PDF, JPEG or PNG, up to 10 MB)",
)
def experience_document_upload(
    request: HttpRequest, record_id: int, file: File[UploadedFile]
) -> Any:
    record = access_own_experience_record(request.user, record_id)
    try:
        record = experience_document_add(
            record_id=record.pk, upload=file, actor=_actor(request)
        )
    except ValidationError as exc:
        return _error(exc)
    return Status(201, _out(record))


@router.post(
    "/experience/{record_id}/employer-link",
    response={200: ExperienceOut, **MAILING_ERRORS},
    summary="Send the employer's confirmation link again (429 when sent too often)",
)
def experience_employer_link(
    request: HttpRequest, record_id: int, response: HttpResponse
) -> Any:
    record = access_own_experience_record(request.user, record_id)
    try:
        experience_employer_link_send(record_id=record.pk, actor=_actor(request))
    except ValidationError as exc:
        return _error(exc)
    except ThrottledError as exc:
        return _throttled(exc, response)
    record.refresh_from_db()
    return _out(record)


# --- program staff ---------------------------------------------------------------


@router.get(
    "/review",
    response={200: list[ExperienceOut], **ERRORS},
    summary="Records waiting for a decision (program staff)",
)
def review_queue(request: HttpRequest) -> Any:
    if not can_review_experience(request.user):
        return _refused_to_non_staff()
    return [_out(r) for r in experience_review_queue()]


@router.post(
    "/experience/{record_id}/approve",
    response={200: ExperienceOut, **ERRORS},
    summary="Approve a record (program staff); pending passes may become certified",
)
def experience_approve(request: HttpRequest, record_id: int) -> Any:
    if not can_review_experience(request.user):
        return _refused_to_non_staff()
    record = access_experience_record(request.user, record_id)
    try:
        record = experience_record_approve(record_id=record.pk, actor=_actor(request))
    except ValidationError as exc:
        return _error(exc)
    return _out(record)


@router.post(
    "/experience/{record_id}/reject",
    response={200: ExperienceOut, **ERRORS},
    summary="Reject a record with a reason (program staff)",
)
def experience_reject(request: HttpRequest, record_id: int, payload: RejectIn) -> Any:
    if not can_review_experience(request.user):
        return _refused_to_non_staff()
    record = access_experience_record(request.user, record_id)
    try:
        record = experience_record_reject(
            record_id=record.pk, reason=payload.reason, actor=_actor(request)
        )
    except ValidationError as exc:
        return _error(exc)
    return _out(record)
