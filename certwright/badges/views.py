"""The DID document, the status list credential and a technician's downloads."""

from __future__ import annotations

import json
import uuid as uuid_lib

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from certwright.badges.keys import SigningKeyError
from certwright.badges.models import StatusList
from certwright.badges.selectors import (
    credential_filename,
    credential_owned,
    did_document,
    status_list_current_etag,
    status_list_etag_of,
)
from certwright.badges.services import status_list_signed, technician_credentials_issue
from certwright.candidates.decorators import candidate_required
from certwright.candidates.models import Technician

NO_TECHNICIAN = "candidates/no_technician.html"
JSON_LD = "application/json"


@require_GET
def did_json(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(did_document(), content_type="application/did+json")
    patch_cache_control(response, public=True, max_age=300)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _status_list_response(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    # Verifiers check status on every credential they see: let caches hold the list
    # briefly and revalidate cheaply.
    patch_cache_control(response, public=True, max_age=60, must_revalidate=True)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _if_none_match(request: HttpRequest, etag: str) -> bool:
    tags = request.headers.get("If-None-Match", "").split(",")
    return etag in [t.strip() for t in tags]


@require_GET
def status_list(request: HttpRequest, list_id: int) -> HttpResponse:
    # The usual request, a verifier revalidating its copy: one query, nothing loaded.
    current = status_list_current_etag(list_id)
    if current is not None and _if_none_match(request, current):
        return _status_list_response(HttpResponse(status=304), current)
    if not StatusList.objects.filter(pk=list_id).exists():
        raise Http404
    try:
        lst = status_list_signed(list_id)
    except SigningKeyError as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain")
    etag = status_list_etag_of(lst.pk, lst.version, lst.signed_key)
    if _if_none_match(request, etag):
        return _status_list_response(HttpResponse(status=304), etag)
    body = json.dumps(lst.signed, sort_keys=True, separators=(",", ":")).encode()
    return _status_list_response(
        HttpResponse(body, content_type="application/vc+ld+json"), etag
    )


@candidate_required(NO_TECHNICIAN)
def my_credentials(request: HttpRequest, technician: Technician) -> HttpResponse:
    try:
        # The portal's own reads issue credentials first asked for: the system
        # issues, the technician only asked.
        credentials = technician_credentials_issue(technician_id=technician.pk)
        unavailable = False
    except SigningKeyError:
        credentials, unavailable = [], True
    return render(
        request,
        "badges/my_credentials.html",
        {"credentials": credentials, "unavailable": unavailable},
    )


@candidate_required(NO_TECHNICIAN)
def credential_download(
    request: HttpRequest, technician: Technician, uuid: uuid_lib.UUID
) -> HttpResponse:
    cred = credential_owned(technician_id=technician.pk, uuid=str(uuid))
    if cred is None:
        raise Http404
    response = HttpResponse(cred.document_json, content_type=JSON_LD)
    response["Content-Disposition"] = (
        f'attachment; filename="{credential_filename(cred)}"'
    )
    return response
