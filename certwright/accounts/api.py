"""The accounts part of the REST API, mounted by certwright.interface.api
(with ``SessionOrToken``: a session or an API token) at /api/accounts/.

Every operation needs a signed-in user (a session, or an API token). Anything that
belongs to someone else answers 404, as if it did not exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import field_validator

from certwright.accounts.api_auth import SessionOnly
from certwright.accounts.forms import clean_text
from certwright.accounts.models import ApiToken, ShareGrant
from certwright.accounts.roster import (
    EXPIRING_WITHIN_DAYS,
    NEWLY_CERTIFIED_DAYS,
    CertState,
    RosterFilter,
    RosterQuery,
    RosterSort,
    certification_state,
    current_of,
    organization_roster,
)
from certwright.accounts.selectors import (
    MAX_ID,
    access_api_token,
    access_organization,
    access_share_grant,
    api_tokens_for_user,
    organization_get_by_code,
    share_grants_for_technician,
    user_mfa_enabled,
)
from certwright.accounts.services import (
    api_token_create,
    api_token_revoke,
    share_grant,
    share_revoke,
)
from certwright.candidates.selectors import technician_for_user
from certwright.core.api_types import PRINTABLE_LINE, documented_pattern
from certwright.core.clock import today
from certwright.core.problems import ProblemDetails, problem
from certwright.core.program import current_program
from certwright.core.roles import user_roles
from certwright.credentials.api import (
    CertificationRecordOut,
    HeldTitleOut,
    certification_out,
    title_out,
)

router = Router(tags=["accounts"])

Id = Annotated[int, Path(ge=1, le=MAX_ID)]


class MembershipOut(Schema):
    id: int
    name: str
    kind: str
    code: str
    role: str


class MeOut(Schema):
    id: int
    email: str
    name: str
    certification_id: str | None
    technician_id: int | None
    roles: list[str]
    mfa_enabled: bool
    organizations: list[MembershipOut]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The token itself: shown once, never again.")


def _printable(value: str) -> str:
    try:
        return clean_text(value, field="value")
    except DjangoValidationError as exc:
        raise ValueError(exc.messages[0]) from None


class TokenIn(Schema):
    name: str = Field(
        min_length=1,
        max_length=100,
        # Printable, and not only spaces.
        json_schema_extra=documented_pattern(
            r"^[^\x00-\x09\x0b-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f]"
            r"[^\x00-\x09\x0b-\x1f\x7f-\x9f]*$"
        ),
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = _printable(value)
        if not value:
            raise ValueError("Give the token a name.")
        return value


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    code: str


class ShareOut(Schema):
    id: int
    organization: OrganizationOut
    granted_at: dt.datetime
    revoked_at: dt.datetime | None


class ShareIn(Schema):
    organization_code: str = Field(
        min_length=1,
        max_length=32,
        json_schema_extra=documented_pattern(PRINTABLE_LINE),
    )

    @field_validator("organization_code")
    @classmethod
    def _code(cls, value: str) -> str:
        return _printable(value)


class RosterCertificationOut(CertificationRecordOut):
    state: CertState = Field(
        description=(
            "The roster's state today: new (in force, certified within the last"
            f" {NEWLY_CERTIFIED_DAYS} days), expiring (in force, last day within"
            f" {EXPIRING_WITHIN_DAYS} days), in_force, pending_experience, lapsed,"
            " revoked"
        )
    )


class SharedTechnicianOut(Schema):
    id: int
    certification_id: str
    name: str
    certifications: list[CertificationRecordOut] = Field(
        description="Those in force today"
    )
    titles: list[HeldTitleOut] = Field(description="Those held today")
    all_certifications: list[RosterCertificationOut] = Field(
        description="Every certification recorded, in force or not, with its state"
    )
    all_titles: list[HeldTitleOut] = Field(description="Every title held now or before")


def _token_out(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


def _share_out(grant: ShareGrant) -> dict[str, Any]:
    org = grant.organization
    return {
        "id": grant.pk,
        "organization": {
            "id": org.pk,
            "name": org.name,
            "kind": org.kind,
            "code": org.code,
        },
        "granted_at": grant.granted_at,
        "revoked_at": grant.revoked_at,
    }


@router.get("/me", response={200: MeOut, 401: ProblemDetails}, summary="Who am I?")
def me(request: HttpRequest) -> dict[str, Any]:
    """The signed-in account: certification ID, roles, 2FA and organizations."""
    user = request.auth  # type: ignore[attr-defined]
    technician = technician_for_user(user)
    memberships = user.memberships.select_related("organization").order_by(
        "organization__name"
    )
    return {
        "id": user.pk,
        "email": user.email,
        "name": technician.name if technician else user.get_full_name(),
        "certification_id": technician.certification_id if technician else None,
        "technician_id": technician.pk if technician else None,
        "roles": sorted(role.value for role in user_roles(user)),
        "mfa_enabled": user_mfa_enabled(user),
        "organizations": [
            {
                "id": m.organization.pk,
                "name": m.organization.name,
                "kind": m.organization.kind,
                "code": m.organization.code,
                "role": m.role,
            }
            for m in memberships
        ],
    }


@router.get(
    "/tokens",
    response={200: list[TokenOut], 401: ProblemDetails},
    summary="My API tokens",
)
def token_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Active tokens (never the secrets)."""
    return [_token_out(t) for t in api_tokens_for_user(request.auth)]  # type: ignore[attr-defined]


@router.post(
    "/tokens",
    # Session only: a token must not be able to mint more tokens.
    auth=SessionOnly(),
    response={201: TokenCreatedOut, 401: ProblemDetails, 403: ProblemDetails},
    summary="Create an API token",
)
def token_create(request: HttpRequest, body: TokenIn) -> Status[dict[str, Any]]:
    """A new token for integrations. The response is the only time the token is
    shown; store it in the integration's secret store. Needs a browser session
    (with its CSRF token), not another API token."""
    token, raw = api_token_create(user=request.auth, name=body.name)  # type: ignore[attr-defined]
    return Status(201, {**_token_out(token), "token": raw})


@router.delete(
    "/tokens/{token_id}",
    response={204: None, 401: ProblemDetails, 403: ProblemDetails, 404: ProblemDetails},
    summary="Revoke an API token",
)
def token_revoke(request: HttpRequest, token_id: Id) -> Status[None]:
    """Revoke one of my tokens; it stops working at once. Revoking twice is fine."""
    token = access_api_token(request.auth, token_id)  # type: ignore[attr-defined]
    api_token_revoke(token_id=token.pk, actor=request.auth)  # type: ignore[attr-defined]
    return Status(204, None)


@router.get(
    "/shares",
    response={200: list[ShareOut], 401: ProblemDetails},
    summary="Organizations I share my records with",
)
def share_list(request: HttpRequest) -> list[dict[str, Any]]:
    technician = technician_for_user(request.auth)  # type: ignore[attr-defined]
    if technician is None:
        return []
    return [_share_out(g) for g in share_grants_for_technician(technician.pk)]


@router.post(
    "/shares",
    response={
        200: ShareOut,
        201: ShareOut,
        401: ProblemDetails,
        403: ProblemDetails,
        404: ProblemDetails,
        409: ProblemDetails,
    },
    summary="Share my records with a shop or employer",
)
def share_create(request: HttpRequest, body: ShareIn) -> Status[dict[str, Any]]:
    """Let the organization with this code see my certifications. 201 when new, 200
    when I already share with it; 404 for an unknown code; 409 for an account
    without a technician record."""
    user = request.auth  # type: ignore[attr-defined]
    technician = technician_for_user(user)
    if technician is None:
        return problem(
            409,
            _("This account has no technician record to share."),
            code="not_candidate",
        )
    organization = organization_get_by_code(body.organization_code)
    if organization is None:
        return problem(404, _("No organization has this code."))
    grant, created = share_grant(
        technician_id=technician.pk, organization_id=organization.pk, actor=user
    )
    return Status(201 if created else 200, _share_out(grant))


@router.delete(
    "/shares/{share_id}",
    response={204: None, 401: ProblemDetails, 403: ProblemDetails, 404: ProblemDetails},
    summary="Stop sharing with an organization",
)
def share_delete(request: HttpRequest, share_id: Id) -> Status[None]:
    grant = access_share_grant(request.auth, share_id)  # type: ignore[attr-defined]
    share_revoke(grant_id=grant.pk, actor=request.auth)  # type: ignore[attr-defined]
    return Status(204, None)


@router.get(
    "/organizations/{organization_id}/technicians",
    response={200: list[SharedTechnicianOut], 401: ProblemDetails, 404: ProblemDetails},
    summary="Technicians who share their records with my organization",
)
def organization_technicians(
    request: HttpRequest,
    organization_id: Id,
    filter: Annotated[
        RosterFilter | None,
        Query(
            None,
            description=(
                "Only technicians with a certification that is: expiring (last day"
                f" within {EXPIRING_WITHIN_DAYS} days), lapsed, revoked, or new"
                f" (certified within the last {NEWLY_CERTIFIED_DAYS} days)"
            ),
        ),
    ] = None,
    sort: Annotated[
        RosterSort,
        Query(
            RosterSort.NAME,
            description=(
                "name, certification_id, or expiry (the soonest end of a"
                " certification in force first; none last)"
            ),
        ),
    ] = RosterSort.NAME,
) -> list[dict[str, Any]]:
    """For members of the organization (and program staff): each technician's
    certifications in force today and the titles they hold, and every certification
    and title with its state; filtered and sorted as the organization's page and its
    CSV export are."""
    organization = access_organization(request.auth, organization_id)  # type: ignore[attr-defined]
    program = current_program()
    day = today()
    technicians = organization_roster(
        organization.pk, on=day, query=RosterQuery(filter=filter, sort=sort)
    )
    out = []
    for t in technicians:
        certs = t.roster_certifications  # type: ignore[attr-defined]
        titles = t.roster_titles  # type: ignore[attr-defined]
        current = current_of(t, on=day)
        out.append(
            {
                "id": t.pk,
                "certification_id": t.certification_id,
                "name": t.name,
                "certifications": [
                    certification_out(program, c, current=True) for c in current
                ],
                "titles": [title_out(program, h) for h in titles if h.held],
                "all_certifications": [
                    {
                        **certification_out(program, c, current=c in current),
                        "state": certification_state(c, on=day),
                    }
                    for c in certs
                ],
                "all_titles": [title_out(program, h) for h in titles],
            }
        )
    return out
