"""Demo accounts for `make run`: a candidate part-way through, an employer that a
demo technician shares with, a proctor and program staff.

All share one password, printed by `certwright demo load`. Staff and the proctor
have no second factor yet: they are sent to set one up at their first sign-in
(docs/accounts.md), unless CERTWRIGHT_STAFF_MFA=0 (as in `make run`). Loading
twice changes nothing: an existing account is left as it is (its password too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model

from certwright.accounts.models import (
    MembershipRole,
    Organization,
    OrganizationKind,
    OrganizationWatch,
    ShareGrant,
)
from certwright.accounts.services import (
    membership_add,
    organization_create,
    share_grant,
    technician_link_user,
)
from certwright.accounts.watch import organization_watch_set
from certwright.candidates.models import Technician
from certwright.core.roles import Role, role_add
from certwright.credentials.demo import CANDIDATE_EMAIL
from certwright.credentials.demo import demo_load as credentials_demo_load

PASSWORD = "certwright-demo"
_FIRST_SIGN_IN = {
    True: " (sets up two-factor authentication at first sign-in)",
    False: " (two-factor sign-in is off: CERTWRIGHT_STAFF_MFA=0)",
}
ACTOR = "demo"
ORGANIZATION_NAME = "Main Street Auto"
ORGANIZATION_CODE = "MAINST"
# The credentials demo's personas (certwright.credentials.demo): the candidate is
# Priya Raman, who has the experience and sits her first test, A1, today; Maria
# Okafor, a Master technician at Main Street Auto, shares her record with it.
SHARING_PERSONA_EMAIL = "maria-master@demo.certwright.example"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    description: str


@dataclass
class AccountsDemoReport:
    accounts: list[DemoAccount] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _user(
    email: str, name: str, *, staff: bool = False, report: AccountsDemoReport
) -> Any:
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        first, _sep, last = name.rpartition(" ")
        user = User(
            username=email.split("@")[0],
            email=email,
            first_name=first,
            last_name=last,
            is_staff=staff,
            # Demo program staff can do everything in the admin; a real
            # installation grants model permissions per person instead.
            is_superuser=staff,
        )
        user.set_password(PASSWORD)
        user.save()
        report.created.append(email)
    # Verified, so the demo can sign in without reading any mail.
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _persona(email: str) -> Technician:
    technician = Technician.objects.filter(email=email).first()
    if technician is None:
        # The accounts demo needs the credentials demo's technicians.
        credentials_demo_load()
        technician = Technician.objects.get(email=email)
    return technician


def demo_load() -> AccountsDemoReport:
    """Load the demo accounts (idempotent); returns them with their password."""
    report = AccountsDemoReport()
    candidate = _user(CANDIDATE_EMAIL, "Priya Raman", report=report)
    priya = _persona(CANDIDATE_EMAIL)
    linked = Technician.objects.filter(user_id=candidate.pk).first()
    if linked is None:
        technician_link_user(technician_id=priya.pk, user=candidate, actor=ACTOR)
    elif linked.pk != priya.pk:
        # A database loaded by an older demo, whose candidate was another persona.
        report.notes.append(
            f"candidate@example.com is linked to {linked.name} ({linked.email}) "
            "from an older demo: start from a new database for the current one"
        )
    role_add(candidate, Role.CANDIDATE, actor=ACTOR)

    employer = _user("employer@example.com", "Jordan Price", report=report)
    shop = Organization.objects.filter(code=ORGANIZATION_CODE).first()
    if shop is None:
        shop = organization_create(
            name=ORGANIZATION_NAME,
            kind=OrganizationKind.SHOP,
            code=ORGANIZATION_CODE,
            actor=ACTOR,
        )
    membership_add(
        organization_id=shop.pk,
        user=employer,
        role=MembershipRole.ADMIN,
        actor=ACTOR,
    )
    maria = _persona(SHARING_PERSONA_EMAIL)
    # Once only: if the demo's users revoke the grant, a reload leaves it revoked.
    if not ShareGrant.objects.filter(technician=maria, organization=shop).exists():
        share_grant(technician_id=maria.pk, organization_id=shop.pk, actor=ACTOR)
    # The shop watches its technicians (once: a reload keeps what the demo's users
    # chose on the page).
    if not OrganizationWatch.objects.filter(organization=shop).exists():
        organization_watch_set(
            organization_id=shop.pk,
            weekly_digest=True,
            revocation_email=True,
            actor=ACTOR,
        )

    proctor = _user("proctor@example.com", "Pat Quinn", report=report)
    role_add(proctor, Role.PROCTOR, actor=ACTOR)

    staff = _user("staff@example.com", "Sam Staff", staff=True, report=report)
    role_add(staff, Role.PROGRAM_STAFF, actor=ACTOR)

    mfa = bool(settings.CERTWRIGHT_STAFF_MFA)
    report.accounts = [
        DemoAccount(
            "candidate@example.com",
            PASSWORD,
            "candidate Priya Raman: has the experience, sits A1 today",
        ),
        DemoAccount(
            "employer@example.com",
            PASSWORD,
            f"administrator of {ORGANIZATION_NAME} (code {ORGANIZATION_CODE}), "
            "which Maria Okafor shares her record with",
        ),
        DemoAccount(
            "proctor@example.com",
            PASSWORD,
            "proctor of the Springfield test centre" + _FIRST_SIGN_IN[mfa],
        ),
        DemoAccount(
            "staff@example.com",
            PASSWORD,
            "program staff: the admin and item analysis" + _FIRST_SIGN_IN[mfa],
        ),
    ]
    return report
