"""Account pages: the profile (certification ID, roles, 2FA, API tokens), sharing
with employers, and the employer's view of who shares with them.

Sign-up, sign-in, e-mail verification, password reset and 2FA set-up are allauth's
pages (under /accounts/), with our templates.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from certwright.accounts.forms import (
    ApiTokenCreateForm,
    RosterForm,
    ShareGrantForm,
    WatchForm,
)
from certwright.accounts.models import Membership
from certwright.accounts.roster import (
    EXPIRING_WITHIN_DAYS,
    NEWLY_CERTIFIED_DAYS,
    RosterFilter,
    RosterQuery,
    RosterSort,
    certification_state,
    organization_roster,
)
from certwright.accounts.selectors import (
    access_api_token,
    access_organization,
    access_share_grant,
    api_tokens_for_user,
    check_organization_admin,
    membership_get,
    organization_administered_by,
    organization_members,
    organization_sells_vouchers_to,
    organizations_for_user,
    share_grants_for_technician,
    user_mfa_enabled,
)
from certwright.accounts.services import api_token_create, api_token_revoke
from certwright.accounts.services import share_grant as share_grant_service
from certwright.accounts.services import share_revoke as share_revoke_service
from certwright.accounts.watch import organization_watch_get, organization_watch_set
from certwright.candidates.selectors import technician_for_user
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.core.roles import user_needs_mfa, user_roles
from certwright.rules.dates import last_valid_day


def _user(request: HttpRequest) -> AbstractBaseUser:
    # Behind login_required: the anonymous case is a programming error.
    user = request.user
    if not isinstance(user, AbstractBaseUser):
        raise PermissionDenied
    return user


def _profile_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    technician = technician_for_user(user)
    return {
        "technician": technician,
        "roles": sorted(user_roles(user), key=lambda r: r.value),
        "mfa_enabled": user_mfa_enabled(user),
        "needs_mfa": user_needs_mfa(user),
        "tokens": list(api_tokens_for_user(user)),
        "token_form": ApiTokenCreateForm(),
        "memberships": list(
            Membership.objects.filter(user_id=user.pk)
            .select_related("organization")
            .order_by("organization__name")
        ),
        "shares": (
            list(share_grants_for_technician(technician.pk)) if technician else []
        ),
        **extra,
    }


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("accounts:profile")


@require_GET
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "account/profile.html", _profile_context(request))


@require_POST
@login_required
@never_cache
def token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenCreateForm(request.POST)
    if not form.is_valid():
        context = _profile_context(request, token_form=form)
        return render(request, "account/profile.html", context, status=400)
    token, raw = api_token_create(
        user=_user(request), name=form.cleaned_data["name"], actor=_user(request)
    )
    # Rendered, not redirected: the token must not pass through the session or a
    # message store, and this page is the only place it ever appears.
    return render(request, "account/token_created.html", {"token": token, "raw": raw})


@require_POST
@login_required
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = access_api_token(request.user, token_id)
    api_token_revoke(token_id=token.pk, actor=_user(request))
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:profile")


@require_http_methods(["GET", "POST"])
@login_required
def sharing(request: HttpRequest) -> HttpResponse:
    technician = technician_for_user(request.user)
    form = ShareGrantForm(request.POST or None)
    status = 200
    if request.method == "POST" and technician is not None:
        if form.is_valid():
            organization = form.organization
            _grant, created = share_grant_service(
                technician_id=technician.pk,
                organization_id=organization.pk,
                actor=_user(request),
            )
            if created:
                text = _("%(name)s can now see your certifications.")
            else:
                text = _("You already share your certifications with %(name)s.")
            messages.success(request, text % {"name": organization.name})
            return redirect("accounts:sharing")
        status = 400
    grants = share_grants_for_technician(technician.pk) if technician else []
    return render(
        request,
        "account/sharing.html",
        {"technician": technician, "form": form, "grants": grants},
        status=status,
    )


@require_POST
@login_required
def share_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = access_share_grant(request.user, grant_id)
    share_revoke_service(grant_id=grant.pk, actor=_user(request))
    messages.success(
        request,
        _("%(name)s can no longer see your certifications.")
        % {"name": grant.organization.name},
    )
    return redirect("accounts:sharing")


@require_GET
@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    """The employer's landing page: straight to their organization when they act for
    one, otherwise the list (empty for someone no organization has added yet)."""
    organizations = list(organizations_for_user(request.user).order_by("name", "pk"))
    if len(organizations) == 1:
        return redirect("accounts:organization_detail", organizations[0].pk)
    return render(
        request, "account/organization_list.html", {"organizations": organizations}
    )


def _roster_query(form: RosterForm) -> RosterQuery:
    data = form.cleaned_data
    return RosterQuery(
        filter=RosterFilter(data["filter"]) if data.get("filter") else None,
        sort=RosterSort(data.get("sort") or RosterSort.NAME),
    )


def _roster_rows(technicians: Any, *, on: Any) -> list[dict[str, Any]]:
    program = current_program()
    rows = []
    for t in technicians:
        certifications = [
            {
                "c": c,
                "name": program.tests[c.test].name
                if c.test in program.tests
                else c.test,
                "state": certification_state(c, on=on),
            }
            for c in t.roster_certifications
        ]
        titles = [
            {
                "h": h,
                "name": program.titles[h.title_id].name
                if h.title_id in program.titles
                else h.title_id,
            }
            for h in t.roster_titles
        ]
        rows.append(
            {"technician": t, "certifications": certifications, "titles": titles}
        )
    return rows


@require_GET
@login_required
def organization_detail(request: HttpRequest, organization_id: int) -> HttpResponse:
    """The employer's home: who shares, with every certification and title, filtered
    and sorted by a plain GET form; the watch settings; the members."""
    organization = access_organization(request.user, organization_id)
    return _organization_page(request, organization)


def _organization_page(
    request: HttpRequest,
    organization: Any,
    *,
    watch_form: WatchForm | None = None,
    status: int = 200,
) -> HttpResponse:
    day = today()
    form = RosterForm(request.GET or None)
    rows: list[dict[str, Any]] = []
    if request.GET and not form.is_valid():
        status = 400
    else:
        query = _roster_query(form) if request.GET else RosterQuery()
        rows = _roster_rows(
            organization_roster(organization.pk, on=day, query=query), on=day
        )
    membership = membership_get(
        organization_id=organization.pk, user_id=_user(request).pk
    )
    watch = organization_watch_get(organization.pk)
    return render(
        request,
        "account/organization_detail.html",
        {
            "organization": organization,
            "membership": membership,
            "members": list(organization_members(organization.pk)),
            "sells_vouchers": organization_sells_vouchers_to(organization, membership),
            "form": form,
            "filtered": bool(request.GET.get("filter")),
            "rows": rows,
            "today": day,
            "watch": watch,
            "watch_form": watch_form
            or WatchForm(
                initial={
                    "weekly_digest": watch.weekly_digest,
                    "revocation_email": watch.revocation_email,
                }
            ),
            "may_watch": organization_administered_by(organization, request.user),
            "csv_query": request.GET.urlencode(),
            "expiring_days": EXPIRING_WITHIN_DAYS,
            "new_days": NEWLY_CERTIFIED_DAYS,
        },
        status=status,
    )


@require_POST
@login_required
def organization_watch(request: HttpRequest, organization_id: int) -> HttpResponse:
    """An administrator turns the digest and the revocation e-mail on or off."""
    organization = access_organization(request.user, organization_id)
    check_organization_admin(request.user, organization)
    form = WatchForm(request.POST)
    if not form.is_valid():  # pragma: no cover - two checkboxes cannot be invalid
        return _organization_page(request, organization, watch_form=form, status=400)
    organization_watch_set(
        organization_id=organization.pk,
        weekly_digest=form.cleaned_data["weekly_digest"],
        revocation_email=form.cleaned_data["revocation_email"],
        actor=_user(request),
    )
    messages.success(request, _("Your e-mail settings are saved."))
    return redirect("accounts:organization_detail", organization.pk)


def csv_cell(value: object) -> str:
    """``value`` as a CSV cell a spreadsheet will not run: text that starts like a
    formula (= + - @, or a tab or carriage return before one) gets a leading quote
    (OWASP's advice for CSV injection)."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


@require_GET
@login_required
def organization_roster_csv(request: HttpRequest, organization_id: int) -> HttpResponse:
    """The roster as CSV, with the page's filter and sort: one line per
    certification and per title."""
    organization = access_organization(request.user, organization_id)
    form = RosterForm(request.GET)
    if not form.is_valid():
        return HttpResponse(
            _("Unknown filter or sort order."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    day = today()
    technicians = organization_roster(
        organization.pk, on=day, query=_roster_query(form)
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="roster-{organization.code}-{day.isoformat()}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [
            "certification_id", "name", "kind", "code", "title", "state",
            "from", "valid_through",
        ]
    )  # fmt: skip
    for row in _roster_rows(technicians, on=day):
        t = row["technician"]
        for item in row["certifications"]:
            c = item["c"]
            writer.writerow(
                csv_cell(v)
                for v in (
                    t.certification_id, t.name, "certification", c.test, item["name"],
                    item["state"].value, c.certified_on or "", c.valid_through or "",
                )
            )  # fmt: skip
        for item in row["titles"]:
            h = item["h"]
            writer.writerow(
                csv_cell(v)
                for v in (
                    t.certification_id, t.name, "title", h.title_id, item["name"],
                    "held" if h.held else "not_held", h.since or "",
                    last_valid_day(h.until) or "",
                )
            )  # fmt: skip
    return response
