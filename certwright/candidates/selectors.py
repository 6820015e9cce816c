"""Reading technicians, their experience records and the review queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404

from certwright.audit.personal_data import export_part
from certwright.candidates.ids import certification_id_normalize
from certwright.candidates.models import (
    ExperienceDocument,
    ExperienceRecord,
    Technician,
)
from certwright.core.ids import MAX_ID
from certwright.core.roles import user_is_program_staff


def technician_for_user(user: Any) -> Technician | None:
    """The technician record of the person signed in, if they have one."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    # Every candidate page asks (``candidate_required``), a renewal answer at the
    # monthly peak included: one plain statement, as the session and the roles are
    # read (``accounts.sessions``, ``core.roles``), costs less than half of the
    # ORM's query building (0.19 against 0.42 ms of CPU on PostgreSQL). ``user`` is
    # one-to-one, so there is at most one row.
    qn = connection.ops.quote_name
    found = list(
        Technician.objects.raw(
            f"SELECT * FROM {qn(Technician._meta.db_table)}"
            f" WHERE {qn(Technician._meta.get_field('user').column)} = %s",
            [user.pk],
        )
    )
    return found[0] if found else None


def technician_get_by_certification_id(text: str) -> Technician | None:
    """The technician with this certification ID as a person would type it."""
    normalized = certification_id_normalize(text)
    if normalized is None:
        return None
    return Technician.objects.filter(certification_id=normalized).first()


def technician_ids_by_certification_id(texts: set[str]) -> dict[str, int]:
    """Canonical certification ID -> technician id, for the IDs that exist."""
    wanted = {n for n in (certification_id_normalize(t) for t in texts) if n}
    found: dict[str, int] = {}
    ordered = sorted(wanted)
    # Batches keep each query under every backend's bound-parameter limit.
    for start in range(0, len(ordered), 5000):
        batch = ordered[start : start + 5000]
        found.update(
            Technician.objects.filter(certification_id__in=batch).values_list(
                "certification_id", "id"
            )
        )
    return found


def technician_search(query: str) -> QuerySet[Technician]:
    """Technicians whose certification ID, name or e-mail matches ``query``."""
    query = query.strip()
    normalized = certification_id_normalize(query)
    match = Q(name__icontains=query) | Q(email__iexact=query)
    if normalized:
        match |= Q(certification_id=normalized)
    return Technician.objects.filter(match).order_by("id")


# --- the portal: a candidate's own records, and staff's review queue ------------------


def technician_email(technician: Technician) -> str:
    """Where to write to a technician: their own address, else their account's."""
    if technician.email:
        return technician.email
    user = technician.user
    return user.email if user is not None else ""


def email_domain(address: str) -> str:
    """The domain of an address as mail servers read it: lower case, no trailing
    dot, IDNA-encoded."""
    domain = address.strip().rpartition("@")[2].strip().rstrip(".").lower()
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def email_normalize(address: str) -> str:
    """One spelling per mailbox, to compare addresses: the domain as
    ``email_domain`` reads it, the local part in lower case without a "+tag"
    (which most providers deliver to the same mailbox), and without dots at Gmail,
    which ignores them."""
    local = address.strip().rpartition("@")[0].lower().split("+", 1)[0]
    domain = email_domain(address)
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def technician_own_addresses(technician: Technician) -> set[str]:
    """Every address the technician gave us (their record's, their account's and
    each one added to the account), normalised by ``email_normalize``."""
    found = [technician.email]
    if technician.user_id is not None:
        user = technician.user
        found.append(getattr(user, "email", "") or "")
        found += EmailAddress.objects.filter(user_id=technician.user_id).values_list(
            "email", flat=True
        )
    return {email_normalize(a) for a in found if a and "@" in a}


def technician_employer_addresses(technician_id: int) -> set[str]:
    """The employers' addresses the technician gave on their experience records,
    normalised by ``email_normalize``: a person's erasure takes them out of the
    events and e-mails about the technician too (they named the employer for them)."""
    found = ExperienceRecord.objects.filter(technician_id=technician_id).values_list(
        "employer_email", flat=True
    )
    return {email_normalize(a) for a in found if a and "@" in a}


def experience_record_list(*, technician_id: int) -> QuerySet[ExperienceRecord]:
    """A technician's experience records, newest first, with their documents."""
    return (
        ExperienceRecord.objects.filter(technician_id=technician_id)
        .prefetch_related("documents")
        .order_by("-start", "-id")
    )


def experience_review_queue() -> QuerySet[ExperienceRecord]:
    """Records waiting for a decision: not approved, rejected or withdrawn; the
    oldest submission first."""
    return (
        ExperienceRecord.objects.filter(
            approved=False, rejected_at__isnull=True, withdrawn_at__isnull=True
        )
        .select_related("technician")
        .prefetch_related("documents")
        .order_by("created_at", "id")
    )


def experience_overlaps(
    *,
    technician_id: int,
    kind: str,
    start: dt.date,
    end: dt.date | None,
    exclude_id: int | None = None,
) -> list[ExperienceRecord]:
    """The technician's live records of ``kind`` sharing a day with start..end (both
    inclusive; no end: ongoing). Rejected and withdrawn records do not count."""
    qs = ExperienceRecord.objects.filter(
        technician_id=technician_id,
        kind=kind,
        rejected_at__isnull=True,
        withdrawn_at__isnull=True,
    ).filter(Q(end__isnull=True) | Q(end__gte=start))
    if end is not None:
        qs = qs.filter(start__lte=end)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return list(qs.order_by("start", "id"))


# --- who may see and do what ---------------------------------------------------------
#
# The ``access_*`` functions fetch and check in one step and raise Http404 for
# anything the user may not see, whether it exists or not; the ``check_*`` functions
# raise PermissionDenied (403) where the refusal does not depend on an id.


def can_review_experience(user: Any) -> bool:
    """Program staff (``user_is_program_staff``) see every record and decide on
    them (approve, reject); nobody else does either."""
    return user_is_program_staff(user)


def check_experience_reviewer(user: Any) -> None:
    """PermissionDenied unless ``user`` decides on experience records: 403 whatever
    the record, so the refusal reveals nothing."""
    if not can_review_experience(user):
        raise PermissionDenied


def access_experience_record(
    user: Any, record_id: int, *, lock: bool = False
) -> ExperienceRecord:
    """The record if ``user`` owns it or is program staff; otherwise Http404, so a
    record's id says nothing to anyone else."""
    if user is None or not user.is_authenticated or not 0 < record_id <= MAX_ID:
        raise Http404("no such experience record")
    qs = ExperienceRecord.objects.select_related("technician")
    if lock:
        qs = qs.select_for_update()
    if not can_review_experience(user):
        qs = qs.filter(technician__user_id=user.pk)
    record = qs.filter(pk=record_id).first()
    if record is None:
        raise Http404("no such experience record")
    return record


def check_experience_record_owner(user: Any, record: ExperienceRecord) -> None:
    """PermissionDenied unless ``user`` owns the record: program staff may read any
    record (``access_experience_record``), but only its owner changes it."""
    if record.technician.user_id != user.pk:
        raise PermissionDenied


def access_own_experience_record(user: Any, record_id: int) -> ExperienceRecord:
    """The record for its owner alone; Http404 for everyone else, program staff
    included (the API's way: a record nobody else changes is nobody else's)."""
    record = access_experience_record(user, record_id)
    if record.technician.user_id != user.pk:
        raise Http404("no such experience record")
    return record


def access_experience_document(user: Any, document_id: int) -> ExperienceDocument:
    """A supporting document, for its record's owner and program staff only."""
    if user is None or not user.is_authenticated or not 0 < document_id <= MAX_ID:
        raise Http404("no such document")
    qs = ExperienceDocument.objects.select_related("record")
    if not can_review_experience(user):
        qs = qs.filter(record__technician__user_id=user.pk)
    document = qs.filter(pk=document_id).first()
    if document is None:
        raise Http404("no such document")
    return document


def personal_data(technician: Technician) -> dict[str, list[dict[str, Any]]]:
    """candidates' part of the technician's data export: their record and their
    experience records with each document's metadata (the files themselves go
    into the archive beside the JSON, ``experience_documents``)."""
    return export_part(
        (
            Technician.objects.filter(pk=technician.pk),
            # The bookkeeping of the recompute is not about the person.
            {"omit": ("facts_version", "derived_version", "derived_changes")},
        ),
        ExperienceRecord.objects.filter(technician_id=technician.pk),
        (
            ExperienceDocument.objects.filter(record__technician_id=technician.pk),
            {"omit": ("file",)},
        ),
    )


def experience_documents(technician: Technician) -> list[ExperienceDocument]:
    """The technician's uploaded documents, oldest first (their files for the
    export)."""
    return list(
        ExperienceDocument.objects.filter(record__technician_id=technician.pk).order_by(
            "uploaded_at", "id"
        )
    )
