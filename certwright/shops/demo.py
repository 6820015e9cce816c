"""Demo data: Main Street Auto (the accounts demo's shop) gets a profile and three
certified technicians, so the finder shows a recognised shop (``/shops/?q=62701``).

Run by ``certwright demo load`` after the accounts demo. Idempotent: an employment
the demo's users ended stays ended on a reload.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from certwright.accounts.demo import ORGANIZATION_CODE
from certwright.accounts.models import Organization
from certwright.candidates.models import Technician
from certwright.credentials.recompute import technician_recompute
from certwright.shops.models import Employment, EmploymentSide
from certwright.shops.selectors import recognition_current
from certwright.shops.services import (
    employment_confirm,
    employment_consent_set,
    employment_invite,
    shop_profile_update,
)

ACTOR = "demo"
ZIP_CODE = "62701"
CITY = "Springfield"
# The credentials demo's personas: Maria (A1-A8), Grace (A1, A8 recertified), Tomás
# (A4); only Maria agrees to be named on the finder.
STAFF = (
    ("maria-master@demo.certwright.example", True),
    ("recertified@demo.certwright.example", False),
    ("apprentice@demo.certwright.example", False),
)
AREAS = ("engine", "brakes", "suspension", "engine_performance")


@dataclass
class ShopsDemoReport:
    shop: str = ""
    level: str | None = None
    employed: list[str] = field(default_factory=list)


def demo_load() -> ShopsDemoReport:
    report = ShopsDemoReport(shop=ORGANIZATION_CODE)
    shop = Organization.objects.filter(code=ORGANIZATION_CODE).first()
    if shop is None:
        return report
    for email, named in STAFF:
        technician = Technician.objects.filter(email=email).first()
        if technician is None:
            continue
        # Derived now rather than by the after-commit task, so the shop is
        # recognised even when the whole demo loads in one transaction (tests).
        technician_recompute(technician_id=technician.pk, actor=ACTOR)
        if not Employment.objects.filter(shop=shop, technician=technician).exists():
            employment = employment_invite(
                shop_id=shop.pk,
                certification_id=technician.certification_id,
                actor=ACTOR,
            )
            employment_confirm(
                employment_id=employment.pk,
                side=EmploymentSide.TECHNICIAN,
                actor=ACTOR,
            )
            if named:
                employment_consent_set(
                    employment_id=employment.pk, show_name=True, actor=ACTOR
                )
        report.employed.append(technician.name)
    shop_profile_update(
        shop_id=shop.pk,
        address="120 Main Street",
        zip_code=ZIP_CODE,
        city=CITY,
        areas=AREAS,
        actor=ACTOR,
    )
    current = recognition_current(shop.pk)
    report.level = current.level if current else None
    return report
