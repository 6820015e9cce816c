"""Reading the employer's roster: the technicians who share with an organization,
each with every certification and title and its state, filtered and sorted.

The page, its CSV export, the API and the watch digest all read through here, so a
filter means the same thing everywhere. States are derived from the stored
``Certification`` and ``TitleHolding`` rows (themselves derived by the recompute):
"in force" is ``credentials.selectors.certifications_current``; the date is checked
as well as the status, since a stored status is as of the last recompute.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Lower

from certwright.accounts.selectors import technicians_shared_with
from certwright.candidates.models import Technician
from certwright.credentials.models import (
    Certification,
    CertificationStatus,
    TitleHolding,
)
from certwright.credentials.selectors import (
    certification_in_force,
    certifications_current,
)

# "Expiring": in force, and the last valid day falls within this many days.
EXPIRING_WITHIN_DAYS = 90
# "Newly certified": in force, and certified on one of the last this many days. A
# month is long enough for a monthly look at the roster and for a weekly digest that
# was off for a week or two, and short enough that "new" still means news.
NEWLY_CERTIFIED_DAYS = 30


class RosterFilter(StrEnum):
    """Which technicians to list: those with at least one certification in this
    state."""

    EXPIRING = "expiring"
    LAPSED = "lapsed"
    REVOKED = "revoked"
    NEW = "new"


class RosterSort(StrEnum):
    NAME = "name"
    CERTIFICATION_ID = "certification_id"
    EXPIRY = "expiry"  # soonest end of a certification in force first


class CertState(StrEnum):
    """What the roster says of one certification on a day."""

    NEW = "new"  # in force, certified within NEWLY_CERTIFIED_DAYS
    EXPIRING = "expiring"  # in force, ends within EXPIRING_WITHIN_DAYS
    IN_FORCE = "in_force"
    PENDING = "pending_experience"
    LAPSED = "lapsed"
    REVOKED = "revoked"


def roster_filter_q(kind: RosterFilter, *, on: dt.date) -> Q:
    """The condition on ``Certification`` rows for the filter ``kind`` on ``on``."""
    certified = Q(status=CertificationStatus.CERTIFIED)
    in_force = certified & (Q(expires_on__isnull=True) | Q(expires_on__gt=on))
    if kind is RosterFilter.EXPIRING:
        # expires_on is the first day no longer certified (exclusive end), so the
        # last valid day is within the window iff expires_on <= on + window + 1.
        last = on + dt.timedelta(days=EXPIRING_WITHIN_DAYS + 1)
        return certified & Q(expires_on__gt=on, expires_on__lte=last)
    if kind is RosterFilter.LAPSED:
        # Expired, or certified with its last day passed and not yet swept.
        return Q(status=CertificationStatus.EXPIRED) | (
            certified & Q(expires_on__lte=on)
        )
    if kind is RosterFilter.REVOKED:
        return Q(status=CertificationStatus.REVOKED)
    since = on - dt.timedelta(days=NEWLY_CERTIFIED_DAYS)
    return in_force & Q(certified_on__gt=since, certified_on__lte=on)


def certification_state(c: Certification, *, on: dt.date) -> CertState:
    """The roster's word for ``c`` on ``on`` (the same tests as ``roster_filter_q``)."""
    if c.status == CertificationStatus.REVOKED:
        return CertState.REVOKED
    if c.status == CertificationStatus.PENDING_EXPERIENCE:
        return CertState.PENDING
    if c.status == CertificationStatus.EXPIRED or (
        c.expires_on is not None and c.expires_on <= on
    ):
        return CertState.LAPSED
    if c.certified_on is not None and (
        on - dt.timedelta(days=NEWLY_CERTIFIED_DAYS) < c.certified_on <= on
    ):
        return CertState.NEW
    if c.expires_on is not None and c.expires_on <= on + dt.timedelta(
        days=EXPIRING_WITHIN_DAYS + 1
    ):
        return CertState.EXPIRING
    return CertState.IN_FORCE


def certification_matches(c: Certification, kind: RosterFilter, *, on: dt.date) -> bool:
    """Whether ``c`` is in the filter ``kind`` on ``on`` (``roster_filter_q`` in
    Python, for rows already loaded)."""
    if kind is RosterFilter.REVOKED:
        return c.status == CertificationStatus.REVOKED
    if kind is RosterFilter.LAPSED:
        return c.status == CertificationStatus.EXPIRED or (
            c.status == CertificationStatus.CERTIFIED
            and c.expires_on is not None
            and c.expires_on <= on
        )
    in_force = certification_in_force(status=c.status, expires_on=c.expires_on, on=on)
    if kind is RosterFilter.EXPIRING:
        return (
            in_force
            and c.expires_on is not None
            and c.expires_on <= on + dt.timedelta(days=EXPIRING_WITHIN_DAYS + 1)
        )
    return (
        in_force
        and c.certified_on is not None
        and on - dt.timedelta(days=NEWLY_CERTIFIED_DAYS) < c.certified_on <= on
    )


@dataclass(frozen=True, slots=True)
class RosterQuery:
    filter: RosterFilter | None = None
    sort: RosterSort = RosterSort.NAME


def organization_roster(
    organization_id: int, *, on: dt.date, query: RosterQuery = RosterQuery()
) -> QuerySet[Technician]:
    """The technicians sharing with the organization, filtered and sorted, each with
    ``roster_certifications`` (every certification row, by test) and
    ``roster_titles`` (every title row, held or once held): three queries whatever
    their number."""
    qs = technicians_shared_with(organization_id)
    if query.filter is not None:
        qs = qs.filter(
            Exists(
                Certification.objects.filter(
                    roster_filter_q(query.filter, on=on), technician_id=OuterRef("pk")
                )
            )
        )
    if query.sort is RosterSort.CERTIFICATION_ID:
        qs = qs.order_by("certification_id", "id")
    elif query.sort is RosterSort.EXPIRY:
        soonest = (
            certifications_current(on=on)
            .filter(technician_id=OuterRef("pk"), expires_on__isnull=False)
            .order_by("expires_on")
            .values("expires_on")[:1]
        )
        qs = qs.annotate(soonest_expiry=Subquery(soonest)).order_by(
            F("soonest_expiry").asc(nulls_last=True), Lower("name"), "id"
        )
    else:
        qs = qs.order_by(Lower("name"), "name", "id")
    return qs.prefetch_related(
        Prefetch(
            "certifications",
            queryset=Certification.objects.order_by("test"),
            to_attr="roster_certifications",
        ),
        Prefetch(
            "titles",
            queryset=TitleHolding.objects.order_by("-held", "title_id"),
            to_attr="roster_titles",
        ),
    )


def current_of(technician: Technician, *, on: dt.date) -> list[Certification]:
    """The technician's certifications in force on ``on``, from the prefetched
    ``roster_certifications`` (no query)."""
    certs: list[Certification] = technician.roster_certifications  # type: ignore[attr-defined]
    return [
        c
        for c in certs
        if certification_in_force(status=c.status, expires_on=c.expires_on, on=on)
    ]
