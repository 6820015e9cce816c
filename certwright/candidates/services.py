"""Writing technicians, and the portal's side of their experience records.

Facts about a technician (results, experience, credits, revocations) are recorded by
``certwright.credentials.services``: recording one also marks the technician's derived
state stale and schedules its recompute, which is the credentials domain's business.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from certwright.audit.models import Event, EventKind
from certwright.audit.services import Actor, event_record
from certwright.candidates.ids import certification_id_new, certification_id_normalize
from certwright.candidates.models import (
    DOCUMENT_MAX_BYTES,
    DOCUMENT_TYPES,
    EmployerFlag,
    ExperienceDocument,
    ExperienceRecord,
    Technician,
)
from certwright.candidates.selectors import (
    email_domain,
    email_normalize,
    experience_overlaps,
    technician_email,
    technician_own_addresses,
)
from certwright.core.clock import now, today
from certwright.core.program import current_program
from certwright.notifications.text import looks_like_link
from certwright.rules.dates import last_valid_day

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
    actor: Actor = None,
) -> Technician:
    """Register a technician under a new (or a given, valid) certification ID."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A technician needs a name."})
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
    *, technician_id: int, name: str, email: str, actor: Actor = None
) -> Technician:
    """Change a technician's name or e-mail (the certification ID never changes)."""
    with transaction.atomic():
        technician = Technician.objects.select_for_update().get(pk=technician_id)
        before = {"name": technician.name, "email": technician.email}
        technician.name = name.strip()
        technician.email = email.strip()
        after = {"name": technician.name, "email": technician.email}
        if after == before:
            return technician
        technician.full_clean()
        technician.save(update_fields=["name", "email"])
        event_record(
            kind=EventKind.TECHNICIAN_UPDATED,
            subject=f"technician:{technician.certification_id}",
            technician_id=technician.pk,
            actor=actor,
            data={"before": before, "after": after},
            reason="contact details changed",
        )
    return technician


# --- experience on the portal --------------------------------------------------------
#
# Recording and approving experience are fact writes and live with the other facts in
# ``certwright.credentials.services``; what follows is the candidate's and staff's
# side around them: overlap checks, supporting documents, the employer's confirmation
# link, the review decisions and the e-mails each one sends.

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


def _user_id(actor: Actor) -> int | None:
    return actor.pk if isinstance(actor, AbstractBaseUser) else None


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
    from certwright.credentials.services import experience_errors, experience_record_add

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
    from certwright.credentials.services import (
        experience_errors,
        experience_record_update,
    )

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
    from certwright.notifications.services import email_send

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


# --- staff decisions -----------------------------------------------------------------


def experience_review_approve(*, record_id: int, actor: Actor) -> ExperienceRecord:
    """Program staff approve a record: the fact the core counts.

    After commit the technician's state is recomputed at once (the task the fact
    enqueues then finds nothing to do), the candidate is told, and every pass that
    was waiting on experience and is now a certification gets its own e-mail.
    """
    from certwright import rules
    from certwright.credentials.selectors import technician_facts
    from certwright.credentials.services import experience_record_approve

    with transaction.atomic():
        record = (
            ExperienceRecord.objects.select_for_update().filter(pk=record_id).first()
        )
        if record is None:
            raise ValidationError(f"no experience record with id {record_id}")
        if record.withdrawn_at is not None:
            raise ValidationError(_("The candidate withdrew this record."))
        if record.approved:
            return record
        program, day = current_program(), today()
        before = rules.evaluate(
            program, technician_facts(record.technician_id), day, explain=False
        )
        pending = sorted(
            code
            for code, state in before.certifications.items()
            if state.status == "pending_experience"
        )
        record = experience_record_approve(record_id=record.pk, actor=actor)
        transaction.on_commit(
            partial(_after_approval, record_id=record.pk, pending=pending)
        )
    return record


def _after_approval(*, record_id: int, pending: list[str]) -> None:
    from certwright.credentials.models import Certification
    from certwright.credentials.recompute import technician_recompute
    from certwright.notifications.services import email_send

    record = ExperienceRecord.objects.select_related("technician__user").get(
        pk=record_id
    )
    technician = record.technician
    technician_recompute(technician_id=technician.pk)
    certified = list(
        Certification.objects.filter(
            technician_id=technician.pk, test__in=pending, status="certified"
        ).order_by("test")
    )
    to = technician_email(technician)
    if not to:
        return
    program = current_program()
    email_send(
        to=to,
        template="experience_approved",
        context={"record": record, "technician": technician},
    )
    if certified:
        email_send(
            to=to,
            template="certification_granted",
            context={
                "technician": technician,
                "certifications": [
                    {
                        "test": c.test,
                        "name": program.tests[c.test].name
                        if c.test in program.tests
                        else c.test,
                        "certified_on": c.certified_on,
                        "expires_on": c.expires_on,
                        "valid_through": last_valid_day(c.expires_on),
                    }
                    for c in certified
                ],
            },
        )


def experience_review_reject(
    *, record_id: int, reason: str, actor: Actor
) -> ExperienceRecord:
    """Program staff reject a record with a reason; the candidate is e-mailed it."""
    from certwright.credentials.services import experience_record_reject
    from certwright.notifications.services import email_send

    with transaction.atomic():
        record = experience_record_reject(
            record_id=record_id, reason=reason, actor=actor
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
