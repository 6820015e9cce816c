"""A request id for every request: the log lines of one request share it.

A sane ``X-Request-ID`` from the client or the TLS proxy (letters, digits and
``._:-``, at most 64 characters) is kept, so the proxy's access log and ours line up;
anything else is replaced by a fresh random id, so a client cannot inject text into
the logs. The id is answered in the ``X-Request-ID`` response header and put on every
log record written while the request is served (certwright.conf.logs).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from certwright.conf.logs import REQUEST_ID_META, request_id_var

HEADER = "X-Request-ID"
SANE = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id_for(incoming: str | None) -> str:
    """The incoming id if it is sane, otherwise a new one."""
    if incoming and SANE.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE, so even the HTTPS redirect and errors in other
    middleware are logged with the id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_for(request.headers.get(HEADER))
        # Also on the request: Django logs a 404 or 403 after the middleware has
        # returned, with the request on the record (RequestIdFilter reads it there).
        request.META[REQUEST_ID_META] = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[HEADER] = request_id
        return response
