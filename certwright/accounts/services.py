"""Writing accounts: a candidate's technician record, organizations and their
members, sharing, and API tokens. Each service owns its transaction and writes an
audit event."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from certwright.accounts import tokens
from certwright.accounts.models import (
    ApiToken,
    Membership,
    MembershipRole,
    Organization,
    OrganizationKind,
    ShareGrant,
)
from certwright.accounts.selectors import (
    account_addresses,
    organization_code_normalize,
    user_mfa_enabled,
)
from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record
from certwright.candidates.ids import ALPHABET
from certwright.candidates.models import Technician
from certwright.candidates.services import technician_create
from certwright.core.clock import now
from certwright.core.roles import (
    Role,
    role_add,
    role_remove,
    user_has_role,
    user_needs_mfa,
)

# A token's last use is written at most this often, so a busy integration does not
# turn every API read into a write.
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)

ORGANIZATION_CODE_LENGTH = 6
_CODE_ATTEMPTS = 5


# --- candidates -----------------------------------------------------------------------


def candidate_technician_ensure(*, user: Any, actor: Actor = None) -> Technician | None:
    """Give a candidate whose e-mail address is now verified their technician
    record (and so their certification ID); return it.

    Called when an address is confirmed, by the candidate or by staff in the admin.
    Accounts without the candidate role (staff, proctors, employers) get none, and a
    candidate who already has one keeps it.
    """
    if not user_has_role(user, Role.CANDIDATE):
        return None
    User = get_user_model()
    with transaction.atomic():
        # The user row lock serializes two confirmations racing (a double click on
        # the confirm button), which would otherwise both create a technician.
        User.objects.select_for_update().filter(pk=user.pk).first()
        existing = Technician.objects.filter(user_id=user.pk).first()
        if existing is not None:
            return existing
        technician = technician_create(
            name=user.get_full_name() or user.email,
            email=user.email,
            user_id=user.pk,
            actor=actor or user,
        )
    return technician


def technician_link_user(
    *, technician_id: int, user: Any, actor: Actor = None
) -> Technician:
    """Attach an existing technician record (one imported from results, say) to an
    account. Staff do this after checking the person's identity; the account gets
    the candidate role."""
    with transaction.atomic():
        technician = Technician.objects.select_for_update().get(pk=technician_id)
        if technician.user_id == user.pk:
            return technician
        if technician.user_id is not None:
            raise ValidationError(
                {"technician": _("This technician is already linked to an account.")}
            )
        if Technician.objects.filter(user_id=user.pk).exists():
            raise ValidationError(
                {"user": _("This account already has a technician record.")}
            )
        technician.user_id = user.pk
        technician.save(update_fields=["user"])
        role_add(user, Role.CANDIDATE, actor=actor)
        event_record(
            kind=EventKind.ACCOUNT_TECHNICIAN_LINKED,
            subject=f"technician:{technician.certification_id}",
            technician_id=technician.pk,
            actor=actor,
            data={"user": user.get_username(), "user_id": user.pk},
        )
    return technician


# --- organizations --------------------------------------------------------------------


def _unused_organization_code() -> str:
    # No 0/1 lookalikes problem: the alphabet has no I, L, O or U.
    letters = ALPHABET[10:]
    for _attempt in range(_CODE_ATTEMPTS):
        code = "".join(
            secrets.choice(letters) for _position in range(ORGANIZATION_CODE_LENGTH)
        )
        if not Organization.objects.filter(code=code).exists():
            return code
    raise RuntimeError("could not find an unused organization code")


def organization_create(
    *,
    name: str,
    kind: OrganizationKind | str = OrganizationKind.EMPLOYER,
    code: str | None = None,
    actor: Actor = None,
) -> Organization:
    """A new shop or employer, with a fresh code unless one is given."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("An organization needs a name.")})
    with transaction.atomic():
        organization = Organization(
            name=name,
            kind=kind,
            code=(
                organization_code_normalize(code)
                if code
                else _unused_organization_code()
            ),
        )
        organization.full_clean()
        organization.save()
        event_record(
            kind=EventKind.ORGANIZATION_CREATED,
            subject=f"organization:{organization.code}",
            actor=actor,
            data={"after": {"name": organization.name, "kind": organization.kind}},
        )
    return organization


def organization_update(
    *,
    organization_id: int,
    name: str,
    kind: OrganizationKind | str,
    actor: Actor = None,
) -> Organization:
    """Rename an organization or change its kind (its code never changes)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("An organization needs a name.")})
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization_id)
        before = {"name": organization.name, "kind": organization.kind}
        organization.name, organization.kind = name, kind
        after = {"name": organization.name, "kind": organization.kind}
        if after == before:
            return organization
        organization.full_clean()
        organization.save(update_fields=["name", "kind"])
        event_record(
            kind=EventKind.ORGANIZATION_UPDATED,
            subject=f"organization:{organization.code}",
            actor=actor,
            data={"before": before, "after": after},
        )
    return organization


def membership_add(
    *,
    organization_id: int,
    user: Any,
    role: MembershipRole | str = MembershipRole.MEMBER,
    actor: Actor = None,
) -> Membership:
    """Make ``user`` act for the organization (or change their membership role);
    they get the employer role, which the web uses to show the employer pages."""
    role = MembershipRole(role)
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization_id)
        membership = Membership.objects.filter(
            organization_id=organization.pk, user_id=user.pk
        ).first()
        before = membership.role if membership else None
        if membership is None:
            membership = Membership.objects.create(
                organization=organization, user=user, role=role
            )
        elif membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
        else:
            return membership
        role_add(user, Role.EMPLOYER, actor=actor)
        event_record(
            kind=EventKind.ORGANIZATION_MEMBER_ADDED,
            subject=f"organization:{organization.code}",
            actor=actor,
            data={"user": user.get_username(), "before": before, "after": role.value},
        )
    return membership


def membership_remove(*, organization_id: int, user: Any, actor: Actor = None) -> bool:
    """End ``user``'s membership; True when there was one."""
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization_id)
        deleted, _by_model = Membership.objects.filter(
            organization_id=organization.pk, user_id=user.pk
        ).delete()
        if not deleted:
            return False
        event_record(
            kind=EventKind.ORGANIZATION_MEMBER_REMOVED,
            subject=f"organization:{organization.code}",
            actor=actor,
            data={"user": user.get_username()},
        )
    return True


# --- sharing --------------------------------------------------------------------------


def share_grant(
    *, technician_id: int, organization_id: int, actor: Actor = None
) -> tuple[ShareGrant, bool]:
    """Let the organization see the technician's records. Sharing again while a
    grant is active changes nothing; returns (grant, created)."""
    with transaction.atomic():
        # Lock the technician: two simultaneous grants would otherwise both pass the
        # "none active" check and one would hit the unique constraint as an error.
        technician = Technician.objects.select_for_update().get(pk=technician_id)
        organization = Organization.objects.get(pk=organization_id)
        active = ShareGrant.objects.filter(
            technician_id=technician.pk,
            organization_id=organization.pk,
            revoked_at__isnull=True,
        ).first()
        if active is not None:
            return active, False
        grant = ShareGrant.objects.create(
            technician=technician, organization=organization, granted_at=now()
        )
        event_record(
            kind=EventKind.SHARE_GRANTED,
            subject=f"organization:{organization.code}",
            technician_id=technician.pk,
            actor=actor,
            data={"grant": grant.pk, "organization": organization.name},
        )
    return grant, True


def share_revoke(*, grant_id: int, actor: Actor = None) -> ShareGrant:
    """Stop sharing; revoking a revoked grant changes nothing."""
    with transaction.atomic():
        grant = (
            ShareGrant.objects.select_for_update()
            .select_related("organization")
            .get(pk=grant_id)
        )
        if grant.revoked_at is not None:
            return grant
        grant.revoked_at = now()
        grant.save(update_fields=["revoked_at"])
        event_record(
            kind=EventKind.SHARE_REVOKED,
            subject=f"organization:{grant.organization.code}",
            technician_id=grant.technician_id,
            actor=actor,
            data={"grant": grant.pk, "organization": grant.organization.name},
        )
    return grant


# --- API tokens -----------------------------------------------------------------------


def api_token_create(
    *, user: Any, name: str, actor: Actor = None
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token itself, which is
    shown this once and never stored."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError(
            {"name": _("Give the token a name, to recognise it later.")}
        )
    for _attempt in range(_CODE_ATTEMPTS):
        new = tokens.token_new()
        try:
            with transaction.atomic():
                token = ApiToken(
                    user=user, name=name, prefix=new.prefix, hashed_secret=new.hashed
                )
                token.full_clean(exclude=["prefix", "hashed_secret", "user"])
                token.save()
                event_record(
                    kind=EventKind.API_TOKEN_CREATED,
                    subject=f"user:{user.pk}",
                    actor=actor or user,
                    data={"token": token.pk, "name": name, "prefix": new.prefix},
                )
        except IntegrityError:
            # A prefix collision (1 in 4·10^9): draw another.
            continue
        return token, new.raw
    raise RuntimeError("could not find an unused token prefix")


def api_token_revoke(*, token_id: int, actor: Actor = None) -> ApiToken:
    """Revoke a token; it stops working on the next request."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token_id)
        if token.revoked_at is not None:
            return token
        token.revoked_at = now()
        token.save(update_fields=["revoked_at"])
        event_record(
            kind=EventKind.API_TOKEN_REVOKED,
            subject=f"user:{token.user_id}",
            actor=actor,
            data={"token": token.pk, "name": token.name, "prefix": token.prefix},
        )
    return token


def api_token_authenticate(raw: str) -> Any | None:
    """The active user an API token belongs to, or None for a wrong, revoked or
    malformed token (or one whose user must use 2FA and has turned it off)."""
    prefix = tokens.token_prefix(raw)
    if prefix is None:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None or not tokens.token_matches(raw, token.hashed_secret):
        return None
    user = token.user
    if not user.is_active:
        return None
    if user_needs_mfa(user) and not user_mfa_enabled(user):
        return None
    moment = now()
    # A conditional UPDATE: at most one write a minute, and no lock on the hot path.
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=moment - TOKEN_TOUCH_INTERVAL)
    ).update(last_used_at=moment)
    return user


# --- the admin's user page -----------------------------------------------------------

# Who may do what hangs on these: every change is an event (the admin's user page
# is the one place that edits them outside the role services).
ACCESS_FLAGS = ("is_active", "is_staff", "is_superuser")


def user_flags_record(*, user: Any, before: dict[str, bool], actor: Actor) -> None:
    """Write an event for each access flag of ``user`` that differs from
    ``before`` (the admin saved the user)."""
    changed = {
        flag: {"before": before.get(flag), "after": getattr(user, flag)}
        for flag in ACCESS_FLAGS
        if before.get(flag) != getattr(user, flag)
    }
    if changed:
        event_record(
            kind=EventKind.ACCOUNT_FLAGS_CHANGED,
            subject=f"user:{user.pk}",
            actor=actor,
            data={"user": user.get_username(), "flags": changed},
        )


def user_groups_set(*, user: Any, names: set[str], actor: Actor = None) -> None:
    """Make ``user``'s groups exactly ``names``. Roles are groups: they change
    through role_add/role_remove (their events); any other group with an event of
    its own."""
    from django.contrib.auth.models import Group

    roles = set(Role.values)
    with transaction.atomic():
        current = set(user.groups.values_list("name", flat=True))
        for name in sorted(names - current):
            if name in roles:
                role_add(user, name, actor=actor)
                continue
            group = Group.objects.get(name=name)
            user.groups.add(group)
            event_record(
                kind=EventKind.ACCOUNT_GROUP_ADDED,
                subject=f"user:{user.pk}",
                actor=actor,
                data={"group": name, "user": user.get_username()},
            )
        for name in sorted(current - names):
            if name in roles:
                role_remove(user, name, actor=actor)
                continue
            user.groups.remove(Group.objects.get(name=name))
            event_record(
                kind=EventKind.ACCOUNT_GROUP_REMOVED,
                subject=f"user:{user.pk}",
                actor=actor,
                data={"group": name, "user": user.get_username()},
            )


def user_delete(*, user: Any, actor: Actor = None) -> None:
    """Delete an account from the admin, with its event (who it was, and its
    roles at the time)."""
    with transaction.atomic():
        data = {
            "user": user.get_username(),
            "email": user.email,
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }
        pk = user.pk
        user.delete()
        event_record(
            kind=EventKind.ACCOUNT_DELETED, subject=f"user:{pk}", actor=actor, data=data
        )


def _sessions_end(user_id: int) -> int:
    """Delete the user's sessions. A session names its user only inside its
    encoded data, so each live one is read: an erasure is rare, and the changed
    password hash alone would already refuse them on their next request."""
    ended = []
    for key, data in (
        Session.objects.filter(expire_date__gt=now())
        .values_list("session_key", "session_data")
        .iterator()
    ):
        decoded = Session(session_key=key, session_data=data).get_decoded()
        if str(decoded.get("_auth_user_id", "")) == str(user_id):
            ended.append(key)
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


def account_personal_data_erase(
    *, user_id: int, technician_id: int, pseudonym: str
) -> dict[str, int]:
    """Disable and pseudonymise an account: the user name becomes ``pseudonym``,
    names and addresses go, the password can no longer be used, and its
    addresses, second factors, sign-in history and sessions are deleted; its API
    tokens and the technician's sharing with organizations are revoked, its
    memberships ended.

    Part of ``privacy.services.person_erase``, inside its transaction (which
    writes the one event, so none here). The roles (groups) stay: they are what
    the account was, not who."""
    User = get_user_model()
    user = User.objects.select_for_update().get(pk=user_id)
    addresses = account_addresses(user_id)
    user.username = pseudonym
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    stamp = now()
    counts = {
        "sessions_ended": _sessions_end(user_id),
        "api_tokens_revoked": ApiToken.objects.filter(
            user_id=user_id, revoked_at=None
        ).update(revoked_at=stamp),
        "share_grants_revoked": ShareGrant.objects.filter(
            technician_id=technician_id, revoked_at=None
        ).update(revoked_at=stamp),
        "memberships_ended": Membership.objects.filter(user_id=user_id).delete()[0],
        "addresses_deleted": EmailAddress.objects.filter(user_id=user_id).delete()[0],
    }
    Authenticator.objects.filter(user_id=user_id).delete()
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__in=addresses).delete()
    return counts
