"""Reading accounts, and who may see which technician.

The ``access_*`` functions fetch and check in one step and raise Http404 for
anything the user may not see, whether it exists or not, so ids cannot be probed;
the ``check_*`` functions raise PermissionDenied where the refusal names no object.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from certwright.accounts.models import (
    ApiToken,
    Membership,
    MembershipRole,
    Organization,
    OrganizationKind,
    ShareGrant,
    WatchReport,
)
from certwright.audit.personal_data import export_part
from certwright.candidates.models import Technician
from certwright.core.ids import MAX_ID
from certwright.core.roles import user_is_program_staff
from certwright.credentials.models import TitleHolding
from certwright.credentials.selectors import certifications_current

M = TypeVar("M", bound=models.Model)


def _signed_in(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _get_or_404(qs: QuerySet[M], pk: int, *, lock: bool) -> M:
    if not isinstance(pk, int) or not 0 < pk <= MAX_ID:
        raise Http404
    if lock:
        qs = qs.select_for_update()
    found = qs.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def check_program_staff(user: Any) -> None:
    """PermissionDenied (403) unless ``user`` is program staff
    (``user_is_program_staff``), for pages that are staff's whatever is asked."""
    if not user_is_program_staff(user):
        raise PermissionDenied


# --- technicians ----------------------------------------------------------------------


def technicians_visible_to(user: Any) -> QuerySet[Technician]:
    """Technicians ``user`` may see: their own; those who share with an organization
    ``user`` belongs to; everyone for program staff."""
    if not _signed_in(user):
        return Technician.objects.none()
    if user_is_program_staff(user):
        return Technician.objects.all()
    shared = ShareGrant.objects.filter(
        revoked_at__isnull=True, organization__memberships__user_id=user.pk
    ).values("technician_id")
    return Technician.objects.filter(Q(user_id=user.pk) | Q(pk__in=shared))


def access_technician(
    user: Any, technician_id: int, *, lock: bool = False
) -> Technician:
    """The technician, if ``user`` may see them; Http404 otherwise."""
    return _get_or_404(technicians_visible_to(user), technician_id, lock=lock)


# --- organizations and sharing --------------------------------------------------------


def organizations_for_user(user: Any) -> QuerySet[Organization]:
    """Organizations ``user`` is a member of."""
    if not _signed_in(user):
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user_id=user.pk)


def access_organization(
    user: Any, organization_id: int, *, lock: bool = False
) -> Organization:
    """An organization ``user`` belongs to (any, for program staff); Http404
    otherwise."""
    qs = (
        Organization.objects.all()
        if user_is_program_staff(user)
        else organizations_for_user(user)
    )
    return _get_or_404(qs, organization_id, lock=lock)


def organization_administered_by(organization: Organization, user: Any) -> bool:
    """Whether ``user`` is an administrator of ``organization`` (who chooses its
    e-mail settings; program staff looking on are not)."""
    return (
        _signed_in(user)
        and Membership.objects.filter(
            organization_id=organization.pk, user_id=user.pk, role=MembershipRole.ADMIN
        ).exists()
    )


def check_organization_admin(user: Any, organization: Organization) -> None:
    """PermissionDenied (403) unless ``user`` administers ``organization`` (after
    ``access_organization`` has shown they may see it)."""
    if not organization_administered_by(organization, user):
        raise PermissionDenied


def membership_get(*, organization_id: int, user_id: int) -> Membership | None:
    return Membership.objects.filter(
        organization_id=organization_id, user_id=user_id
    ).first()


def organization_members(organization_id: int) -> QuerySet[Membership]:
    """The people acting for the organization, administrators first, by name."""
    return (
        Membership.objects.filter(organization_id=organization_id)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name", "user__email")
    )


def organization_sells_vouchers_to(
    organization: Organization, membership: Membership | None
) -> bool:
    """Whether this membership of ``organization`` opens the shop's voucher pages (a
    shop's administrators buy and hand out vouchers; members, employers and program
    staff looking on do not: ``commerce.selectors.shops_administered``)."""
    return bool(
        membership is not None
        and membership.organization_id == organization.pk
        and membership.role == MembershipRole.ADMIN
        and organization.kind == OrganizationKind.SHOP
    )


def organization_code_normalize(code: str) -> str:
    return "".join(code.split()).upper()


def organization_get_by_code(code: str) -> Organization | None:
    """The organization a technician means when typing ``code`` (spaces and case
    ignored)."""
    normalized = organization_code_normalize(code)
    if not normalized:
        return None
    return Organization.objects.filter(code=normalized).first()


def share_grants_for_technician(
    technician_id: int, *, active_only: bool = True
) -> QuerySet[ShareGrant]:
    qs = ShareGrant.objects.filter(technician_id=technician_id).select_related(
        "organization"
    )
    if active_only:
        qs = qs.filter(revoked_at__isnull=True)
    return qs.order_by("organization__name", "-granted_at")


def access_share_grant(user: Any, grant_id: int, *, lock: bool = False) -> ShareGrant:
    """A grant made by the technician signed in; Http404 for anyone else's."""
    if not _signed_in(user):
        raise Http404
    qs = ShareGrant.objects.filter(technician__user_id=user.pk).select_related(
        "organization"
    )
    return _get_or_404(qs, grant_id, lock=lock)


def technicians_shared_with(organization_id: int) -> QuerySet[Technician]:
    """Technicians with an active grant to the organization, by name."""
    return Technician.objects.filter(
        share_grants__organization_id=organization_id,
        share_grants__revoked_at__isnull=True,
    ).order_by("name", "id")


def technicians_shared_with_credentials(
    organization_id: int, *, on: dt.date
) -> QuerySet[Technician]:
    """``technicians_shared_with``, each with ``current_certifications`` (in force
    on ``on``: ``certifications_current``) and ``held_titles``: what an employer
    sees of them, in three queries whatever their number."""
    return technicians_shared_with(organization_id).prefetch_related(
        Prefetch(
            "certifications",
            queryset=certifications_current(on=on).order_by("test"),
            to_attr="current_certifications",
        ),
        Prefetch(
            "titles",
            queryset=TitleHolding.objects.filter(held=True).order_by("title_id"),
            to_attr="held_titles",
        ),
    )


# --- API tokens -----------------------------------------------------------------------


def api_tokens_for_user(user: Any, *, active_only: bool = True) -> QuerySet[ApiToken]:
    if not _signed_in(user):
        return ApiToken.objects.none()
    qs = ApiToken.objects.filter(user_id=user.pk)
    if active_only:
        qs = qs.filter(revoked_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def access_api_token(user: Any, token_id: int, *, lock: bool = False) -> ApiToken:
    """One of ``user``'s own tokens; Http404 for anyone else's."""
    tokens = api_tokens_for_user(user, active_only=False)
    return _get_or_404(tokens, token_id, lock=lock)


# --- two-factor authentication --------------------------------------------------------


def user_mfa_enabled(user: Any) -> bool:
    """Whether ``user`` signs in with a second factor (an authenticator app or a
    security key; recovery codes alone do not count)."""
    if not _signed_in(user):
        return False
    return Authenticator.objects.filter(
        user_id=user.pk,
        type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN],
    ).exists()


def account_addresses(user_id: int | None) -> set[str]:
    """The sign-in names and addresses of an account, lower-cased: what django-axes
    records failed and successful sign-ins under."""
    if user_id is None:
        return set()
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return set()
    found = {user.get_username(), user.email}
    found |= set(
        EmailAddress.objects.filter(user_id=user_id).values_list("email", flat=True)
    )
    return {a.strip().lower() for a in found if a and a.strip()}


def personal_data(technician: Technician) -> dict[str, list[dict[str, Any]]]:
    """accounts' part of the technician's data export: their account (never its
    password hash, MFA secrets or API token hashes), its addresses, memberships,
    sign-in history, sharing with organizations and what watching employers were
    told about them."""
    User = get_user_model()
    user_id = technician.user_id
    names = account_addresses(user_id)
    # A technician without an account has none of these rows (each table listed).
    own = Q(pk__in=[]) if user_id is None else Q(user_id=user_id)
    account = Q(pk__in=[]) if user_id is None else Q(pk=user_id)
    return export_part(
        (User.objects.filter(account), {"omit": ("password",)}),
        EmailAddress.objects.filter(own),
        (Authenticator.objects.filter(own), {"omit": ("data",)}),
        Membership.objects.filter(own),
        (ApiToken.objects.filter(own), {"omit": ("hashed_secret",)}),
        ShareGrant.objects.filter(technician_id=technician.pk),
        WatchReport.objects.filter(technician_id=technician.pk),
        AccessLog.objects.filter(username__in=names),
        (AccessAttempt.objects.filter(username__in=names), {"omit": ("post_data",)}),
        AccessFailureLog.objects.filter(username__in=names),
    )
