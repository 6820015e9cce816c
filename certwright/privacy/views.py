"""The technician's download of their own data (linked from their account page)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from certwright.candidates.decorators import candidate_required
from certwright.candidates.models import Technician
from certwright.certificates.views import request_actor
from certwright.privacy.export import personal_data_archive

NO_TECHNICIAN = "portal/no_technician.html"


@never_cache
@require_POST
@candidate_required(NO_TECHNICIAN)
def export(request: HttpRequest, technician: Technician) -> HttpResponse:
    # POST: making the archive lays out PDFs and writes an event, which a link
    # prefetched by a browser or a mail scanner should not do.
    archive = personal_data_archive(technician, actor=request_actor(request))
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="my-data-{technician.certification_id}.zip"'
    )
    return response
