"""The public lookup (/verify/), share links (/v/<token>) and the technician's page
that manages them (/me/share-links/, mounted under ``verification:``)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import segno
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from certwright.candidates.decorators import candidate_required
from certwright.candidates.models import Technician
from certwright.core.clock import now, today
from certwright.core.program import current_program
from certwright.verification.clients import client_address
from certwright.verification.selectors import (
    Answer,
    CertificationLine,
    lookup_answer,
    share_link_answer,
    technician_answer,
    technician_opted_out,
    technician_share_links,
)
from certwright.verification.services import (
    LABEL_MAX,
    LookupThrottled,
    lookup_count,
    lookup_family_name_set,
    lookup_opt_out_set,
    share_link_create,
    share_link_revoke,
)

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


class LookupForm(forms.Form):
    certification_id = forms.CharField(
        label=gettext_lazy("Certification ID"),
        max_length=64,
        help_text=gettext_lazy("As printed on the certificate, e.g. CW-4H7K-M2P9."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    last_name = forms.CharField(
        label=gettext_lazy("Technician's last name"),
        max_length=200,
        help_text=gettext_lazy("Case and accents do not matter."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class ShareLinkForm(forms.Form):
    label = forms.CharField(
        label=gettext_lazy("Label"),
        max_length=LABEL_MAX,
        help_text=gettext_lazy("Who you give it to, e.g. “Main Street Garage”."),
    )


class FamilyNameForm(forms.Form):
    family_name = forms.CharField(
        label=gettext_lazy("Your last name"),
        max_length=200,
        help_text=gettext_lazy(
            "The part of your name employers type, e.g. “de la Cruz”."
        ),
    )


def qr_svg(url: str) -> str:
    """The link as a QR code, inline SVG (no file, no script)."""
    return str(
        segno.make(url, error="m").svg_inline(
            scale=4, dark="#111", light="#fff", omitsize=True
        )
    )


def linkedin_url(
    cert: CertificationLine,
    *,
    name: str,
    organization: str,
    cert_url: str,
    cert_id: str,
) -> str:
    """LinkedIn's add-to-profile link for one certification (credentials.md)."""
    params: dict[str, str] = {
        "startTask": "CERTIFICATION_NAME",
        "name": f"{cert.test} {cert.name}",
        "organizationName": organization,
        "certUrl": cert_url,
        "certId": cert_id,
    }
    if cert.certified_on:
        params["issueYear"] = str(cert.certified_on.year)
        params["issueMonth"] = str(cert.certified_on.month)
    if cert.valid_through:
        params["expirationYear"] = str(cert.valid_through.year)
        params["expirationMonth"] = str(cert.valid_through.month)
    return f"{LINKEDIN_ADD}?{urlencode(params)}"


def _throttled(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = render(
        request,
        "verification/throttled.html",
        {"retry_after": retry_after},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The lookup: a POST, so the name stays out of addresses, logs and history."""
    program = current_program()
    if not program.verification.public_lookup:
        return render(request, "verification/lookup_off.html", status=404)
    form = LookupForm(request.POST or None)
    answer: Answer | None = None
    looked_up = False
    answered_at: dt.datetime | None = None
    if request.method == "POST" and form.is_valid():
        try:
            lookup_count(client_address(request))
        except LookupThrottled as throttled:
            return _throttled(request, throttled.retry_after)
        answer = lookup_answer(
            form.cleaned_data["certification_id"],
            form.cleaned_data["last_name"],
            program=program,
            on=today(),
        )
        looked_up = True
        answered_at = now()
    return render(
        request,
        "verification/verify.html",
        {
            "form": form,
            "answer": answer,
            "looked_up": looked_up,
            "answered_at": answered_at,
            "program": program,
        },
    )


def share_link(request: HttpRequest, token: str) -> HttpResponse:
    """A share link: the lookup's answer without the name, and its QR code. A
    revoked link answers as an unknown one."""
    program = current_program()
    answer = share_link_answer(token, program=program, on=today())
    if answer is None:
        return render(request, "verification/link_gone.html", status=404)
    url = request.build_absolute_uri()
    return render(
        request,
        "verification/share_link.html",
        {
            "answer": answer,
            "answered_at": now(),
            "program": program,
            "qr": mark_safe(qr_svg(url)),
            "url": url,
            "token": token,
        },
    )


@candidate_required("verification/no_technician.html")
@require_http_methods(["GET", "POST"])
def share_links(request: HttpRequest, technician: Technician) -> HttpResponse:
    """The technician's links: make one with a label, revoke one; leave or rejoin
    the public lookup where the program allows it."""
    program = current_program()
    policy = program.verification
    form = ShareLinkForm()
    family_form: FamilyNameForm | None = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "create":
            form = ShareLinkForm(request.POST)
            if form.is_valid():
                share_link_create(
                    technician_id=technician.pk,
                    label=form.cleaned_data["label"],
                    actor=request.user,  # type: ignore[arg-type]
                )
                messages.success(request, _("Share link created."))
                return redirect("verification:share_links")
        elif action == "revoke":
            link = (
                technician_share_links(technician.pk)
                .filter(pk=_int(request.POST.get("link")))
                .first()
            )
            if link is None:
                raise Http404
            share_link_revoke(link_id=link.pk, actor=request.user)  # type: ignore[arg-type]
            messages.success(request, _("The link no longer works."))
            return redirect("verification:share_links")
        elif action == "family_name":
            family_form = FamilyNameForm(request.POST)
            if family_form.is_valid():
                try:
                    lookup_family_name_set(
                        technician_id=technician.pk,
                        family_name=family_form.cleaned_data["family_name"],
                        actor=request.user,  # type: ignore[arg-type]
                    )
                except ValidationError as exc:
                    family_form.add_error(None, exc)
                else:
                    messages.success(request, _("Your last name is saved."))
                    return redirect("verification:share_links")
        elif action in ("opt_out", "opt_in") and policy.technician_may_opt_out:
            lookup_opt_out_set(
                technician_id=technician.pk,
                opted_out=action == "opt_out",
                actor=request.user,  # type: ignore[arg-type]
            )
            return redirect("verification:share_links")
        else:
            messages.error(request, _("That cannot be done here."))
            return redirect("verification:share_links")
    links = list(technician_share_links(technician.pk))
    answer = technician_answer(technician, program=program, on=today())
    verify_url = request.build_absolute_uri(reverse("verification:verify"))
    rows: list[dict[str, Any]] = [
        {
            "link": link,
            "url": request.build_absolute_uri(
                reverse("verification:share_link", args=[link.token])
            ),
        }
        for link in links
    ]
    for row in rows:
        if row["link"].revoked_at is None:
            row["qr"] = mark_safe(qr_svg(str(row["url"])))
    # LinkedIn's certificate links to the newest live share link (no name to type),
    # else to the lookup.
    cert_url = next(
        (str(r["url"]) for r in rows if r["link"].revoked_at is None), verify_url
    )
    linkedin = [
        {
            "cert": cert,
            "url": linkedin_url(
                cert,
                name=technician.name,
                organization=program.body,
                cert_url=cert_url,
                cert_id=technician.certification_id,
            ),
        }
        for cert in answer.in_force
    ]
    return render(
        request,
        "verification/share_links.html",
        {
            "technician": technician,
            "rows": rows,
            "form": form,
            "family_form": family_form
            or FamilyNameForm(initial={"family_name": technician.family_name}),
            "policy": policy,
            "opted_out": technician_opted_out(technician.pk),
            "linkedin": linkedin,
            "verify_url": verify_url,
        },
    )


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0
