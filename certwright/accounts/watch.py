"""An employer's watch over the technicians who share with it: the weekly digest of
changes and the immediate e-mail on a revocation.

Who is mailed: the organization's administrators (``MembershipRole.ADMIN``), the
people who turn the watch on and off; members see the roster but are not mailed.
Each change is reported once (``WatchReport``, unique per organization, technician,
test, kind and the certification's dates), whichever mail reported it first: a
revocation mailed at once is not repeated in the digest, and a digest run twice says
nothing new.

The digest is due a week after the last one: ``certwright watch digest`` (or its task)
can run daily, or hourly, and sends only to the organizations whose week is up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse

from certwright.accounts.models import (
    Membership,
    MembershipRole,
    Organization,
    OrganizationWatch,
    ShareGrant,
    WatchChange,
    WatchReport,
)
from certwright.accounts.roster import (
    RosterFilter,
    RosterQuery,
    certification_matches,
    organization_roster,
)
from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record
from certwright.candidates.models import Technician
from certwright.core.clock import now, today
from certwright.core.program import current_program
from certwright.credentials.models import Certification, CertificationStatus
from certwright.notifications.services import email_send
from certwright.rules.dates import last_valid_day

# A digest is due this long after the last; an hour less than a week, so a daily
# job that runs a little earlier one day does not slip a whole day.
DIGEST_INTERVAL = dt.timedelta(days=7) - dt.timedelta(hours=1)

# The digest's sections, in the order the mail shows them.
DIGEST_KINDS: tuple[WatchChange, ...] = (
    WatchChange.REVOKED,
    WatchChange.LAPSED,
    WatchChange.EXPIRING,
    WatchChange.NEW,
)


# --- reading -------------------------------------------------------------------------


def organization_watch_get(organization_id: int) -> OrganizationWatch:
    """The organization's watch settings (both off when never set; not saved)."""
    found = OrganizationWatch.objects.filter(organization_id=organization_id).first()
    return found or OrganizationWatch(organization_id=organization_id)


def watch_recipients(organization_id: int) -> list[str]:
    """The addresses the organization's watch mail goes to: its administrators'."""
    emails = (
        Membership.objects.filter(
            organization_id=organization_id,
            role=MembershipRole.ADMIN,
            user__is_active=True,
        )
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )
    return list(dict.fromkeys(emails))


def state_key(certified_on: Any, expires_on: Any) -> str:
    """The certification's dates, naming the state a change is about (dates or their
    ISO strings, as the recompute's signal carries them)."""

    def iso(day: Any) -> str:
        if day is None:
            return "-"
        return day.isoformat() if isinstance(day, dt.date) else str(day)

    return f"{iso(certified_on)}/{iso(expires_on)}"


def _item(
    program: Any, technician: Technician, c: Certification, kind: WatchChange
) -> dict[str, Any]:
    test = program.tests.get(c.test)
    return {
        "kind": kind.value,
        "technician_id": technician.pk,
        "name": technician.name,
        "certification_id": technician.certification_id,
        "test": c.test,
        "test_name": test.name if test is not None else c.test,
        "certified_on": c.certified_on,
        "valid_through": last_valid_day(c.expires_on),
        "key": state_key(c.certified_on, c.expires_on),
    }


def watch_changes_pending(organization_id: int, *, on: dt.date) -> list[dict[str, Any]]:
    """The changes among the technicians sharing with the organization that it has
    not been told of yet, in digest order."""
    technicians = list(organization_roster(organization_id, on=on, query=RosterQuery()))
    reported = set(
        WatchReport.objects.filter(
            organization_id=organization_id,
            technician_id__in=[t.pk for t in technicians],
        ).values_list("technician_id", "test", "kind", "state_key")
    )
    program = current_program()
    found: list[dict[str, Any]] = []
    for kind in DIGEST_KINDS:
        for t in technicians:
            for c in t.roster_certifications:  # type: ignore[attr-defined]
                if not certification_matches(c, RosterFilter(kind.value), on=on):
                    continue
                item = _item(program, t, c, kind)
                if (t.pk, c.test, kind.value, item["key"]) not in reported:
                    found.append(item)
    return found


# --- writing -------------------------------------------------------------------------


def organization_watch_set(
    *,
    organization_id: int,
    weekly_digest: bool,
    revocation_email: bool,
    actor: Actor = None,
) -> OrganizationWatch:
    """Turn the weekly digest and the revocation e-mail on or off."""
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization_id)
        watch, _created = OrganizationWatch.objects.get_or_create(
            organization=organization
        )
        before = {
            "weekly_digest": watch.weekly_digest,
            "revocation_email": watch.revocation_email,
        }
        after = {"weekly_digest": weekly_digest, "revocation_email": revocation_email}
        if before == after and not _created:
            return watch
        watch.weekly_digest = weekly_digest
        watch.revocation_email = revocation_email
        watch.updated_at = now()
        watch.save(update_fields=["weekly_digest", "revocation_email", "updated_at"])
        event_record(
            kind=EventKind.ORGANIZATION_WATCH_CHANGED,
            subject=f"organization:{organization.code}",
            actor=actor,
            data={"before": before, "after": after},
        )
    return watch


def _reports_claim(
    organization_id: int, items: Iterable[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Record ``items`` as reported and return those not reported before (another
    worker may have reported some meanwhile: the unique constraint decides)."""
    claimed = []
    for item in items:
        try:
            with transaction.atomic():
                WatchReport.objects.create(
                    organization_id=organization_id,
                    technician_id=item["technician_id"],
                    test=item["test"],
                    kind=item["kind"],
                    state_key=item["key"],
                )
        except IntegrityError:
            continue
        claimed.append(item)
    return claimed


def _roster_url(organization: Organization) -> str:
    return reverse("accounts:organization_detail", args=[organization.pk])


def _mail(
    organization: Organization, template: str, items: Sequence[dict[str, Any]]
) -> None:
    to = watch_recipients(organization.pk)
    sections = [
        {"kind": kind.value, "label": kind.label, "items": rows}
        for kind in DIGEST_KINDS
        if (rows := [i for i in items if i["kind"] == kind.value])
    ]
    email_send(
        to=to,
        template=template,
        context={
            "organization": organization,
            "sections": sections,
            "items": items,
            "roster_path": _roster_url(organization),
        },
    )
    event_record(
        kind=EventKind.ORGANIZATION_WATCH_SENT,
        subject=f"organization:{organization.code}",
        data={
            "template": template,
            "to": len(to),
            "changes": [
                {k: item[k] for k in ("kind", "certification_id", "test", "key")}
                for item in items
            ],
        },
    )


def watch_digest_send(*, organization_id: int, on: dt.date | None = None) -> int:
    """Send the organization its digest of changes not yet reported, whatever the
    schedule; returns how many changes it reported (0: no mail)."""
    day = on or today()
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization_id)
        watch, _created = OrganizationWatch.objects.get_or_create(
            organization=organization
        )
        watch.last_digest_at = now()
        watch.save(update_fields=["last_digest_at"])
        if not watch_recipients(organization.pk):
            return 0
        items = _reports_claim(
            organization.pk, watch_changes_pending(organization.pk, on=day)
        )
        if items:
            _mail(organization, "employer_watch_digest", items)
    return len(items)


def watch_digests_send(*, on: dt.date | None = None) -> int:
    """Send every digest that is due (weekly digest on, a week since the last);
    returns how many mails went out."""
    due_before = now() - DIGEST_INTERVAL
    ids = list(
        OrganizationWatch.objects.filter(weekly_digest=True)
        .exclude(last_digest_at__gt=due_before)
        .order_by("organization_id")
        .values_list("organization_id", flat=True)
    )
    return sum(1 for oid in ids if watch_digest_send(organization_id=oid, on=on))


def _revoked(changes: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        c
        for c in changes
        if (c.get("after") or {}).get("status") == CertificationStatus.REVOKED
        and (c.get("before") or {}).get("status") != CertificationStatus.REVOKED
    ]


def watch_revocations_send(
    *, technician_id: int, changes: Sequence[dict[str, Any]]
) -> int:
    """Tell each organization that watches for revocations, and that the technician
    shares with, of the certifications just revoked (``changes`` as
    ``credentials.signals.certifications_changed`` gives them); each revocation
    once. Returns how many mails went out."""
    revoked = _revoked(changes)
    if not revoked:
        return 0
    organizations = list(
        Organization.objects.filter(
            pk__in=ShareGrant.objects.filter(
                technician_id=technician_id, revoked_at__isnull=True
            ).values("organization_id"),
            watch__revocation_email=True,
        ).order_by("pk")
    )
    if not organizations:
        return 0
    technician = Technician.objects.get(pk=technician_id)
    program = current_program()
    rows = list(
        Certification.objects.filter(
            technician_id=technician_id,
            test__in=[c["test"] for c in revoked],
            status=CertificationStatus.REVOKED,
        ).order_by("test")
    )
    sent = 0
    for organization in organizations:
        if not watch_recipients(organization.pk):
            continue
        with transaction.atomic():
            items = _reports_claim(
                organization.pk,
                [_item(program, technician, c, WatchChange.REVOKED) for c in rows],
            )
            if items:
                _mail(organization, "employer_watch_revocation", items)
                sent += 1
    return sent
