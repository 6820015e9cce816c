"""Shops for tests: a shop, technicians certified through the services, and
employment confirmed by both sides."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from certwright.accounts.models import Organization, OrganizationKind
from certwright.accounts.services import organization_create
from certwright.candidates.models import Technician
from certwright.candidates.services import experience_record_add, technician_create
from certwright.credentials.recompute import technician_recompute
from certwright.credentials.services import result_record
from certwright.shops.models import Employment, EmploymentSide
from certwright.shops.services import (
    employment_confirm,
    employment_invite,
    shop_profile_update,
)
from tests.support.dates import ago


def shop_make(
    name: str = "Elm Street Garage",
    *,
    zip_code: str = "30301",
    city: str = "Atlanta",
    areas: Sequence[str] = (),
) -> Organization:
    shop = organization_create(name=name, kind=OrganizationKind.SHOP)
    shop_profile_update(
        shop_id=shop.pk,
        address="1 Elm Street",
        zip_code=zip_code,
        city=city,
        areas=areas,
    )
    return shop


def technician_make(name: str, *, experienced: bool = True) -> Technician:
    slug = name.lower().replace(" ", ".")
    technician = technician_create(name=name, email=f"{slug}@example.com")
    if experienced:
        experience_record_add(
            technician_id=technician.pk,
            kind="employment",
            start=ago(years=10),
            approved=True,
        )
    return technician


def passes_record(
    technician: Technician, tests: Sequence[str], *, on: dt.date | None = None
) -> None:
    """Passes of ``tests`` on ``on`` (a year ago), then the technician's recompute
    (the after-commit task does the same; called here so no test waits on it)."""
    for test in tests:
        result_record(
            technician_id=technician.pk,
            test=test,
            date=on or ago(years=1),
            kind="initial",
            outcome="pass",
            source="test",
        )
    technician_recompute(technician_id=technician.pk)


def employ(shop: Organization, technician: Technician) -> Employment:
    """The shop invites, the technician confirms."""
    employment = employment_invite(
        shop_id=shop.pk, certification_id=technician.certification_id
    )
    return employment_confirm(
        employment_id=employment.pk, side=EmploymentSide.TECHNICIAN
    )
