"""Reading share links and answering the public lookup."""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import QuerySet, Sum

from certwright.audit.personal_data import export_part
from certwright.candidates.ids import certification_id_normalize
from certwright.candidates.models import Technician
from certwright.core.prepared import prepared_statements, statement_prepared
from certwright.credentials.models import (
    Certification,
    CertificationStatus,
    TitleHolding,
)
from certwright.credentials.selectors import certification_in_force
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


def _date(value: object) -> dt.date | None:
    """A date column of the raw statement: a date on PostgreSQL, ISO text on SQLite
    (which keeps no column type through a UNION)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


@functools.cache
def lookup_statement(key: str, *, ordered: bool = True) -> str:
    """The lookup's one read, by technician ``key`` ("certification_id" or "id"):
    the technician with any opt-out, their certifications and their titles, as rows
    of one statement (kind 0, 1, 2), parsed by ``lookup_found``. Raw SQL from the
    models' names, made once per process: as three ORM queries, compiling them was
    most of a lookup's time (bench/verify.py). The statement is the same whatever it
    finds, so an unknown ID, a wrong name and a match do the same work. Not
    ``ordered``: without its ORDER BY, for a statement that adds rows of its own
    (the counted lookup, verification.services) and orders them all."""
    q = connection.ops.quote_name
    tech = q(Technician._meta.db_table)
    opt = q(LookupOptOut._meta.db_table)
    cert = q(Certification._meta.db_table)
    title = q(TitleHolding._meta.db_table)
    where = f"t.{q(key)} = %s"
    return (
        f"SELECT 0, t.id, t.name, t.family_name, t.certification_id,"
        f" CASE WHEN o.id IS NULL THEN 0 ELSE 1 END, NULL, NULL"
        f" FROM {tech} t LEFT JOIN {opt} o ON o.technician_id = t.id WHERE {where}"
        f" UNION ALL"
        f" SELECT 1, NULL, c.test, c.status, NULL, NULL, c.certified_on, c.expires_on"
        f" FROM {cert} c JOIN {tech} t ON t.id = c.technician_id WHERE {where}"
        f" UNION ALL"
        f" SELECT 2, NULL, h.title_id, NULL, NULL,"
        f" CASE WHEN h.held THEN 1 ELSE 0 END, h.since, h.until"
        f" FROM {title} h JOIN {tech} t ON t.id = h.technician_id WHERE {where}"
        + (" ORDER BY 1, 3" if ordered else "")
    )


def prepared_lookups() -> bool:
    """Whether lookups run as statements prepared per session (PostgreSQL):
    planning the lookup's statement cost PostgreSQL about five times what running
    it does (three joins for a handful of rows; certwright/core/prepared.py)."""
    return prepared_statements()


def lookup_rows(key: str, value: int | str) -> list[tuple[Any, ...]]:
    """The rows of ``lookup_statement(key)`` for ``value``."""
    with connection.cursor() as cursor:
        if prepared_lookups():
            sql = lookup_statement(key).replace("%s", "$1")
            name = statement_prepared(cursor, f"certwright_lookup_by_{key}", sql)
            cursor.execute(f"EXECUTE {name}(%s)", [value])
        else:
            cursor.execute(lookup_statement(key), [value, value, value])
        return cursor.fetchall()


@dataclass(frozen=True)
class LookupFound:
    """A technician as the lookup read them, before the name is compared."""

    technician_id: int
    name: str
    family_name: str
    certification_id: str
    opted_out: bool
    certifications: list[CertificationLine]
    titles: list[TitleLine]


def lookup_found(
    rows: list[tuple[Any, ...]], *, program: Program, on: dt.date
) -> LookupFound | None:
    """The technician in the rows of ``lookup_statement``, with their answer, or
    None when it found nobody."""
    if not rows or rows[0][0] != 0:
        return None
    _, technician_id, name, family_name, certification_id, opted = rows[0][:6]
    certifications = []
    titles = []
    for kind, _id, code, status, _x, held, start, end in rows[1:]:
        if kind == 1:
            line = _certification_line(
                code, status, _date(start), _date(end), program=program, on=on
            )
            if line is not None:
                certifications.append(line)
        else:
            titles.append(
                _title_line(code, bool(held), _date(start), _date(end), program, on)
            )
    return LookupFound(
        technician_id=technician_id,
        name=name,
        family_name=family_name,
        certification_id=certification_id,
        opted_out=bool(opted),
        certifications=certifications,
        titles=titles,
    )


def _read(
    key: str, value: int | str, *, program: Program, on: dt.date
) -> LookupFound | None:
    """One statement: the technician found by ``key`` with their answer, or None."""
    return lookup_found(lookup_rows(key, value), program=program, on=on)


def _certification_line(
    test: str,
    status: str,
    certified_on: dt.date | None,
    expires_on: dt.date | None,
    *,
    program: Program,
    on: dt.date,
) -> CertificationLine | None:
    """A certification as the lookup shows it: in force (asked of the one rule,
    ``certification_in_force``), revoked or expired; None for a pass pending
    experience, which is not a certification yet."""
    if certification_in_force(status=status, expires_on=expires_on, on=on):
        shown = "in_force"
    elif status == CertificationStatus.REVOKED:
        shown = "revoked"
    elif status in (CertificationStatus.EXPIRED, CertificationStatus.CERTIFIED):
        # Certified but past its last day: expired, until the sweep says so.
        shown = "expired"
    else:
        return None
    spec = program.tests.get(test)
    return CertificationLine(
        test=test,
        name=spec.name if spec else test,
        status=shown,
        certified_on=certified_on,
        valid_through=last_valid_day(expires_on) if expires_on else None,
    )


def _title_line(
    title_id: str,
    held: bool,
    since: dt.date | None,
    until: dt.date | None,
    program: Program,
    on: dt.date,
) -> TitleLine:
    title = program.titles.get(title_id)
    in_force = held and (until is None or on < until)
    return TitleLine(
        title_id=title_id,
        name=title.name if title else title_id,
        status="held" if in_force else "expired",
        since=since,
        until=until,
    )


def lookup_key(certification_id: str) -> str:
    """The certification ID as the lookup looks it up: normalized, or an ID nobody
    has when it is malformed (the read still runs, as for an unknown ID)."""
    return certification_id_normalize(certification_id[:64]) or _NO_SUCH_ID


def lookup_match(found: LookupFound | None, last_name: str) -> Answer | None:
    """The answer when the read found a technician whose last name matches and who
    has not opted out, else None. The name is compared even when nobody was found,
    in constant time, so the time says nothing about which it was."""
    recorded = name_key(found.family_name) if found else b""
    matches = hmac.compare_digest(
        recorded or _NO_SUCH_NAME.encode(), name_key(last_name[:200]) or b"\x01"
    )
    if found is None or not matches or found.opted_out:
        return None
    return Answer(
        name=found.name,
        certification_id=found.certification_id,
        certifications=found.certifications,
        titles=found.titles,
    )


def lookup_answer(
    certification_id: str, last_name: str, *, program: Program, on: dt.date
) -> Answer | None:
    """The public lookup: the technician's answer when the ID and last name match
    and the technician has not opted out, else None.

    A malformed ID, an unknown ID, a wrong name and an opted-out technician run the
    same statement and compare the same way, so neither the answer nor its time says
    which it was (an ID cannot be confirmed without the name). (The public lookup
    itself counts and reads in one round trip: verification.services
    ``lookup_count_and_read``, then ``lookup_found`` and ``lookup_match``.)
    """
    found = _read(
        "certification_id", lookup_key(certification_id), program=program, on=on
    )
    return lookup_match(found, last_name)


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
    found = _read("id", technician.pk, program=program, on=on)
    return Answer(
        name=technician.name,
        certification_id=technician.certification_id,
        certifications=found.certifications if found else [],
        titles=found.titles if found else [],
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
