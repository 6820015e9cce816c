"""Reading shops: employment, the facts recognition is decided from, the finder."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from certwright.accounts.models import Organization, OrganizationKind
from certwright.accounts.selectors import access_organization
from certwright.audit.personal_data import export_part
from certwright.candidates.models import Technician
from certwright.candidates.selectors import technician_for_user
from certwright.credentials.selectors import certifications_current
from certwright.rules.shops import ShopFacts
from certwright.shops.models import Employment, RecognitionPeriod, ShopProfile


def shop_profile_get(shop: Organization) -> ShopProfile:
    """The shop's profile, or an empty unsaved one (nothing is written on a read)."""
    profile = ShopProfile.objects.filter(organization_id=shop.pk).first()
    return profile or ShopProfile(organization=shop)


def access_shop(user: Any, organization_id: int) -> Organization:
    """A shop ``user`` acts for (any, for program staff); Http404 otherwise, and for
    an organization that is not a shop."""
    organization = access_organization(user, organization_id)
    if organization.kind != OrganizationKind.SHOP:
        raise Http404
    return organization


def access_shop_employment(user: Any, organization_id: int, pk: int) -> Employment:
    """An employment at a shop ``user`` acts for; Http404 otherwise."""
    shop = access_shop(user, organization_id)
    employment = Employment.objects.filter(pk=pk, shop_id=shop.pk).first()
    if employment is None:
        raise Http404
    return employment


def access_my_employment(user: Any, pk: int) -> Employment:
    """An employment of the technician signed in; Http404 for anyone else's (and
    for a user with no technician record)."""
    technician = technician_for_user(user)
    employment = (
        Employment.objects.filter(pk=pk, technician_id=technician.pk).first()
        if technician is not None
        else None
    )
    if employment is None:
        raise Http404
    return employment


def shop_get_by_code(code: str) -> Organization | None:
    return Organization.objects.filter(
        code=code.strip().upper(), kind=OrganizationKind.SHOP
    ).first()


def employments_of_shop(shop_id: int) -> QuerySet[Employment]:
    """Open employments (proposed or active), by technician name."""
    return (
        Employment.objects.filter(shop_id=shop_id, ended_at__isnull=True)
        .select_related("technician")
        .order_by("technician__name", "pk")
    )


def employments_of_technician(technician_id: int) -> QuerySet[Employment]:
    return (
        Employment.objects.filter(technician_id=technician_id, ended_at__isnull=True)
        .select_related("shop")
        .order_by("shop__name", "pk")
    )


def shop_ids_employing(technician_ids: tuple[int, ...]) -> list[int]:
    return sorted(
        set(
            Employment.objects.filter(
                technician_id__in=technician_ids,
                confirmed_at__isnull=False,
                ended_at__isnull=True,
            ).values_list("shop_id", flat=True)
        )
    )


def shop_facts(shop_id: int, *, on: dt.date) -> ShopFacts:
    """What recognition is decided from: each employed technician's current
    certifications and the areas the shop offers. Two queries and one for the
    profile."""
    tech_ids = list(
        Employment.objects.filter(
            shop_id=shop_id, confirmed_at__isnull=False, ended_at__isnull=True
        ).values_list("technician_id", flat=True)
    )
    held: dict[int, set[str]] = defaultdict(set)
    for tech_id, test in (
        certifications_current(on=on)
        .filter(technician_id__in=tech_ids)
        .values_list("technician_id", "test")
    ):
        held[tech_id].add(test)
    profile = ShopProfile.objects.filter(organization_id=shop_id).first()
    return ShopFacts(
        technicians=tuple(frozenset(held[t]) for t in sorted(tech_ids)),
        areas=frozenset(profile.areas if profile else ()),
    )


def recognition_current(shop_id: int) -> RecognitionPeriod | None:
    return RecognitionPeriod.objects.filter(shop_id=shop_id, until__isnull=True).first()


def recognition_history(shop_id: int) -> QuerySet[RecognitionPeriod]:
    return RecognitionPeriod.objects.filter(shop_id=shop_id).order_by("-since", "-pk")


def shops_all_ids() -> list[int]:
    return list(
        Organization.objects.filter(kind=OrganizationKind.SHOP)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class FinderEntry:
    shop: Organization
    profile: ShopProfile
    period: RecognitionPeriod
    named: tuple[str, ...]  # technicians who agreed to be named


def _recognised() -> QuerySet[Organization]:
    return Organization.objects.filter(
        kind=OrganizationKind.SHOP,
        recognition_periods__until__isnull=True,
        shop_profile__isnull=False,
    )


def _entries(shops: QuerySet[Organization]) -> list[FinderEntry]:
    rows = list(
        shops.select_related("shop_profile")
        .prefetch_related(
            Prefetch(
                "recognition_periods",
                queryset=RecognitionPeriod.objects.filter(until__isnull=True),
                to_attr="open_periods",
            ),
            Prefetch(
                "employments",
                queryset=Employment.objects.filter(
                    confirmed_at__isnull=False, ended_at__isnull=True, show_name=True
                )
                .select_related("technician")
                .order_by("technician__name"),
                to_attr="named_employments",
            ),
        )
        .distinct()
        .order_by("name", "pk")
    )
    return [
        FinderEntry(
            shop=s,
            profile=s.shop_profile,
            period=s.open_periods[0],
            named=tuple(e.technician.name for e in s.named_employments),
        )
        for s in rows
        if s.open_periods
    ]


def shops_find(query: str, *, limit: int = 50) -> list[FinderEntry]:
    """Recognised shops whose ZIP code starts with ``query`` or whose city is it
    (case ignored); a fixed number of queries whatever the number of shops."""
    text = " ".join(query.split())
    if not text:
        return []
    shops = _recognised().filter(
        Q(shop_profile__zip_code__startswith=text) | Q(shop_profile__city__iexact=text)
    )
    ids = list(shops.values_list("pk", flat=True).distinct()[:limit])
    return _entries(Organization.objects.filter(pk__in=ids))


def shop_finder_entry(code: str) -> FinderEntry | None:
    """One shop's finder entry, None when it is not recognised (or not a shop)."""
    shop = shop_get_by_code(code)
    if shop is None:
        return None
    found = _entries(_recognised().filter(pk=shop.pk))
    return found[0] if found else None


def recognised_shop_count() -> int:
    return _recognised().aggregate(n=Count("pk", distinct=True))["n"] or 0


@dataclass(frozen=True)
class ShopCredentialFacts:
    """What a signed credential for a recognised shop states (the hook for the
    badges app): who, which level, since when, under which program data."""

    shop_code: str
    shop_name: str
    level: str
    level_name: str
    estimated: bool
    since: dt.date
    technicians: int
    certified: int
    program_digest: str
    city: str
    zip_code: str


def shop_credential_facts(
    code: str, *, level_names: dict[str, tuple[str, bool]]
) -> ShopCredentialFacts | None:
    """The facts a shop's credential would sign, None when it is not recognised.

    ``level_names`` maps a level code to its name and whether it is estimated (from
    the program in force: ``program.shops.recognitions``)."""
    entry = shop_finder_entry(code)
    if entry is None:
        return None
    name, estimated = level_names.get(entry.period.level, (entry.period.level, True))
    return ShopCredentialFacts(
        shop_code=entry.shop.code,
        shop_name=entry.shop.name,
        level=entry.period.level,
        level_name=name,
        estimated=estimated,
        since=entry.period.since,
        technicians=entry.period.technicians,
        certified=entry.period.certified,
        program_digest=entry.period.program_digest,
        city=entry.profile.city,
        zip_code=entry.profile.zip_code,
    )


def personal_data(technician: Technician) -> dict[str, list[dict[str, Any]]]:
    """shops' part of the technician's data export: their employment at shops."""
    return export_part(Employment.objects.filter(technician_id=technician.pk))
