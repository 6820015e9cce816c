"""Writing technicians and their experience records.

Candidates owns the experience record and every write to it: recording, correcting,
approving, rejecting and withdrawing one all happen here, and the review page, the
API and the admin call the same functions. Results, renewal credits and revocations
are recorded by ``certwright.credentials.services``. An experience write bumps the
technician's ``facts_version`` and sends ``signals.facts_changed`` (approval also
``signals.experience_approved``); credentials, which derives certifications from the
facts, listens and recomputes, so this app never imports it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache, partial
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.core.validators import validate_email
from django.db import connection, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from certwright.audit.models import Event, EventKind
from certwright.audit.services import Actor, event_record, event_record_change
from certwright.candidates.ids import certification_id_new, certification_id_normalize
from certwright.candidates.models import (
    DOCUMENT_MAX_BYTES,
    DOCUMENT_TYPES,
    EARLIEST_EXPERIENCE,
    REF_EXPERIENCE,
    EmployerFlag,
    ExperienceDocument,
    ExperienceKind,
    ExperienceRecord,
    Technician,
    family_name_guess,
)
from certwright.candidates.selectors import (
    email_domain,
    email_normalize,
    experience_overlaps,
    technician_email,
    technician_own_addresses,
)
from certwright.candidates.signals import experience_approved, facts_changed
from certwright.core.clock import now, today
from certwright.core.dates import day_problem
from certwright.core.program import current_program
from certwright.notifications.services import email_send
from certwright.notifications.text import looks_like_link
from certwright.program.model import Program

# 32^8 IDs: a collision is a one-in-10^7 event at a million technicians; a few tries
# make a failure practically impossible without a lock or a sequence.
_ID_ATTEMPTS = 5


def _unused_certification_id() -> str:
    for _attempt in range(_ID_ATTEMPTS):
        candidate = certification_id_new()
        if not Technician.objects.filter(certification_id=candidate).exists():
            return candidate
    raise RuntimeError("could not find an unused certification ID")


def technician_create(
    *,
    name: str,
    email: str = "",
    user_id: int | None = None,
    certification_id: str | None = None,
    family_name: str | None = None,
    actor: Actor = None,
) -> Technician:
    """Register a technician under a new (or a given, valid) certification ID.

    ``family_name`` None: the last word of the name."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("A technician needs a name.")})
    if certification_id is not None:
        normalized = certification_id_normalize(certification_id)
        if normalized is None:
            raise ValidationError(
                {"certification_id": f"{certification_id!r} is not a certification ID."}
            )
        certification_id = normalized
    with transaction.atomic():
        technician = Technician(
            certification_id=certification_id or _unused_certification_id(),
            name=name,
            family_name=(
                family_name_guess(name) if family_name is None else family_name.strip()
            ),
            email=email.strip(),
            user_id=user_id,
        )
        technician.full_clean()
        technician.save()
        event_record(
            kind=EventKind.TECHNICIAN_CREATED,
            subject=f"technician:{technician.certification_id}",
            technician_id=technician.pk,
            actor=actor,
            data={"after": {"name": technician.name, "email": technician.email}},
        )
    return technician


def technician_update(
    *,
    technician_id: int,
    name: str,
    email: str,
    family_name: str | None = None,
    actor: Actor = None,
) -> Technician:
    """Change a technician's name, last name or e-mail (the certification ID never
    changes). ``family_name`` None keeps it, unless the name changes: then the last
    word of the new name."""
    with transaction.atomic():
        technician = Technician.objects.select_for_update().get(pk=technician_id)
        before = {
            "name": technician.name,
            "family_name": technician.family_name,
            "email": technician.email,
        }
        technician.name = name.strip()
        if family_name is not None:
            technician.family_name = family_name.strip()
        elif technician.name != before["name"]:
            technician.family_name = family_name_guess(technician.name)
        technician.email = email.strip()
        after = {
            "name": technician.name,
            "family_name": technician.family_name,
            "email": technician.email,
        }
        if after == before:
            return technician
        technician.full_clean()
        technician.save(update_fields=["name", "family_name", "email"])
        event_record(
            kind=EventKind.TECHNICIAN_UPDATED,
            subject=f"technician:{technician.certification_id}",
            technician_id=technician.pk,
            actor=actor,
            data={"before": before, "after": after},
            reason="contact details changed",
        )
    return technician


def technician_facts_touch(technician_id: int) -> None:
    """Mark the technician's derived state stale: every fact write (here and in
    credentials) bumps ``facts_version`` in its transaction. The UPDATE also locks
    the technician's row until commit, so a recompute running meanwhile waits and
    then sees the fact.

    A plain statement, written once: a right renewal answer at the monthly peak
    runs it, and the ORM's building of the ``F()`` update cost several times the
    statement (bench/renewal.py)."""
    with connection.cursor() as cursor:
        cursor.execute(_facts_touch_sql(connection.vendor), [technician_id])
        updated = cursor.rowcount
    if not updated:
        raise ValidationError(
            {"technician_id": f"no technician with id {technician_id}"}
        )


@cache
def _facts_touch_sql(vendor: str) -> str:
    qn = connection.ops.quote_name
    meta = Technician._meta
    version = qn(str(meta.get_field("facts_version").column))
    assert meta.pk is not None
    return (
        f"UPDATE {qn(meta.db_table)} SET {version} = {version} + 1"
        f" WHERE {qn(str(meta.pk.column))} = %s"
    )


def _user_id(actor: Actor) -> int | None:
    return actor.pk if isinstance(actor, AbstractBaseUser) else None


# --- experience records: the facts ---------------------------------------------------
#
# The one function per change of a record. The portal's submit and edit below add
# their own checks (overlaps, documents, the employer's link) around ``add`` and
# ``update``; approval, rejection and withdrawal have no other path.


# Changing what a record says about the work; confirming it again is the employer's.
_EMPLOYER_FACING = ("kind", "employer", "role", "start", "end", "full_time")


def experience_errors(
    *, program: Program, kind: object, start: object, end: object
) -> dict[str, str]:
    """What is wrong with a span of experience, by field (empty: nothing)."""
    errors: dict[str, str] = {}
    if kind not in ExperienceKind.values or kind not in program.experience.kinds:
        known = sorted(set(ExperienceKind.values) & set(program.experience.kinds))
        errors["kind"] = f"{kind!r} is not one of {', '.join(known)}"
    on = today()
    if problem := day_problem(start, earliest=EARLIEST_EXPERIENCE, on=on):
        errors["start"] = problem
    if end is not None:
        if problem := day_problem(end, earliest=EARLIEST_EXPERIENCE, on=on):
            errors["end"] = problem
        elif (
            "start" not in errors
            and isinstance(start, dt.date)
            and isinstance(end, dt.date)
            and end < start
        ):
            errors["end"] = (
                f"the end ({end.isoformat()}) is before the start ({start.isoformat()})"
            )
    return errors


def _experience_content(r: ExperienceRecord) -> dict[str, Any]:
    return {
        "kind": r.kind,
        "employer": r.employer,
        "role": r.role,
        "start": r.start.isoformat(),
        "end": r.end.isoformat() if r.end else None,
        "full_time": r.full_time,
        "approved": r.approved,
        "employer_email": r.employer_email,
    }


def _record_for_update(record_id: int) -> ExperienceRecord:
    record = ExperienceRecord.objects.select_for_update().filter(pk=record_id).first()
    if record is None:
        raise ValidationError(
            {"record_id": f"no experience record with id {record_id}"}
        )
    return record


def _facts_changed(technician_id: int) -> None:
    # Credentials recomputes the technician after commit (see signals.py).
    facts_changed.send(sender=ExperienceRecord, technician_id=technician_id)


def experience_record_add(
    *,
    technician_id: int,
    kind: str,
    start: dt.date,
    end: dt.date | None = None,
    full_time: bool = True,
    employer: str = "",
    role: str = "",
    note: str = "",
    approved: bool = False,
    employer_email: str = "",
    actor: Actor = None,
) -> ExperienceRecord:
    """Record a span of experience; it counts once approved (here, as staff and
    imports record it, or later through ``experience_record_approve``)."""
    errors = experience_errors(
        program=current_program(), kind=kind, start=start, end=end
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        technician_facts_touch(technician_id)
        record = ExperienceRecord.objects.create(
            technician_id=technician_id,
            kind=kind,
            start=start,
            end=end,
            full_time=full_time,
            employer=employer,
            role=role,
            note=note,
            employer_email=employer_email,
            approved=approved,
            approved_by_id=_user_id(actor) if approved else None,
            approved_at=now() if approved else None,
        )
        event_record_change(
            kind=EventKind.FACT_RECORDED,
            subject=f"{REF_EXPERIENCE}:{record.pk}",
            technician_id=technician_id,
            actor=actor,
            after=_experience_content(record),
            reason=f"{kind} experience recorded"
            + (" and approved" if approved else ", awaiting approval"),
        )
        _facts_changed(technician_id)
    return record


def experience_record_update(
    *,
    record_id: int,
    kind: str,
    start: dt.date,
    end: dt.date | None,
    full_time: bool,
    employer: str,
    role: str,
    employer_email: str,
    note: str = "",
    actor: Actor = None,
) -> ExperienceRecord:
    """Correct an experience record that is not yet approved.

    An approved record is a fact the derived state rests on and is never edited
    (staff record a new one instead). Editing a rejected record resubmits it for
    review. When what the employer would confirm changes, an earlier confirmation
    or dispute no longer applies and the record's revision moves on, so links sent
    for the old content stop working.
    """
    errors = experience_errors(
        program=current_program(), kind=kind, start=start, end=end
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record = _record_for_update(record_id)
        if not record.editable:
            raise ValidationError(
                _("This record was already approved and can no longer be changed.")
                if record.approved
                else _(
                    "This record was already withdrawn and can no longer be changed."
                )
            )
        before = _experience_content(record)
        new = {
            "kind": kind,
            "employer": employer.strip(),
            "role": role.strip(),
            "start": start,
            "end": end,
            "full_time": full_time,
            "employer_email": employer_email.strip(),
            "note": note,
        }
        if all(getattr(record, k) == v for k, v in new.items()):
            return record
        facing_changed = any(
            getattr(record, k) != new[k] for k in (*_EMPLOYER_FACING, "employer_email")
        )
        technician_facts_touch(record.technician_id)
        for k, v in new.items():
            setattr(record, k, v)
        record.revision += 1
        fields = [*new, "revision"]
        if facing_changed:
            record.employer_confirmed_at = None
            record.employer_disputed_at = None
            record.employer_response = ""
            record.employer_link_sent_at = None
            record.employer_flags = ""
            fields += [
                "employer_confirmed_at",
                "employer_disputed_at",
                "employer_response",
                "employer_link_sent_at",
                "employer_flags",
            ]
        resubmitted = record.rejected_at is not None
        if resubmitted:
            record.rejected_at = None
            record.rejected_by = None
            record.rejection_reason = ""
            fields += ["rejected_at", "rejected_by", "rejection_reason"]
        record.save(update_fields=fields)
        event_record_change(
            kind=EventKind.FACT_UPDATED,
            subject=f"{REF_EXPERIENCE}:{record.pk}",
            technician_id=record.technician_id,
            actor=actor,
            before=before,
            after=_experience_content(record),
            reason=f"{record.kind} experience corrected before approval"
            + (" and resubmitted after rejection" if resubmitted else ""),
        )
        _facts_changed(record.technician_id)
    return record


def experience_record_approve(
    *, record_id: int, actor: Actor = None
) -> ExperienceRecord:
    """Program staff approve a record: from now on it counts. The review page, the
    API and the admin all approve through here.

    Approving twice changes nothing; a withdrawn record is refused. After commit the
    candidate is e-mailed, and credentials (told by ``experience_approved``)
    recomputes at once and announces every pass the approval made a certification.
    """
    with transaction.atomic():
        record = _record_for_update(record_id)
        if record.approved:
            return record
        if record.withdrawn_at is not None:
            # Withdrawn by the candidate: kept, never counted (whoever asks).
            raise ValidationError(_("The candidate withdrew this record."))
        before = _experience_content(record)
        technician_facts_touch(record.technician_id)
        record.approved = True
        record.approved_by_id = _user_id(actor)
        record.approved_at = now()
        record.save(update_fields=["approved", "approved_by", "approved_at"])
        event_record_change(
            kind=EventKind.FACT_UPDATED,
            subject=f"{REF_EXPERIENCE}:{record.pk}",
            technician_id=record.technician_id,
            actor=actor,
            before=before,
            after=_experience_content(record),
            reason=f"{record.kind} experience approved",
        )
        _facts_changed(record.technician_id)
        # Registered before the signal's receivers register theirs: the candidate
        # reads "approved" before any "certified" the approval leads to.
        transaction.on_commit(partial(_approval_mail, record_id=record.pk))
        experience_approved.send(
            sender=ExperienceRecord,
            record_id=record.pk,
            technician_id=record.technician_id,
            actor=actor,
        )
    return record


def _approval_mail(*, record_id: int) -> None:
    record = ExperienceRecord.objects.select_related("technician__user").get(
        pk=record_id
    )
    to = technician_email(record.technician)
    if to:
        email_send(
            to=to,
            template="experience_approved",
            context={"record": record, "technician": record.technician},
        )


def experience_record_reject(
    *, record_id: int, reason: str, actor: Actor = None
) -> ExperienceRecord:
    """Program staff decide not to approve a record, with the reason, and the
    candidate is e-mailed it.

    The record stays (unapproved, so it never counts); the decision is on the record
    and in the audit trail, and the candidate may correct and resubmit it.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("A rejection needs a reason.")})
    with transaction.atomic():
        record = _record_for_update(record_id)
        if record.approved:
            raise ValidationError(_("This record is already approved."))
        if record.withdrawn_at is not None:
            raise ValidationError(_("The candidate withdrew this record."))
        record.rejected_at = now()
        record.rejected_by_id = _user_id(actor)
        record.rejection_reason = reason
        record.save(update_fields=["rejected_at", "rejected_by", "rejection_reason"])
        event_record(
            kind=EventKind.EXPERIENCE_REJECTED,
            subject=f"{REF_EXPERIENCE}:{record.pk}",
            technician_id=record.technician_id,
            actor=actor,
            data={"record": _experience_content(record), "revision": record.revision},
            reason=f"{record.kind} experience rejected: {reason}",
        )
        technician = Technician.objects.select_related("user").get(
            pk=record.technician_id
        )
        to = technician_email(technician)
        if to:
            email_send(
                to=to,
                template="experience_rejected",
                context={"record": record, "technician": technician},
            )
    return record


def experience_record_withdraw(
    *, record_id: int, actor: Actor = None
) -> ExperienceRecord:
    """The candidate takes back a record before it is approved (it is kept, never
    counted, and leaves the review queue)."""
    with transaction.atomic():
        record = _record_for_update(record_id)
        if record.approved:
            raise ValidationError(
                _("An approved record cannot be withdrawn; ask program staff.")
            )
        if record.withdrawn_at is not None:
            return record
        record.withdrawn_at = now()
        record.save(update_fields=["withdrawn_at"])
        event_record(
            kind=EventKind.EXPERIENCE_WITHDRAWN,
            subject=f"{REF_EXPERIENCE}:{record.pk}",
            technician_id=record.technician_id,
            actor=actor,
            data={"record": _experience_content(record)},
            reason=f"{record.kind} experience withdrawn by the candidate",
        )
    return record


# --- experience on the portal --------------------------------------------------------
#
# The candidate's side around the facts above: overlap checks, supporting documents
# and the employer's confirmation link.

_LINK_SALT = "certwright.candidates.employer-confirmation"
MAX_DOCUMENTS_PER_RECORD = 10

# How often the employer's link may be mailed. The mail goes to an address the
# candidate typed, so without a limit the site relays mail for them: the same link
# once per interval and a few times a day per record, and a daily cap per
# candidate over all their records (submissions and corrections included).
# Counted from the audit trail, which every process shares.
EMPLOYER_LINK_INTERVAL = dt.timedelta(minutes=10)
EMPLOYER_LINK_PER_RECORD_PER_DAY = 3
EMPLOYER_LINK_PER_CANDIDATE_PER_DAY = 10
_DAY = dt.timedelta(days=1)


class EmployerLinkError(Exception):
    """An employer's confirmation link that cannot be used, and why (``reason`` is
    one of invalid, expired, outdated, answered, closed)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class ThrottledError(Exception):
    """Too many employer links mailed too recently; ``retry_at`` is when the next
    one may go (the web and the API answer 429)."""

    def __init__(self, message: str, retry_at: dt.datetime) -> None:
        super().__init__(message)
        self.message = message
        self.retry_at = retry_at

    @property
    def retry_after_seconds(self) -> int:
        return max(1, int((self.retry_at - now()).total_seconds()) + 1)


def document_errors(upload: UploadedFile) -> str | None:
    """Why an uploaded file cannot be kept (None: it can). The type is read from the
    file's first bytes, not from its name or the browser's claim."""
    name = upload.name or "file"
    if not upload.size:
        return str(_("%(name)s is empty.") % {"name": name})
    if upload.size > DOCUMENT_MAX_BYTES:
        return str(_("%(name)s is larger than 10 MB.") % {"name": name})
    if _sniff(upload) is None:
        return str(_("%(name)s is not a PDF, JPEG or PNG file.") % {"name": name})
    return None


def _sniff(upload: UploadedFile) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for content_type, (_extension, magic) in DOCUMENT_TYPES.items():
        if head.startswith(magic):
            return content_type
    return None


def _overlap_errors(
    *,
    technician_id: int,
    kind: str,
    start: object,
    end: object,
    exclude_id: int | None = None,
) -> dict[str, str]:
    if not isinstance(start, dt.date) or not (end is None or isinstance(end, dt.date)):
        return {}
    clash = experience_overlaps(
        technician_id=technician_id,
        kind=kind,
        start=start,
        end=end,
        exclude_id=exclude_id,
    )
    if not clash:
        return {}
    other = clash[0]
    until = other.end.isoformat() if other.end else str(_("now (ongoing)"))
    where = f" ({other.employer})" if other.employer else ""
    return {
        NON_FIELD_ERRORS: str(
            _(
                "These dates overlap your %(kind)s record%(where)s from %(start)s to "
                "%(until)s: the same kind of experience cannot cover the same days "
                "twice. Correct the dates, or edit the other record."
            )
            % {
                "kind": other.get_kind_display(),
                "where": where,
                "start": other.start.isoformat(),
                "until": until,
            }
        )
    }


def _employer_email_errors(
    address: str, *, technician: Technician | None = None
) -> dict[str, str]:
    """A valid address that is not one of the candidate's own: a candidate cannot
    confirm their own experience."""
    if not address.strip():
        return {}
    try:
        validate_email(address.strip())
    except ValidationError:
        return {"employer_email": str(_("Enter a valid e-mail address."))}
    if technician is not None and email_normalize(address) in technician_own_addresses(
        technician
    ):
        return {
            "employer_email": str(
                _(
                    "This is one of your own e-mail addresses. Give the address "
                    "of someone at the employer or school who can confirm the "
                    "record."
                )
            )
        }
    return {}


def _employer_text_errors(*, employer: str, role: str) -> dict[str, str]:
    """The employer's name and the role are mailed to the employer as plain text:
    a web address, domain or e-mail address in them is refused (a mail client would
    show it as a link, and "verify your account at ..." would go out from us)."""
    errors: dict[str, str] = {}
    for field, value in (("employer", employer), ("role", role)):
        link = looks_like_link(value)
        if link:
            errors[field] = str(
                _(
                    "Write the name without a web address, domain or e-mail "
                    "address (%(part)s): it is sent to the employer as plain "
                    "text. Put a web address in the note for staff instead."
                )
                % {"part": link}
            )
    return errors


def _documents_check(uploads: Sequence[UploadedFile], *, already: int = 0) -> None:
    errors = [e for e in (document_errors(u) for u in uploads) if e]
    if already + len(uploads) > MAX_DOCUMENTS_PER_RECORD:
        errors.append(
            str(
                _("A record can have at most %(n)s documents.")
                % {"n": MAX_DOCUMENTS_PER_RECORD}
            )
        )
    if errors:
        raise ValidationError({"documents": errors})


@contextmanager
def _files_undone_on_error() -> Iterator[list[tuple[Storage, str]]]:
    """Files written inside are deleted again if the block raises: a file on disk
    cannot roll back with the transaction, and nothing half-written may stay."""
    written: list[tuple[Storage, str]] = []
    try:
        yield written
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise


def _documents_store(
    record: ExperienceRecord,
    uploads: Sequence[UploadedFile],
    *,
    actor: Actor,
    written: list[tuple[Storage, str]],
) -> None:
    for upload in uploads:
        content_type = _sniff(upload)
        assert content_type is not None  # checked by _documents_check
        document = ExperienceDocument(
            record=record,
            original_name=(upload.name or "document")[-200:],
            content_type=content_type,
            size=upload.size or 0,
            uploaded_by_id=_user_id(actor),
        )
        document.file.save(upload.name or "document", upload, save=False)
        written.append((document.file.storage, document.file.name or ""))
        document.save()
        event_record(
            kind=EventKind.EXPERIENCE_DOCUMENT_ADDED,
            subject=f"experience:{record.pk}",
            technician_id=record.technician_id,
            actor=actor,
            data={
                "document": document.pk,
                "name": document.original_name,
                "content_type": content_type,
                "size": document.size,
            },
            reason=f"document {document.original_name!r} added to the record",
        )


def experience_submit(
    *,
    technician_id: int,
    kind: str,
    start: dt.date,
    end: dt.date | None,
    full_time: bool,
    employer: str = "",
    role: str = "",
    employer_email: str = "",
    note: str = "",
    documents: Sequence[UploadedFile] = (),
    actor: Actor = None,
) -> ExperienceRecord:
    """A candidate documents experience: checked (dates, kind, overlap with their
    other records of the same kind, the files), recorded unapproved for staff to
    review, and the named employer is sent a confirmation link. All or nothing."""
    technician = Technician.objects.select_related("user").get(pk=technician_id)
    errors = (
        experience_errors(program=current_program(), kind=kind, start=start, end=end)
        | _employer_email_errors(employer_email, technician=technician)
        | _employer_text_errors(employer=employer, role=role)
    )
    if not errors:
        errors = _overlap_errors(
            technician_id=technician_id, kind=kind, start=start, end=end
        )
    if errors:
        raise ValidationError(errors)
    _documents_check(documents)
    with _files_undone_on_error() as written, transaction.atomic():
        # The technician's row lock (taken by the fact's version bump) is held from
        # here, so a second submission racing this one sees it in the overlap check.
        list(Technician.objects.select_for_update().filter(pk=technician_id))
        errors = _overlap_errors(
            technician_id=technician_id, kind=kind, start=start, end=end
        )
        if errors:
            raise ValidationError(errors)
        record = experience_record_add(
            technician_id=technician_id,
            kind=kind,
            start=start,
            end=end,
            full_time=full_time,
            employer=employer.strip(),
            role=role.strip(),
            employer_email=employer_email.strip(),
            note=note,
            approved=False,
            actor=actor,
        )
        _documents_store(record, documents, actor=actor, written=written)
        if record.employer_email:
            experience_employer_link_send(record_id=record.pk, actor=actor)
    return record


def experience_edit(
    *,
    record_id: int,
    kind: str,
    start: dt.date,
    end: dt.date | None,
    full_time: bool,
    employer: str = "",
    role: str = "",
    employer_email: str = "",
    note: str = "",
    documents: Sequence[UploadedFile] = (),
    expected_revision: int | None = None,
    actor: Actor = None,
) -> ExperienceRecord:
    """A candidate corrects a record not yet approved (or adds documents to it).

    ``expected_revision`` is the revision the form was opened on: a stale form (the
    record changed meanwhile, in another tab or by a decision) is refused rather
    than silently overwriting. A changed employer-facing record sends a new link.
    """
    owner = Technician.objects.select_related("user").filter(
        experience_records=record_id
    )
    errors = (
        experience_errors(program=current_program(), kind=kind, start=start, end=end)
        | _employer_email_errors(employer_email, technician=owner.first())
        | _employer_text_errors(employer=employer, role=role)
    )
    if errors:
        raise ValidationError(errors)
    with _files_undone_on_error() as written, transaction.atomic():
        record = (
            ExperienceRecord.objects.select_for_update().filter(pk=record_id).first()
        )
        if record is None:
            raise ValidationError(f"no experience record with id {record_id}")
        if expected_revision is not None and record.revision != expected_revision:
            raise ValidationError(
                _(
                    "This record changed since you opened the form (someone saved "
                    "it, or it was reviewed). Reload the page and try again."
                )
            )
        if not record.editable:
            raise ValidationError(
                _("This record was already %(state)s and can no longer be changed.")
                % {"state": record.review_status.label}
            )
        errors = _overlap_errors(
            technician_id=record.technician_id,
            kind=kind,
            start=start,
            end=end,
            exclude_id=record.pk,
        )
        if errors:
            raise ValidationError(errors)
        _documents_check(documents, already=record.documents.count())
        record = experience_record_update(
            record_id=record.pk,
            kind=kind,
            start=start,
            end=end,
            full_time=full_time,
            employer=employer,
            role=role,
            employer_email=employer_email,
            note=note,
            actor=actor,
        )
        _documents_store(record, documents, actor=actor, written=written)
        # The update forgets the link when what the employer would confirm
        # changed; then (or when an address was just added) a new link goes out.
        if record.employer_email and record.employer_link_sent_at is None:
            experience_employer_link_send(record_id=record.pk, actor=actor)
    return record


def experience_document_add(
    *, record_id: int, upload: UploadedFile, actor: Actor = None
) -> ExperienceRecord:
    """Attach one more document to a record that is still open for changes."""
    with _files_undone_on_error() as written, transaction.atomic():
        record = (
            ExperienceRecord.objects.select_for_update().filter(pk=record_id).first()
        )
        if record is None:
            raise ValidationError(f"no experience record with id {record_id}")
        if not record.editable:
            raise ValidationError(
                _("This record was already %(state)s and can no longer be changed.")
                % {"state": record.review_status.label}
            )
        _documents_check([upload], already=record.documents.count())
        _documents_store(record, [upload], actor=actor, written=written)
    return record


# --- the employer's confirmation link ------------------------------------------------


def employer_link_token(record: ExperienceRecord) -> str:
    """A signed, timestamped token naming the record and the revision it was sent
    for; ``employer_link_read`` checks it."""
    return TimestampSigner(salt=_LINK_SALT).sign_object(
        {"r": record.pk, "v": record.revision}
    )


def employer_link_url(record: ExperienceRecord) -> str:
    path = reverse(
        "candidates:employer_confirm", kwargs={"token": employer_link_token(record)}
    )
    return f"{settings.CERTWRIGHT_SITE_URL}{path}"


def _link_max_age() -> dt.timedelta:
    return dt.timedelta(
        days=int(getattr(settings, "CERTWRIGHT_EMPLOYER_LINK_DAYS", 30))
    )


def employer_link_read(token: str) -> ExperienceRecord:
    """The record a valid link names; ``EmployerLinkError`` for a tampered, expired
    or outdated link (the record was edited after it was sent)."""
    try:
        data = TimestampSigner(salt=_LINK_SALT).unsign_object(
            token, max_age=_link_max_age()
        )
    except SignatureExpired:
        raise EmployerLinkError(
            "expired",
            str(
                _(
                    "This link has expired. Ask the technician to send you a new "
                    "one from their experience page."
                )
            ),
        ) from None
    except (BadSignature, ValueError, TypeError):
        raise EmployerLinkError(
            "invalid",
            str(_("This link is not valid. Check that it was copied completely.")),
        ) from None
    record_id = data.get("r") if isinstance(data, dict) else None
    record = (
        ExperienceRecord.objects.select_related("technician")
        .filter(pk=record_id)
        .first()
        if isinstance(record_id, int)
        else None
    )
    if record is None:
        raise EmployerLinkError("invalid", str(_("This link is not valid.")))
    if record.revision != data.get("v"):
        raise EmployerLinkError(
            "outdated",
            str(
                _(
                    "The technician changed this record after the link was sent; "
                    "a newer link was sent for the current version."
                )
            ),
        )
    return record


def experience_employer_link_send(*, record_id: int, actor: Actor = None) -> None:
    """E-mail the record's employer a link to confirm or dispute it (after commit)."""
    with transaction.atomic():
        record = (
            ExperienceRecord.objects.select_for_update()
            .select_related("technician")
            .get(pk=record_id)
        )
        if not record.employer_email:
            raise ValidationError(
                {"employer_email": _("The record names no employer e-mail address.")}
            )
        if not record.editable:
            raise ValidationError(_("This record is no longer open for confirmation."))
        # The technician's row lock serialises sends across their records, so two
        # racing requests cannot both pass the per-candidate count.
        list(Technician.objects.select_for_update().filter(pk=record.technician_id))
        _link_throttle(record)
        record.employer_link_sent_at = now()
        record.save(update_fields=["employer_link_sent_at"])
        event_record(
            kind=EventKind.EXPERIENCE_EMPLOYER_LINK_SENT,
            subject=f"experience:{record.pk}",
            technician_id=record.technician_id,
            actor=actor,
            data={"to": record.employer_email, "revision": record.revision},
            reason=f"confirmation link sent to {record.employer_email}",
        )
        email_send(
            to=record.employer_email,
            template="experience_employer_confirm",
            context={
                "record": record,
                "technician": record.technician,
                "url": employer_link_url(record),
                "days": _link_max_age().days,
            },
        )


def _link_throttle(record: ExperienceRecord) -> None:
    """ThrottledError when mailing the record's link now would exceed a limit."""
    moment = now()
    sent_at = record.employer_link_sent_at
    # employer_link_sent_at is cleared when the content changes, so the interval
    # holds back resends of the same link, not the link for a corrected record.
    if sent_at is not None and moment - sent_at < EMPLOYER_LINK_INTERVAL:
        retry_at = sent_at + EMPLOYER_LINK_INTERVAL
        raise ThrottledError(
            str(
                _(
                    "The link was sent to %(to)s at %(sent)s UTC. You can send it "
                    "again from %(retry)s UTC."
                )
                % {
                    "to": record.employer_email,
                    "sent": sent_at.strftime("%H:%M"),
                    "retry": retry_at.strftime("%H:%M"),
                }
            ),
            retry_at,
        )
    sends = Event.objects.filter(
        kind=EventKind.EXPERIENCE_EMPLOYER_LINK_SENT, occurred_at__gt=moment - _DAY
    )
    for scope, limit, message in (
        (
            sends.filter(subject=f"experience:{record.pk}"),
            EMPLOYER_LINK_PER_RECORD_PER_DAY,
            _(
                "The confirmation link for this record was sent %(n)s times in the "
                "last 24 hours. You can send it again from %(retry)s UTC."
            ),
        ),
        (
            sends.filter(technician_id=record.technician_id),
            EMPLOYER_LINK_PER_CANDIDATE_PER_DAY,
            _(
                "You sent %(n)s confirmation e-mails to employers in the last 24 "
                "hours, the most we send in a day. You can send the next one from "
                "%(retry)s UTC."
            ),
        ),
    ):
        times = list(
            scope.order_by("-occurred_at").values_list("occurred_at", flat=True)[:limit]
        )
        if len(times) >= limit:
            retry_at = times[-1] + _DAY
            raise ThrottledError(
                str(
                    message
                    % {"n": len(times), "retry": retry_at.strftime("%Y-%m-%d %H:%M")}
                ),
                retry_at,
            )


def _employer_flags(record: ExperienceRecord) -> list[str]:
    """Why a confirmation from the record's employer address proves little: a
    free-mail domain (the program's list) or one of the candidate's own domains."""
    domain = email_domain(record.employer_email)
    own = {email_domain(a) for a in technician_own_addresses(record.technician) if a}
    flags = []
    if domain in current_program().experience.free_mail_domains:
        flags.append(EmployerFlag.FREE_MAIL.value)
    if domain in own:
        flags.append(EmployerFlag.OWN_DOMAIN.value)
    return flags


def experience_employer_respond(
    *, token: str, confirmed: bool, note: str = ""
) -> ExperienceRecord:
    """The employer's answer through the link: confirmed, or disputed with a note.

    One answer per revision: a second one is refused (the first is what staff saw).
    """
    record = employer_link_read(token)
    note = note.strip()[:2000]
    with transaction.atomic():
        record = (
            ExperienceRecord.objects.select_for_update()
            .select_related("technician")
            .get(pk=record.pk)
        )
        # Re-read under the lock: the record may have been edited meanwhile.
        employer_link_read(token)
        if not record.editable:
            raise EmployerLinkError(
                "closed", str(_("This record has already been decided on."))
            )
        answered = record.employer_confirmed_at or record.employer_disputed_at
        if answered is not None:
            raise EmployerLinkError(
                "answered",
                str(
                    _("This record was already answered on %(day)s.")
                    % {"day": answered.date().isoformat()}
                ),
            )
        flags: list[str] = []
        if confirmed:
            record.employer_confirmed_at = now()
            # Kept, but flagged: staff decide what such a confirmation is worth.
            flags = _employer_flags(record)
            record.employer_flags = " ".join(flags)
        else:
            if not note:
                raise ValidationError(
                    {"note": _("Please say what is wrong with the record.")}
                )
            record.employer_disputed_at = now()
        record.employer_response = note
        record.save(
            update_fields=[
                "employer_confirmed_at",
                "employer_disputed_at",
                "employer_response",
                "employer_flags",
            ]
        )
        event_record(
            kind=EventKind.EXPERIENCE_EMPLOYER_CONFIRMED
            if confirmed
            else EventKind.EXPERIENCE_EMPLOYER_DISPUTED,
            subject=f"experience:{record.pk}",
            technician_id=record.technician_id,
            actor=f"employer:{record.employer_email}",
            data={"revision": record.revision, "note": note, "flags": flags},
            reason=(
                f"employer {record.employer_email} "
                + ("confirmed the record" if confirmed else f"disputed it: {note}")
                + (f" (flagged for review: {', '.join(flags)})" if flags else "")
            ),
        )
    return record


def technician_personal_data_erase(
    *, technician_id: int, pseudonym: str
) -> dict[str, int]:
    """Replace the technician's name and last name by ``pseudonym`` and drop their
    e-mail address; clear what their experience records say about other people
    (the employer's address and answer) and their own notes; delete their uploaded
    documents, the files once the transaction commits.

    Part of ``privacy.services.person_erase``, inside its transaction (which
    writes the one event): the experience records stay, since certifications are
    derived from them, and no field the recompute reads changes."""
    technician = Technician.objects.select_for_update().get(pk=technician_id)
    technician.name = pseudonym
    technician.family_name = pseudonym
    technician.email = ""
    technician.save(update_fields=["name", "family_name", "email"])
    records = ExperienceRecord.objects.filter(technician_id=technician_id)
    records.update(employer_email="", employer_response="", note="")
    documents = list(
        ExperienceDocument.objects.filter(record__technician_id=technician_id)
    )
    for document in documents:
        stored = document.file
        # After the commit: a rolled-back erasure keeps its files.
        transaction.on_commit(partial(stored.storage.delete, stored.name))
    ExperienceDocument.objects.filter(pk__in=[d.pk for d in documents]).delete()
    return {"experience_documents_deleted": len(documents)}
