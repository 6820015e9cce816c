"""The public lookup answered before Django's middleware: a WSGI layer around the app.

``GET /api/verify/{certification_id}?last_name=...`` is what employers' systems call,
and a lookup is small: one counting statement, one read, a few hundred bytes of JSON.
Through Django's middleware stack and django-ninja it cost about 5 ms of CPU
(bench/verify.py), more than half of it the stack itself (sessions, CSRF, messages,
the lock-out, the request's parsing and the schema's validation: none of which an
anonymous GET of this route uses). So each web process answers it here, with the
very function the API view calls (``certwright.verification.lookup.public_lookup``:
the same policy check, the same per-client count and rate limit, the same equal work
for every failure, the same bytes).

What Django's stack would add is added here too (certwright/core/fast_layer.py:
the view's headers replayed, the host and HTTPS checks, the request id, metrics,
signals and errors), and what is particular to the lookup:

- valid input only (a missing, empty, repeated or over-long ``last_name``, or a
  path that is not plain ASCII, goes to Django, whose answer is the documented 422
  or 404), and ``Retry-After`` with a 429;
- the client's address behind a trusted proxy (``X-Real-IP``, as
  certwright.conf.client_address takes it), for the per-client count.

``CERTWRIGHT_VERIFY_FAST_PATH=0`` turns the layer off (every lookup through Django).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

from certwright.conf.client_address import real_client_address
from certwright.core.fast_layer import (
    Answer,
    FastLayer,
    Produce,
    on_a_live_connection,
)
from certwright.core.problems import MEDIA_TYPE as PROBLEM_MEDIA_TYPE
from certwright.verification.lookup import LAST_NAME_MAX, public_lookup

PATH = re.compile(r"^/api/verify/([!-.0-~]{1,64})$")
# The URL name the API view is counted under in the metrics (the ninja route's).
VIEW = "api:verify"


def _last_name(query_string: str) -> str | None:
    """The one ``last_name`` of the query, 1 to LAST_NAME_MAX characters, else
    None (Django answers the request, with its validation error)."""
    try:
        values = parse_qs(
            query_string, keep_blank_values=True, errors="strict", max_num_fields=8
        ).get("last_name")
    except ValueError:
        return None
    if values is None or len(values) != 1:
        return None
    value = values[0]
    return value if 1 <= len(value) <= LAST_NAME_MAX else None


class PublicLookupLayer(FastLayer):
    """WSGI middleware: answers ``GET /api/verify/{id}?last_name=`` with
    ``public_lookup`` once the view has answered it in this process."""

    method, path, view = "GET", PATH, VIEW

    def learnable(self, status: str, headers: list[tuple[str, str]]) -> bool:
        return status[:3] in ("200", "404", "429") and any(
            k.lower() == "content-type"
            and (v.startswith("application/json") or v == PROBLEM_MEDIA_TYPE)
            for k, v in headers
        )

    def producer(self, environ: dict[str, Any], match: re.Match[str]) -> Produce | None:
        last_name = _last_name(environ.get("QUERY_STRING", ""))
        if last_name is None:
            return None
        certification_id = match.group(1)

        def produce() -> Answer:
            # As ClientAddressMiddleware gives it to the view: a trusted
            # proxy's X-Real-IP, else the peer.
            client = real_client_address(environ) or environ.get("REMOTE_ADDR")
            # Repeatable: counted twice at worst (the counter is a rate limit,
            # not a record).
            reply = on_a_live_connection(
                lambda: public_lookup(
                    certification_id, last_name, client=str(client or "?")[:64]
                )
            )
            extra: tuple[tuple[str, str], ...] = ()
            if reply.retry_after is not None:
                extra = (("Retry-After", str(reply.retry_after)),)
            return Answer(reply.status, reply.body, reply.content_type, extra)

        return produce
