"""Builders for an employer's roster: an organization with an administrator, the
technicians who share with it, and their derived certification rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from certwright.accounts.models import MembershipRole, Organization
from certwright.accounts.services import (
    membership_add,
    organization_create,
    share_grant,
)
from certwright.candidates.models import Technician
from certwright.candidates.services import technician_create
from certwright.core.clock import today
from certwright.credentials.models import Certification, CertificationStatus


def person(email: str, name: str = "Pat Person") -> Any:
    """A user with a verified address (so they can sign in)."""
    first, _sep, last = name.rpartition(" ")
    user = get_user_model().objects.create_user(
        username=email.split("@")[0],
        email=email,
        password="Correct-horse-battery-9",
        first_name=first,
        last_name=last,
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def employer(
    *, name: str = "Fleet Motors", code: str = "FLEET1", admin: str = "boss@fleet.test"
) -> tuple[Organization, Any]:
    """An employer organization and its administrator."""
    organization = organization_create(name=name, code=code)
    boss = person(admin, "Bo Boss")
    membership_add(
        organization_id=organization.pk, user=boss, role=MembershipRole.ADMIN
    )
    return organization, boss


def sharing_technician(
    organization: Organization, name: str, *, certification_id: str | None = None
) -> Technician:
    """A technician (no account) who shares their records with ``organization``."""
    technician = technician_create(name=name, certification_id=certification_id)
    share_grant(technician_id=technician.pk, organization_id=organization.pk)
    return technician


def certification_put(
    technician: Technician,
    test: str,
    *,
    status: str = CertificationStatus.CERTIFIED,
    certified_days_ago: int = 400,
    expires_in_days: int | None = 600,
) -> Certification:
    """A derived certification row as the recompute would have written it, dated
    relative to today (``expires_on`` is the exclusive end)."""
    day = today()
    certified = day - dt.timedelta(days=certified_days_ago)
    return Certification.objects.create(
        technician=technician,
        test=test,
        status=status,
        passed_on=certified,
        certified_on=certified,
        expires_on=(
            day + dt.timedelta(days=expires_in_days)
            if expires_in_days is not None
            else None
        ),
        computed_as_of=day,
    )
