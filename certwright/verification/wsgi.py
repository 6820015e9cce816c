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

What Django's stack would add is added here too:

- the headers: the layer sends nothing until the view has answered this route once
  in this process (per scheme), and then replays that answer's headers (security
  headers, the content security policy, HSTS) with its own length, type, request id
  and ``Retry-After``;
- the checks that come before a view: an allowed ``Host`` (else Django answers its
  400), the HTTPS redirect (a plain-HTTP request goes to Django when
  ``SECURE_SSL_REDIRECT`` is on), and valid input (a missing, empty, repeated or
  over-long ``last_name``, or a path that is not plain ASCII, goes to Django, whose
  answer is the documented 422 or 404);
- the client's address behind a trusted proxy (``X-Real-IP``, as
  certwright.conf.client_address takes it), for the per-client count;
- the request id (``X-Request-ID``, kept from the proxy when sane), the request's
  count and latency in the Prometheus metrics under the API view's name, the
  ``request_started``/``request_finished`` signals (which close database
  connections past their age or broken), and an uncaught error logged with its
  traceback and answered as a 500 problem.

``CERTWRIGHT_VERIFY_FAST_PATH=0`` turns the layer off (every lookup through Django).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.core import signals
from django.db import InterfaceError, OperationalError, connection
from django.http.request import split_domain_port, validate_host

from certwright.conf.client_address import real_client_address
from certwright.conf.logs import request_id_var
from certwright.conf.request_id import HEADER as REQUEST_ID_HEADER
from certwright.conf.request_id import request_id_for
from certwright.core.metrics import request_observed
from certwright.core.problems import MEDIA_TYPE as PROBLEM_MEDIA_TYPE
from certwright.core.problems import problem_body
from certwright.verification.lookup import LAST_NAME_MAX, LookupReply, public_lookup

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

PATH = re.compile(r"^/api/verify/([!-.0-~]{1,64})$")
# The URL name the API view is counted under in the metrics (the ninja route's).
VIEW = "api:verify"
# Headers that describe one answer, never replayed.
_OWN = {"content-length", "content-type", "retry-after", "set-cookie", "etag"}
_OWN.add(REQUEST_ID_HEADER.lower())
_REASONS = {
    200: "OK",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
}
SERVER_ERROR = "Something went wrong on our side; it has been logged."

logger = logging.getLogger("django.request")


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


def _is_secure(environ: dict[str, Any]) -> bool:
    """As ``HttpRequest.is_secure``: the proxy's header when one is configured,
    else the scheme of the connection."""
    header = settings.SECURE_PROXY_SSL_HEADER
    if header:
        name, value = header
        forwarded = environ.get(name)
        if forwarded is not None:
            return str(forwarded).split(",")[0].strip() == value
    return environ.get("wsgi.url_scheme") == "https"


def _host_allowed(environ: dict[str, Any]) -> bool:
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    domain, _port = split_domain_port(str(host))
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)


def _lookup_on_a_live_connection(
    certification_id: str, last_name: str, client: str
) -> LookupReply:
    """``public_lookup``, checking the database connection by using it.

    A persistent connection is health-checked by Django before its first use in a
    request (``CONN_HEALTH_CHECKS``): one more round trip, which for a lookup was
    about a sixth of the server's work and a third of the database's round trips
    (bench/verify.py). Here the lookup's own statement is the check: when a
    connection kept from an earlier request turns out dead (the database was
    restarted, the proxy dropped it), it is closed and the lookup runs once more on
    a new one, as the health check would have done. A lookup that fails on a
    connection it has just opened fails as any request does. (If the dead
    connection had in fact counted the lookup before dying, the client is counted
    twice for it: the counter is a rate limit, not a record.)"""
    if not connection.settings_dict.get("CONN_HEALTH_CHECKS"):
        return public_lookup(certification_id, last_name, client=client)
    kept = connection.connection is not None
    # Django's check would run before the first statement of this request.
    connection.health_check_done = True  # type: ignore[attr-defined] # (no stub)
    try:
        return public_lookup(certification_id, last_name, client=client)
    except (InterfaceError, OperationalError):
        if not kept:
            raise
    connection.close()
    return public_lookup(certification_id, last_name, client=client)


class PublicLookupLayer:
    """WSGI middleware: answers ``GET /api/verify/{id}?last_name=`` with
    ``public_lookup`` once the view has answered it in this process."""

    def __init__(self, app: WSGIApp, *, enabled: bool = True) -> None:
        self.app = app
        self.enabled = enabled
        # Headers of the view's last answer to this route, by "is HTTPS".
        self.headers: dict[bool, list[tuple[str, str]]] = {}
        self.lock = threading.Lock()

    def __call__(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        match = None
        if self.enabled and environ.get("REQUEST_METHOD") == "GET":
            match = PATH.match(environ.get("PATH_INFO", ""))
        if match is None:
            return self.app(environ, start_response)
        secure = _is_secure(environ)
        headers = self.headers.get(secure)
        last_name = _last_name(environ.get("QUERY_STRING", ""))
        if (
            headers is None
            or last_name is None
            or (settings.SECURE_SSL_REDIRECT and not secure)
            or not _host_allowed(environ)
        ):
            return self.app(environ, self._learning(secure, start_response))
        return self._answer(environ, start_response, match.group(1), last_name, headers)

    def _answer(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        certification_id: str,
        last_name: str,
        headers: list[tuple[str, str]],
    ) -> Iterable[bytes]:
        started = time.perf_counter()
        request_id = request_id_for(environ.get("HTTP_X_REQUEST_ID"))
        token = request_id_var.set(request_id)
        signals.request_started.send(sender=self.__class__, environ=environ)
        try:
            # As ClientAddressMiddleware gives it to the view: a trusted
            # proxy's X-Real-IP, else the peer.
            client = real_client_address(environ) or environ.get("REMOTE_ADDR")
            reply = _lookup_on_a_live_connection(
                certification_id, last_name, str(client or "?")[:64]
            )
            status, body, content_type = reply.status, reply.body, reply.content_type
            retry_after = reply.retry_after
        except Exception:
            logger.exception(
                "Internal Server Error: %s",
                environ.get("PATH_INFO", ""),
                extra={"status_code": 500},
            )
            status, content_type, retry_after = 500, PROBLEM_MEDIA_TYPE, None
            body = json.dumps(problem_body(500, SERVER_ERROR)).encode()
        finally:
            signals.request_finished.send(sender=self.__class__)
            request_id_var.reset(token)
        out = [
            *headers,
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            (REQUEST_ID_HEADER, request_id),
        ]
        if retry_after is not None:
            out.append(("Retry-After", str(retry_after)))
        start_response(f"{status} {_REASONS.get(status, 'Error')}", out)
        request_observed(VIEW, "GET", status, time.perf_counter() - started)
        return [body]

    def _learning(self, secure: bool, start_response: StartResponse) -> StartResponse:
        """start_response that keeps the view's headers for this scheme when the
        view (not an earlier refusal) answered the lookup."""

        def learn(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            kept = [(k, v) for k, v in headers if k.lower() not in _OWN]
            if status[:3] in ("200", "404", "429") and any(
                k.lower() == "content-type"
                and (v.startswith("application/json") or v == PROBLEM_MEDIA_TYPE)
                for k, v in headers
            ):
                with self.lock:
                    self.headers[secure] = kept
            if exc_info is not None:
                return start_response(status, headers, exc_info)
            return start_response(status, headers)

        return learn
