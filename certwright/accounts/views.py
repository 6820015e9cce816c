"""Account pages: the profile (certification ID, roles, 2FA, API tokens), sharing
with employers, and the employer's view of who shares with them.

Sign-up, sign-in, e-mail verification, password reset and 2FA set-up are allauth's
pages (under /accounts/), with our templates.
"""

from __future__ import annotations

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

from certwright.accounts.forms import ApiTokenCreateForm, ShareGrantForm
from certwright.accounts.models import Membership
from certwright.accounts.selectors import (
    access_api_token,
    access_organization,
    access_share_grant,
    api_tokens_for_user,
    membership_get,
    organization_members,
    organization_sells_vouchers_to,
    organizations_for_user,
    share_grants_for_technician,
    technicians_shared_with_credentials,
    user_mfa_enabled,
)
from certwright.accounts.services import api_token_create, api_token_revoke
from certwright.accounts.services import share_grant as share_grant_service
from certwright.accounts.services import share_revoke as share_revoke_service
from certwright.candidates.selectors import technician_for_user
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.core.roles import user_needs_mfa, user_roles


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


@require_GET
@login_required
def organization_detail(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = access_organization(request.user, organization_id)
    day = today()
    program = current_program()
    technicians = technicians_shared_with_credentials(organization.pk, on=day)
    titles = {title_id: title.name for title_id, title in program.titles.items()}
    rows = [
        {
            "technician": t,
            "certifications": t.current_certifications,  # type: ignore[attr-defined]
            "titles": [titles.get(h.title_id, h.title_id) for h in t.held_titles],  # type: ignore[attr-defined]
        }
        for t in technicians
    ]
    membership = membership_get(
        organization_id=organization.pk, user_id=_user(request).pk
    )
    return render(
        request,
        "account/organization_detail.html",
        {
            "organization": organization,
            "membership": membership,
            "members": list(organization_members(organization.pk)),
            "sells_vouchers": organization_sells_vouchers_to(organization, membership),
            "rows": rows,
            "today": day,
        },
    )
