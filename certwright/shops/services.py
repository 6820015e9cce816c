"""Writing shops: employment (both sides confirm), the profile, and recognition.

Recognition is checked again whenever its facts may have moved: an employment
confirmed or ended, the profile's areas edited, a technician's certifications
recomputed (``credentials.signals.certifications_changed``, received in
``receivers``) and daily (``certwright shops_recognition``), since a certification
can lapse with no write at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from certwright.accounts.models import Organization, OrganizationKind
from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record
from certwright.badges.models import CredentialKind, IssuedCredential
from certwright.badges.services import (
    credential_issue,
    identity,
    shop_credentials_revoke,
    site_url,
)
from certwright.candidates.models import Technician
from certwright.candidates.selectors import technician_get_by_certification_id
from certwright.core.clock import now, today
from certwright.core.program import current_program
from certwright.program.model import Program
from certwright.rules.shops import recognition_decide
from certwright.shops.models import (
    Employment,
    EmploymentSide,
    RecognitionPeriod,
    ShopProfile,
)
from certwright.shops.selectors import (
    shop_credential_facts,
    shop_facts,
    shop_get_by_code,
    shops_all_ids,
)

ZIP_MAX = 10
CITY_MAX = 100
ADDRESS_MAX = 200


class EmploymentError(ValueError):
    """A proposal or confirmation refused; the message is for the person."""


def _subject(employment: Employment) -> str:
    return f"employment:{employment.pk}"


def _propose(
    *, shop: Organization, technician: Technician, side: str, actor: Actor
) -> Employment:
    if shop.kind != OrganizationKind.SHOP:
        raise EmploymentError(_("Only a shop employs technicians."))
    with transaction.atomic():
        # Lock the technician so two proposals for the same pair queue up and the
        # second finds the first instead of failing on the constraint.
        Technician.objects.select_for_update().get(pk=technician.pk)
        open_ = Employment.objects.filter(
            shop_id=shop.pk, technician_id=technician.pk, ended_at__isnull=True
        ).first()
        if open_ is not None:
            if open_.confirmed_at is None and open_.proposed_by != side:
                # Both sides proposed: the second proposal is the confirmation.
                return employment_confirm(
                    employment_id=open_.pk, side=side, actor=actor
                )
            return open_
        employment = Employment.objects.create(
            shop=shop, technician=technician, proposed_by=side, proposed_at=now()
        )
        event_record(
            kind=EventKind.EMPLOYMENT_PROPOSED,
            subject=_subject(employment),
            technician_id=technician.pk,
            actor=actor,
            data={"shop": shop.code, "proposed_by": side},
        )
    return employment


def employment_invite(
    *, shop_id: int, certification_id: str, actor: Actor = None
) -> Employment:
    """The shop invites the technician with this certification ID; the technician
    confirms. An unknown ID is refused."""
    technician = technician_get_by_certification_id(certification_id)
    if technician is None:
        raise EmploymentError(_("No technician has this certification ID."))
    shop = Organization.objects.get(pk=shop_id)
    return _propose(
        shop=shop, technician=technician, side=EmploymentSide.SHOP, actor=actor
    )


def employment_request(
    *, technician_id: int, shop_code: str, actor: Actor = None
) -> Employment:
    """The technician asks to be counted as working at the shop with this code; the
    shop confirms. An unknown code (or an employer's) is refused."""
    shop = shop_get_by_code(shop_code)
    if shop is None:
        raise EmploymentError(_("No shop has this code."))
    technician = Technician.objects.get(pk=technician_id)
    return _propose(
        shop=shop, technician=technician, side=EmploymentSide.TECHNICIAN, actor=actor
    )


def employment_confirm(
    *, employment_id: int, side: str, actor: Actor = None
) -> Employment:
    """The side that did not propose confirms; the proposer cannot confirm alone.
    Confirming an active employment again changes nothing."""
    with transaction.atomic():
        employment = Employment.objects.select_for_update().get(pk=employment_id)
        if employment.ended_at is not None:
            raise EmploymentError(_("This employment has ended."))
        if employment.confirmed_at is not None:
            return employment
        if employment.proposed_by == side:
            raise EmploymentError(_("The other side has to confirm."))
        employment.confirmed_at = now()
        employment.save(update_fields=["confirmed_at"])
        event_record(
            kind=EventKind.EMPLOYMENT_CONFIRMED,
            subject=_subject(employment),
            technician_id=employment.technician_id,
            actor=actor,
            data={"confirmed_by": side},
        )
        shop_recognition_check(shop_id=employment.shop_id, actor=actor)
    return employment


def employment_end(*, employment_id: int, side: str, actor: Actor = None) -> Employment:
    """Either side refuses a proposal or ends an employment; ending twice changes
    nothing."""
    with transaction.atomic():
        employment = Employment.objects.select_for_update().get(pk=employment_id)
        if employment.ended_at is not None:
            return employment
        was_active = employment.confirmed_at is not None
        employment.ended_at = now()
        employment.ended_by = side
        employment.save(update_fields=["ended_at", "ended_by"])
        event_record(
            kind=EventKind.EMPLOYMENT_ENDED,
            subject=_subject(employment),
            technician_id=employment.technician_id,
            actor=actor,
            data={"ended_by": side, "was_active": was_active},
        )
        if was_active:
            shop_recognition_check(shop_id=employment.shop_id, actor=actor)
    return employment


def employment_consent_set(
    *, employment_id: int, show_name: bool, actor: Actor = None
) -> Employment:
    """The technician lets the finder show their name with the shop, or stops it."""
    with transaction.atomic():
        employment = Employment.objects.select_for_update().get(pk=employment_id)
        if employment.ended_at is not None:
            raise EmploymentError(_("This employment has ended."))
        if employment.show_name == show_name:
            return employment
        employment.show_name = show_name
        employment.save(update_fields=["show_name"])
        event_record(
            kind=EventKind.EMPLOYMENT_CONSENT_CHANGED,
            subject=_subject(employment),
            technician_id=employment.technician_id,
            actor=actor,
            data={"show_name": show_name},
        )
    return employment


def shop_profile_update(
    *,
    shop_id: int,
    address: str,
    zip_code: str,
    city: str,
    areas: Iterable[str],
    actor: Actor = None,
) -> ShopProfile:
    """Set the shop's address, ZIP code, city and areas of service. Unknown areas
    are refused (nothing is saved); the recognition is checked again, since the
    areas count for it."""
    known = current_program().shops.areas
    chosen = sorted(set(areas))
    unknown = [a for a in chosen if a not in known]
    if unknown:
        raise EmploymentError(
            _("Unknown area of service: %(areas)s.") % {"areas": ", ".join(unknown)}
        )
    zip_code = "".join(zip_code.split()).upper()
    if len(zip_code) > ZIP_MAX:
        raise EmploymentError(
            _("A ZIP code has at most %(n)d characters.") % {"n": ZIP_MAX}
        )
    city = " ".join(city.split())[:CITY_MAX]
    address = " ".join(address.split())[:ADDRESS_MAX]
    with transaction.atomic():
        shop = Organization.objects.select_for_update().get(pk=shop_id)
        if shop.kind != OrganizationKind.SHOP:
            raise EmploymentError(_("Only a shop has a shop profile."))
        profile, _created = ShopProfile.objects.get_or_create(organization=shop)
        before = {
            "address": profile.address,
            "zip_code": profile.zip_code,
            "city": profile.city,
            "areas": list(profile.areas),
        }
        after = {
            "address": address,
            "zip_code": zip_code,
            "city": city,
            "areas": chosen,
        }
        if before == after:
            return profile
        profile.address, profile.zip_code, profile.city = address, zip_code, city
        profile.areas = chosen
        profile.updated_at = now()
        profile.save()
        event_record(
            kind=EventKind.SHOP_PROFILE_UPDATED,
            subject=f"organization:{shop.code}",
            actor=actor,
            data={"before": before, "after": after},
        )
        shop_recognition_check(shop_id=shop.pk, actor=actor)
    return profile


def shop_recognition_check(
    *, shop_id: int, as_of: dt.date | None = None, actor: Actor = None
) -> RecognitionPeriod | None:
    """Decide the shop's recognition on ``as_of`` (today) and store it.

    A new level closes the open period (``until`` = ``as_of``) and opens one from
    ``as_of``; the same level with other counts refreshes the open period's counts.
    Either is an event. Returns the open period, None when the shop holds no
    recognition.
    """
    day = as_of or today()
    program = current_program()
    with transaction.atomic():
        shop = Organization.objects.select_for_update().get(pk=shop_id)
        decision = recognition_decide(shop_facts(shop.pk, on=day), program.shops)
        current = RecognitionPeriod.objects.filter(
            shop_id=shop.pk, until__isnull=True
        ).first()
        if current is not None and current.level == decision.level:
            if (current.technicians, current.certified) != (
                decision.technicians,
                decision.certified,
            ):
                before = {
                    "technicians": current.technicians,
                    "certified": current.certified,
                }
                current.technicians = decision.technicians
                current.certified = decision.certified
                current.save(update_fields=["technicians", "certified"])
                # Same level, new counts (the finder shows them): still a change.
                event_record(
                    kind=EventKind.SHOP_RECOGNITION_CHANGED,
                    subject=f"organization:{shop.code}",
                    actor=actor,
                    data={
                        "before": current.level,
                        "after": current.level,
                        "on": day.isoformat(),
                        "counts_before": before,
                        "technicians": decision.technicians,
                        "certified": decision.certified,
                    },
                )
            return current
        if current is None and decision.level is None:
            return None
        if current is not None:
            # A period never ends before it starts (a check dated earlier than the
            # open period's start closes it on its first day).
            current.until = max(day, current.since)
            current.save(update_fields=["until"])
            # Its signed credential stops verifying at once: the status list bit
            # is set in this transaction.
            shop_credentials_revoke(
                code=shop.code, reason="recognition ended or changed", actor=actor
            )
        opened = None
        if decision.level is not None:
            opened = RecognitionPeriod.objects.create(
                shop=shop,
                level=decision.level,
                since=day,
                technicians=decision.technicians,
                certified=decision.certified,
                program_digest=program.digest,
            )
        event_record(
            kind=EventKind.SHOP_RECOGNITION_CHANGED,
            subject=f"organization:{shop.code}",
            actor=actor,
            data={
                "before": current.level if current else None,
                "after": decision.level,
                "on": day.isoformat(),
                "technicians": decision.technicians,
                "certified": decision.certified,
                "uncovered": list(decision.uncovered),
            },
        )
    return opened


def shops_recognition_check(
    *,
    shop_ids: Iterable[int] | None = None,
    as_of: dt.date | None = None,
    actor: Actor = None,
) -> int:
    """Check every shop (or ``shop_ids``); returns how many changed level."""
    changed = 0
    for shop_id in shop_ids if shop_ids is not None else shops_all_ids():
        before = (
            RecognitionPeriod.objects.filter(shop_id=shop_id, until__isnull=True)
            .values_list("level", flat=True)
            .first()
        )
        after = shop_recognition_check(shop_id=shop_id, as_of=as_of, actor=actor)
        if (after.level if after else None) != before:
            changed += 1
    return changed


def shop_credential_issue(*, code: str, actor: Actor = None) -> IssuedCredential | None:
    """The shop's signed Open Badges credential for the recognition it holds now
    (issued when first asked for, kept while the level and its start are the same),
    None when it holds none."""
    program = current_program()
    levels = {
        level: (rule.name, rule.estimated)
        for level, rule in program.shops.recognitions.items()
    }
    facts = shop_credential_facts(code, level_names=levels)
    if facts is None:
        return None
    rule = program.shops.recognitions.get(facts.level)
    criteria = _recognition_criteria(program, facts.level)
    base = site_url()
    return credential_issue(
        technician=None,
        kind=CredentialKind.SHOP,
        code=facts.shop_code,
        subject=[
            identity("identifier", facts.shop_code),
            identity("name", facts.shop_name),
        ],
        achievement={
            "id": f"{base}/achievements/shop/{facts.level}",
            "type": ["Achievement"],
            "name": facts.level_name,
            "description": f"{program.name}: {facts.level_name}"
            + (" (estimated rule)" if rule is not None and rule.estimated else "")
            + ".",
            "criteria": {"narrative": criteria},
        },
        valid_from=facts.since,
        valid_until=None,
        state_key=f"{facts.level}:{facts.since.isoformat()}",
        actor=actor,
    )


def _recognition_criteria(program: Program, level: str) -> str:
    """The level's rule from the program data, as the credential states it."""
    rule = program.shops.recognitions[level]
    parts = [f"at least {rule.min_certified} certified technician(s) employed"]
    if rule.min_certified_percent:
        parts.append(
            f"at least {rule.min_certified_percent}% of the technicians employed "
            "certified"
        )
    if rule.every_area_covered:
        parts.append(
            "every area of service the shop offers covered by a certified technician"
        )
    return "; ".join(parts) + "."


def technician_shop_finder_hide(*, technician_id: int) -> int:
    """Take the technician's name off every shop finder page (an erasure, inside
    ``privacy.services.person_erase``); the employment itself is a fact the
    shop's recognition rests on, and stays."""
    return Employment.objects.filter(
        technician_id=technician_id, show_name=True
    ).update(show_name=False)
