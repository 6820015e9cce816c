"""The public lookup's answer, as the bytes sent: one function for the two ways in.

``GET /api/verify/{certification_id}?last_name=...`` is answered by the API view
(certwright.verification.api, through Django's middleware and django-ninja, which
documents it in the OpenAPI document) and, in production, by the WSGI layer in front
of Django (certwright.verification.wsgi, for speed). Both send what
``public_lookup`` gives, so they cannot answer differently: the policy check, the
per-client count, the lookup's equal work for every failure and the body are here
once.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from certwright.core.clock import now, today
from certwright.core.problems import MEDIA_TYPE as PROBLEM_MEDIA_TYPE
from certwright.core.problems import problem_body
from certwright.core.program import current_program
from certwright.verification.selectors import (
    Answer,
    lookup_found,
    lookup_key,
    lookup_match,
)
from certwright.verification.services import LookupThrottled, lookup_count_and_read

JSON_MEDIA_TYPE = "application/json; charset=utf-8"
LAST_NAME_MAX = 200


@dataclass(frozen=True, slots=True)
class LookupReply:
    status: int
    body: bytes
    content_type: str
    # Seconds, for the Retry-After header of a 429.
    retry_after: int | None = None


def answer_payload(answer: Answer, answered_at: dt.datetime) -> dict[str, Any]:
    """The answer as the API's ``VerificationOut`` schema has it (same keys, same
    order; dates as ISO 8601 by Django's JSON encoder, as django-ninja renders)."""
    return {
        "name": answer.name,
        "certification_id": answer.certification_id,
        "certifications": [
            {
                "test": c.test,
                "name": c.name,
                "status": c.status,
                "certified_on": c.certified_on,
                "valid_through": c.valid_through,
            }
            for c in answer.certifications
        ],
        "titles": [
            {
                "title_id": t.title_id,
                "name": t.name,
                "status": t.status,
                "since": t.since,
                "until": t.until,
            }
            for t in answer.titles
        ],
        "answered_at": answered_at,
    }


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder).encode()


def _problem(
    status: int, detail: str, code: str, retry_after: int | None = None
) -> LookupReply:
    return LookupReply(
        status,
        _json(problem_body(status, detail, code=code)),
        PROBLEM_MEDIA_TYPE,
        retry_after,
    )


def public_lookup(certification_id: str, last_name: str, *, client: str) -> LookupReply:
    """Answer one public lookup from ``client`` (its address, for the rate limit).

    200 with the technician's certifications and titles; 404 ``no_match`` alike for
    an unknown ID, a wrong last name, a malformed ID and an opted-out technician
    (the same statement runs for each: ``lookup_count_and_read``); 429
    ``too_many_lookups`` with ``retry_after`` past the per-client limit (not
    counted); 404
    ``lookup_off`` when the program offers no public lookup. ``last_name`` is
    1 to ``LAST_NAME_MAX`` characters: the callers refuse anything else as
    invalid input before asking.
    """
    program = current_program()
    if not program.verification.public_lookup:
        return _problem(
            404, _("This program does not offer a public lookup."), "lookup_off"
        )
    try:
        rows = lookup_count_and_read(client, lookup_key(certification_id))
    except LookupThrottled as throttled:
        return _problem(
            429,
            _("Too many lookups from your address. Try again in %(s)d seconds.")
            % {"s": throttled.retry_after},
            "too_many_lookups",
            retry_after=throttled.retry_after,
        )
    found = lookup_found(rows, program=program, on=today())
    answer = lookup_match(found, last_name)
    if answer is None:
        return _problem(
            404, _("No certification matches this ID and last name."), "no_match"
        )
    return LookupReply(200, _json(answer_payload(answer, now())), JSON_MEDIA_TYPE)
