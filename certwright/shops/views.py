"""Shop pages: the public finder and badge, the shop's own page (profile, staff,
badge snippet) and the technician's page of the shops they work for."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certwright.badges.keys import SigningKeyError, signing_key_active
from certwright.candidates.selectors import technician_for_user
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.rules.shops import recognition_decide
from certwright.shops.forms import ShopProfileForm
from certwright.shops.models import Employment, EmploymentSide
from certwright.shops.selectors import (
    access_my_employment,
    access_shop,
    access_shop_employment,
    employments_of_shop,
    employments_of_technician,
    recognition_current,
    recognition_history,
    shop_facts,
    shop_get_by_code,
    shop_profile_get,
    shops_find,
)
from certwright.shops.services import (
    EmploymentError,
    employment_confirm,
    employment_consent_set,
    employment_end,
    employment_invite,
    employment_request,
    shop_credential_issue,
    shop_profile_update,
)

QUERY_MAX = 100
BADGE_MAX_AGE = 3600  # an hour: a lost recognition shows within the hour


def _actor(request: HttpRequest) -> AbstractBaseUser:
    # Every view that writes is behind login_required.
    user = request.user
    if not isinstance(user, AbstractBaseUser):
        raise PermissionDenied
    return user


def _levels() -> dict[str, Any]:
    return dict(current_program().shops.recognitions)


@require_GET
def finder(request: HttpRequest) -> HttpResponse:
    """Recognised shops by ZIP code or city; public."""
    query = " ".join(request.GET.get("q", "").split())[:QUERY_MAX]
    entries = shops_find(query) if query else []
    return render(
        request,
        "shops/finder.html",
        {"query": query, "entries": entries, "levels": _levels()},
    )


@require_GET
def entry(request: HttpRequest, code: str) -> HttpResponse:
    """One shop's public entry: its recognition now (or that it has none) and the
    history of its recognition periods."""
    shop = shop_get_by_code(code)
    if shop is None:
        raise Http404
    return render(
        request,
        "shops/entry.html",
        {
            "shop": shop,
            "profile": shop_profile_get(shop),
            "current": recognition_current(shop.pk),
            "history": list(recognition_history(shop.pk)),
            "named": [
                e.technician.name
                for e in employments_of_shop(shop.pk)
                if e.is_active and e.show_name
            ],
            "levels": _levels(),
            # (a site without a signing key issues no credentials: no link)
            "credential": signing_key_active() is not None,
        },
    )


@require_GET
def badge(request: HttpRequest, code: str) -> HttpResponse:
    """The embeddable badge: the shop's recognition now, linking to its entry. A
    shop that is no longer (or not yet) recognised gets a badge that says so, so a
    badge left on a web site never claims what is no longer true."""
    shop = shop_get_by_code(code)
    if shop is None:
        raise Http404
    current = recognition_current(shop.pk)
    svg = render_to_string(
        "shops/badge.svg",
        {
            "shop": shop,
            "current": current,
            "levels": _levels(),
            "href": request.build_absolute_uri(
                reverse("shops:entry", args=[shop.code])
            ),
        },
    )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={BADGE_MAX_AGE}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def credential(request: HttpRequest, code: str) -> HttpResponse:
    """The shop's signed Open Badges 3.0 credential for the recognition it holds
    now, as a file anyone may check with a standard verifier; 404 when it holds
    none (or the code is unknown)."""
    shop = shop_get_by_code(code)
    if shop is None:
        raise Http404
    try:
        issued = shop_credential_issue(code=shop.code)
    except SigningKeyError as error:
        raise Http404(_("Signed credentials are not set up on this site.")) from error
    if issued is None:
        raise Http404
    response = HttpResponse(
        issued.document_json, content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{shop.code}-recognition.json"'
    )
    return response


@require_GET
@login_required
def manage(request: HttpRequest, organization_id: int) -> HttpResponse:
    shop = access_shop(request.user, organization_id)
    form = ShopProfileForm(profile=shop_profile_get(shop))
    return _manage_page(request, shop.pk, form)


def _manage_page(
    request: HttpRequest, shop_id: int, form: ShopProfileForm, status: int = 200
) -> HttpResponse:
    shop = access_shop(request.user, shop_id)
    program = current_program()
    decision = recognition_decide(shop_facts(shop.pk, on=today()), program.shops)
    badge_url = request.build_absolute_uri(reverse("shops:badge", args=[shop.code]))
    entry_url = request.build_absolute_uri(reverse("shops:entry", args=[shop.code]))
    return render(
        request,
        "shops/manage.html",
        {
            "shop": shop,
            "form": form,
            "employments": list(employments_of_shop(shop.pk)),
            "current": recognition_current(shop.pk),
            "history": list(recognition_history(shop.pk)),
            "decision": decision,
            "uncovered": [
                program.shops.areas[c].name if c in program.shops.areas else c
                for c in decision.uncovered
            ],
            "levels": dict(program.shops.recognitions),
            # Escaped here: the snippet is pasted into other sites as it is.
            "snippet": format_html(
                '<a href="{}"><img src="{}" alt="{}" width="240" height="60"></a>',
                entry_url,
                badge_url,
                shop.name,
            ),
        },
        status=status,
    )


@require_POST
@login_required
def profile_update(request: HttpRequest, organization_id: int) -> HttpResponse:
    shop = access_shop(request.user, organization_id)
    form = ShopProfileForm(request.POST, profile=shop_profile_get(shop))
    if form.is_valid():
        try:
            shop_profile_update(
                shop_id=shop.pk, actor=_actor(request), **form.cleaned_data
            )
        except EmploymentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The shop's profile is saved."))
            return redirect("shops:manage", shop.pk)
    return _manage_page(request, shop.pk, form, status=400)


@require_POST
@login_required
def invite(request: HttpRequest, organization_id: int) -> HttpResponse:
    shop = access_shop(request.user, organization_id)
    try:
        employment = employment_invite(
            shop_id=shop.pk,
            certification_id=request.POST.get("certification_id", "")[:40],
            actor=_actor(request),
        )
    except EmploymentError as error:
        messages.error(request, str(error))
    else:
        if employment.is_active:
            messages.success(request, _("The technician works at your shop."))
        else:
            messages.success(
                request, _("Invitation sent: the technician confirms it on their page.")
            )
    return redirect("shops:manage", shop.pk)


def _shop_employment(request: HttpRequest, organization_id: int, pk: int) -> Employment:
    return access_shop_employment(request.user, organization_id, pk)


@require_POST
@login_required
def shop_confirm(request: HttpRequest, organization_id: int, pk: int) -> HttpResponse:
    employment = _shop_employment(request, organization_id, pk)
    try:
        employment_confirm(
            employment_id=employment.pk, side=EmploymentSide.SHOP, actor=_actor(request)
        )
    except EmploymentError as error:
        messages.error(request, str(error))
    return redirect("shops:manage", organization_id)


@require_POST
@login_required
def shop_end(request: HttpRequest, organization_id: int, pk: int) -> HttpResponse:
    employment = _shop_employment(request, organization_id, pk)
    employment_end(
        employment_id=employment.pk, side=EmploymentSide.SHOP, actor=_actor(request)
    )
    return redirect("shops:manage", organization_id)


@require_http_methods(["GET", "POST"])
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The technician's shops: ask to join one by its code, confirm a shop's
    invitation, choose whether the finder names them, leave."""
    technician = technician_for_user(request.user)
    if request.method == "POST" and technician is not None:
        try:
            employment_request(
                technician_id=technician.pk,
                shop_code=request.POST.get("code", "")[:40],
                actor=_actor(request),
            )
        except EmploymentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Request sent: the shop confirms it."))
        return redirect("shops:mine")
    return render(
        request,
        "shops/mine.html",
        {
            "technician": technician,
            "employments": (
                list(employments_of_technician(technician.pk)) if technician else []
            ),
        },
    )


def _my_employment(request: HttpRequest, pk: int) -> Employment:
    return access_my_employment(request.user, pk)


@require_POST
@login_required
def my_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    employment = _my_employment(request, pk)
    try:
        employment_confirm(
            employment_id=employment.pk,
            side=EmploymentSide.TECHNICIAN,
            actor=_actor(request),
        )
    except EmploymentError as error:
        messages.error(request, str(error))
    return redirect("shops:mine")


@require_POST
@login_required
def my_end(request: HttpRequest, pk: int) -> HttpResponse:
    employment = _my_employment(request, pk)
    employment_end(
        employment_id=employment.pk,
        side=EmploymentSide.TECHNICIAN,
        actor=_actor(request),
    )
    return redirect("shops:mine")


@require_POST
@login_required
def my_consent(request: HttpRequest, pk: int) -> HttpResponse:
    employment = _my_employment(request, pk)
    try:
        employment_consent_set(
            employment_id=employment.pk,
            show_name=request.POST.get("show_name") == "1",
            actor=_actor(request),
        )
    except EmploymentError as error:
        messages.error(request, str(error))
    return redirect("shops:mine")
