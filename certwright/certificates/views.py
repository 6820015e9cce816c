"""The technician's certificates page and downloads, program staff's download of
any technician's certificate, and the wallet card behind a share link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from certwright.candidates.decorators import candidate_required
from certwright.candidates.models import Technician
from certwright.certificates.models import CertificateFile, DocumentKind
from certwright.certificates.selectors import check_certificates_staff
from certwright.certificates.services import (
    certificate_file_get,
    share_link_wallet_card_get,
    standing_current,
)
from certwright.verification.selectors import share_link_active_by_token

NO_TECHNICIAN = "certificates/no_technician.html"


def request_actor(request: HttpRequest) -> AbstractBaseUser | None:
    """Who asked, for the audit trail of a PDF made on their request."""
    user = request.user
    return user if isinstance(user, AbstractBaseUser) else None


_FILENAMES = {
    DocumentKind.CERTIFICATE: "certificate-{id}.pdf",
    DocumentKind.WALLET_CARD: "wallet-card-{id}.pdf",
}


def _kind(name: str) -> DocumentKind:
    try:
        return DocumentKind(name.replace("-", "_"))
    except ValueError:
        raise Http404 from None


def _pdf_response(made: CertificateFile, technician: Technician) -> HttpResponse:
    response = HttpResponse(bytes(made.pdf), content_type="application/pdf")
    filename = _FILENAMES[DocumentKind(made.kind)].format(
        id=technician.certification_id
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A person's certificate: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_GET
@candidate_required(NO_TECHNICIAN)
def mine(request: HttpRequest, technician: Technician) -> HttpResponse:
    return render(
        request,
        "certificates/mine.html",
        {"technician": technician, "standing": standing_current(technician)},
    )


@require_GET
@candidate_required(NO_TECHNICIAN)
def my_download(
    request: HttpRequest, technician: Technician, kind: str
) -> HttpResponse:
    made = certificate_file_get(
        technician=technician, kind=_kind(kind), actor=request_actor(request)
    )
    if made is None:
        # Nothing in force: the page says so, rather than an empty certificate.
        return redirect("certificates:mine")
    return _pdf_response(made, technician)


@require_GET
@login_required
def staff_download(request: HttpRequest, technician_id: int, kind: str) -> HttpResponse:
    check_certificates_staff(request.user)
    technician = get_object_or_404(Technician, pk=technician_id)
    made = certificate_file_get(
        technician=technician, kind=_kind(kind), actor=request_actor(request)
    )
    if made is None:
        messages.warning(
            request,
            _("%(name)s has no certification in force: there is nothing to print.")
            % {"name": technician.name},
        )
        return redirect("admin:candidates_technician_change", technician.pk)
    return _pdf_response(made, technician)


@require_GET
def share_wallet_card(request: HttpRequest, token: str) -> HttpResponse:
    """The wallet card of the technician who shared this link, for anyone holding
    it (an employer). A revoked or unknown token gets the share-link page's own
    404, so this URL says no more about a token than the page does."""
    link = share_link_active_by_token(token)
    if link is None:
        return render(request, "verification/link_gone.html", status=404)
    made = share_link_wallet_card_get(link=link, actor=request_actor(request))
    if made is None:
        # The link works but nothing is in force: say so, with the way back to the
        # page that shows what there is, rather than an empty card.
        return render(
            request,
            "certificates/share_no_card.html",
            {"share_url": reverse("verification:share_link", args=[token])},
            status=404,
        )
    return _pdf_response(made, link.technician)
