"""Reading share links and answering the public lookup."""

from __future__ import annotations

import datetime as dt
import hmac
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Sum

from certwright.audit.personal_data import export_part
from certwright.candidates.ids import certification_id_normalize
from certwright.candidates.models import Technician
from certwright.credentials.models import (
    Certification,
    CertificationStatus,
    TitleHolding,
)
from certwright.credentials.selectors import certifications_current
from certwright.program.model import Program
from certwright.rules.dates import last_valid_day
from certwright.verification.models import LookupOptOut, LookupWindow, ShareLink

# What a malformed ID is looked up as: no technician has it (IDs are "CW" + body +
# check character), so the query runs and finds nothing, as for an unknown ID.
_NO_SUCH_ID = "-"
# What a name is compared with when no technician was found, so the comparison
# takes the same time as a real one.
_NO_SUCH_NAME = "\x00" * 16


def share_link_active_by_token(token: str) -> ShareLink | None:
    """The link with this token while it is not revoked, else None."""
    if not token or len(token) > 32:
        return None
    return (
        ShareLink.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("technician")
        .first()
    )


def technician_share_links(technician_id: int) -> QuerySet[ShareLink]:
    """The technician's links, newest first, revoked ones included."""
    return ShareLink.objects.filter(technician_id=technician_id)


def technician_opted_out(technician_id: int) -> bool:
    return Technician.objects.filter(
        pk=technician_id, lookup_opt_out__isnull=False
    ).exists()


def name_key(name: str) -> bytes:
    """A last name as the lookup compares it.

    Case- and accent-insensitive: people type "Muller" for "Müller", "OBRIEN" for
    "O'Brien", "garcia" for "García". NFKD splits accents off their letters, which
    are then dropped, and ``casefold`` (not ``lower``) folds "ß" to "ss"; only
    letters and digits are kept, so spaces, hyphens and apostrophes do not matter.
    Looser than that (nicknames, transliteration) would let a guesser in.
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    kept = "".join(
        ch for ch in decomposed if not unicodedata.combining(ch) and ch.isalnum()
    )
    return unicodedata.normalize("NFC", kept).encode()


@dataclass(frozen=True)
class CertificationLine:
    test: str
    name: str
    # "in_force", "expired" or "revoked": no reasons.
    status: str
    certified_on: dt.date | None
    valid_through: dt.date | None


@dataclass(frozen=True)
class TitleLine:
    title_id: str
    name: str
    # "held" or "expired"
    status: str
    since: dt.date | None
    until: dt.date | None


@dataclass(frozen=True)
class Answer:
    """What the public lookup shows of one technician: the name as recorded, the
    certification ID, and the state of each certification and title."""

    name: str
    certification_id: str
    certifications: list[CertificationLine] = field(default_factory=list)
    titles: list[TitleLine] = field(default_factory=list)

    @property
    def in_force(self) -> list[CertificationLine]:
        return [c for c in self.certifications if c.status == "in_force"]

    @property
    def titles_held(self) -> list[TitleLine]:
        return [t for t in self.titles if t.status == "held"]


def _answer(
    technician_id: int, *, program: Program, on: dt.date
) -> tuple[list[CertificationLine], list[TitleLine]]:
    """The technician's certifications and titles (two queries, even for an id
    that matches no one: the lookup does the same work whatever it finds).

    Whether a certification is in force is asked of ``certifications_current``,
    its one definition, as a subquery of the same statement."""
    rows = (
        Certification.objects.filter(technician_id=technician_id)
        .annotate(
            # The technician named in the subquery too: without it PostgreSQL may
            # hash every certification in force in the country for each lookup.
            in_force=Exists(
                certifications_current(on=on).filter(
                    technician_id=technician_id, pk=OuterRef("pk")
                )
            )
        )
        .only("test", "status", "certified_on", "expires_on")
        .order_by("test")
    )
    certifications = []
    for cert in rows:
        if cert.in_force:
            status = "in_force"
        elif cert.status == CertificationStatus.REVOKED:
            status = "revoked"
        elif cert.status in (
            CertificationStatus.EXPIRED,
            CertificationStatus.CERTIFIED,
        ):
            # Certified but past its last day: expired, until the sweep says so.
            status = "expired"
        else:
            continue  # a pass pending experience is not a certification yet
        spec = program.tests.get(cert.test)
        certifications.append(
            CertificationLine(
                test=cert.test,
                name=spec.name if spec else cert.test,
                status=status,
                certified_on=cert.certified_on,
                valid_through=last_valid_day(cert.expires_on)
                if cert.expires_on
                else None,
            )
        )
    titles = []
    for holding in TitleHolding.objects.filter(technician_id=technician_id).order_by(
        "title_id"
    ):
        title = program.titles.get(holding.title_id)
        in_force = holding.held and (holding.until is None or on < holding.until)
        titles.append(
            TitleLine(
                title_id=holding.title_id,
                name=title.name if title else holding.title_id,
                status="held" if in_force else "expired",
                since=holding.since,
                until=holding.until,
            )
        )
    return certifications, titles


def lookup_answer(
    certification_id: str, last_name: str, *, program: Program, on: dt.date
) -> Answer | None:
    """The public lookup: the technician's answer when the ID and last name match
    and the technician has not opted out, else None.

    A malformed ID, an unknown ID, a wrong name and an opted-out technician run the
    same queries and compare the same way, so neither the answer nor its time says
    which it was (an ID cannot be confirmed without the name).
    """
    normalized = certification_id_normalize(certification_id[:64]) or _NO_SUCH_ID
    technician = (
        Technician.objects.filter(certification_id=normalized)
        .select_related("lookup_opt_out")
        .only("id", "name", "family_name", "certification_id", "lookup_opt_out__id")
        .first()
    )
    recorded = name_key(technician.family_name) if technician else b""
    matches = hmac.compare_digest(
        recorded or _NO_SUCH_NAME.encode(), name_key(last_name[:200]) or b"\x01"
    )
    opted_out = technician is not None and _has_opt_out(technician)
    # Read the derived state whatever was found (id 0 matches no row).
    certifications, titles = _answer(
        technician.pk if technician else 0, program=program, on=on
    )
    if technician is None or not matches or opted_out:
        return None
    return Answer(
        name=technician.name,
        certification_id=technician.certification_id,
        certifications=certifications,
        titles=titles,
    )


def _has_opt_out(technician: Technician) -> bool:
    try:
        technician.lookup_opt_out  # noqa: B018 - the select_related row
    except Technician.lookup_opt_out.RelatedObjectDoesNotExist:
        return False
    return True


def share_link_answer(token: str, *, program: Program, on: dt.date) -> Answer | None:
    """What an active share link shows (opting out of the lookup does not touch
    links); None for an unknown or revoked token."""
    link = share_link_active_by_token(token)
    if link is None:
        return None
    return technician_answer(link.technician, program=program, on=on)


def technician_answer(
    technician: Technician, *, program: Program, on: dt.date
) -> Answer:
    """What the lookup shows of this technician (their own page's view of it)."""
    certifications, titles = _answer(technician.pk, program=program, on=on)
    return Answer(
        name=technician.name,
        certification_id=technician.certification_id,
        certifications=certifications,
        titles=titles,
    )


def lookups_per_day(*, days: int = 14) -> list[tuple[dt.date, int]]:
    """Public lookups counted per day (UTC), newest first, for staff."""
    totals: dict[dt.date, int] = {}
    rows = (
        LookupWindow.objects.order_by("-window_start")
        .values_list("window_start", "count")
        .iterator()
    )
    for start, count in rows:
        day = start.date()
        if day not in totals and len(totals) >= days:
            break
        totals[day] = totals.get(day, 0) + count
    return sorted(totals.items(), reverse=True)


def lookups_on(day: dt.date) -> int:
    total = LookupWindow.objects.filter(window_start__date=day).aggregate(
        n=Sum("count")
    )["n"]
    return int(total or 0)


def personal_data(technician: Technician) -> dict[str, list[dict[str, Any]]]:
    """verification's part of the technician's data export: their share links
    (revoked ones too) and whether they opted out of the public lookup."""
    return export_part(
        ShareLink.objects.filter(technician_id=technician.pk),
        LookupOptOut.objects.filter(technician_id=technician.pk),
    )
