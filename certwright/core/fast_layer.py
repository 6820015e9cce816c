"""What a WSGI layer that answers a hot route before Django's middleware must still
do as Django would: the base of the public lookup's layer
(certwright/verification/wsgi.py) and the answer save's (certwright/delivery/wsgi.py).

A layer answers only requests it is sure of and hands every other one to Django,
whose answer is the reference. What Django's stack would add, it adds too:

- the headers: nothing is answered until the view has answered the route once in
  this process (per scheme), and then that answer's headers (security headers, the
  content security policy, HSTS) are replayed with the layer's own length, type and
  request id;
- the checks that come before a view: an allowed ``Host`` (else Django answers its
  400) and the HTTPS redirect (a plain-HTTP request goes to Django when
  ``SECURE_SSL_REDIRECT`` is on);
- the request id (``X-Request-ID``, kept from the proxy when sane), the request's
  count and latency in the Prometheus metrics under the view's URL name, the
  ``request_started``/``request_finished`` signals (which close database
  connections past their age or broken), and an uncaught error logged with its
  traceback and answered as a 500 problem;
- the database connection's health check, done by the layer's own statement
  (``on_a_live_connection``).
"""

from __future__ import annotations

import io
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core import signals
from django.db import InterfaceError, OperationalError, connection
from django.http.request import split_domain_port, validate_host

from certwright.conf.logs import request_id_var
from certwright.conf.request_id import HEADER as REQUEST_ID_HEADER
from certwright.conf.request_id import request_id_for
from certwright.core.metrics import request_observed
from certwright.core.problems import MEDIA_TYPE as PROBLEM_MEDIA_TYPE
from certwright.core.problems import problem_body

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
T = TypeVar("T")

# Headers that describe one answer, never replayed.
OWN_HEADERS = frozenset(
    {
        "content-length",
        "content-type",
        "retry-after",
        "set-cookie",
        "etag",
        "location",
        REQUEST_ID_HEADER.lower(),
    }
)
REASONS = {
    200: "OK",
    302: "Found",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
}
SERVER_ERROR = "Something went wrong on our side; it has been logged."

logger = logging.getLogger("django.request")


def is_secure(environ: dict[str, Any]) -> bool:
    """As ``HttpRequest.is_secure``: the proxy's header when one is configured,
    else the scheme of the connection."""
    header = settings.SECURE_PROXY_SSL_HEADER
    if header:
        name, value = header
        forwarded = environ.get(name)
        if forwarded is not None:
            return str(forwarded).split(",")[0].strip() == value
    return environ.get("wsgi.url_scheme") == "https"


def host_allowed(environ: dict[str, Any]) -> bool:
    """As ``HttpRequest.get_host``'s check against ``ALLOWED_HOSTS``."""
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    domain, _port = split_domain_port(str(host))
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)


def request_body(environ: dict[str, Any], limit: int) -> bytes | None:
    """The request's body, when its length is given and at most ``limit`` bytes
    (else None: Django answers, with its own bounds). The body stream is replaced
    by a copy, so Django can still read it when the layer hands the request on."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    if not 0 < length <= limit:
        return None
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body if len(body) == length else None


def on_a_live_connection(call: Callable[[], T]) -> T:
    """``call()``, checking the database connection by using it.

    A persistent connection is health-checked by Django before its first use in a
    request (``CONN_HEALTH_CHECKS``): one more round trip, which for a small request
    is a large share of the server's and the database's work (bench/verify.py).
    Here the call's own statement is the check: when a connection kept from an
    earlier request turns out dead (the database was restarted, the proxy dropped
    it), it is closed and the call runs once more on a new one, as the health check
    would have done. A call that fails on a connection it has just opened fails as
    any request does. So ``call`` must be safe to repeat: its statement may have
    been carried out before the connection died.
    """
    if not connection.settings_dict.get("CONN_HEALTH_CHECKS"):
        return call()
    kept = connection.connection is not None
    # Django's check would run before the first statement of this request.
    connection.health_check_done = True  # type: ignore[attr-defined] # (no stub)
    try:
        return call()
    except (InterfaceError, OperationalError):
        if not kept:
            raise
    connection.close()
    return call()


@dataclass(frozen=True, slots=True)
class Answer:
    """What a layer answers: its status, body and type, and any header of its own."""

    status: int
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()


Produce = Callable[[], Answer | None]


class FastLayer:
    """WSGI middleware answering one route itself once the view has answered it in
    this process. Subclasses name the route (``method``, ``path``, the view's URL
    name ``view``), say how a request of it is answered here (``producer``) and
    which of the view's answers teach the headers (``learnable``); every other
    request goes to Django."""

    method: str
    path: re.Pattern[str]
    view: str

    def __init__(self, app: WSGIApp, *, enabled: bool = True) -> None:
        self.app = app
        self.enabled = enabled
        # Headers of the view's last answer to this route, by "is HTTPS".
        self.headers: dict[bool, list[tuple[str, str]]] = {}
        self.lock = threading.Lock()

    def learnable(self, status: str, headers: list[tuple[str, str]]) -> bool:
        """Whether the view's answer (``status``, ``headers``) is one to copy."""
        raise NotImplementedError

    def producer(self, environ: dict[str, Any], match: re.Match[str]) -> Produce | None:
        """What answers this request of the route here (called when Django's checks
        before the view would pass), or None: Django answers it. What it produces
        may be None too, when it turns out to be Django's after all."""
        raise NotImplementedError

    def __call__(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        match = None
        if self.enabled and environ.get("REQUEST_METHOD") == self.method:
            match = self.path.match(environ.get("PATH_INFO", ""))
        if match is None:
            return self.app(environ, start_response)
        headers = self.ready(environ)
        produce = self.producer(environ, match) if headers is not None else None
        if headers is None or produce is None:
            return self.to_django(environ, start_response)
        return self.serve(environ, start_response, headers=headers, produce=produce)

    def ready(self, environ: dict[str, Any]) -> list[tuple[str, str]] | None:
        """The headers to replay when this request may be answered here (Django's
        checks before a view would pass and the view has answered once), else
        None: Django answers it."""
        secure = is_secure(environ)
        headers = self.headers.get(secure)
        if (
            headers is None
            or (settings.SECURE_SSL_REDIRECT and not secure)
            or not host_allowed(environ)
        ):
            return None
        return headers

    def to_django(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        """The request answered by Django, learning the view's headers."""
        return self.app(environ, self._learning(is_secure(environ), start_response))

    def serve(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        *,
        headers: list[tuple[str, str]],
        produce: Produce,
    ) -> Iterable[bytes]:
        """``produce()``'s answer with the replayed ``headers``, counted under the
        view's URL name; when it returns None, Django answers the request."""
        started = time.perf_counter()
        request_id = request_id_for(environ.get("HTTP_X_REQUEST_ID"))
        token = request_id_var.set(request_id)
        signals.request_started.send(sender=self.__class__, environ=environ)
        answer: Answer | None
        try:
            answer = produce()
        except Exception:
            logger.exception(
                "Internal Server Error: %s",
                environ.get("PATH_INFO", ""),
                extra={"status_code": 500},
            )
            answer = Answer(
                500,
                json.dumps(problem_body(500, SERVER_ERROR)).encode(),
                PROBLEM_MEDIA_TYPE,
            )
        finally:
            signals.request_finished.send(sender=self.__class__)
            request_id_var.reset(token)
        if answer is None:
            return self.to_django(environ, start_response)
        out = [
            *headers,
            ("Content-Type", answer.content_type),
            ("Content-Length", str(len(answer.body))),
            (REQUEST_ID_HEADER, request_id),
            *answer.headers,
        ]
        start_response(f"{answer.status} {REASONS.get(answer.status, 'Error')}", out)
        request_observed(
            self.view,
            str(environ.get("REQUEST_METHOD", "")),
            answer.status,
            time.perf_counter() - started,
        )
        return [answer.body]

    def _learning(self, secure: bool, start_response: StartResponse) -> StartResponse:
        """start_response that keeps the view's headers for this scheme when the
        view (not an earlier refusal) answered the route."""

        def learn(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            if self.learnable(status, headers):
                kept = [(k, v) for k, v in headers if k.lower() not in OWN_HEADERS]
                with self.lock:
                    self.headers[secure] = kept
            if exc_info is not None:
                return start_response(status, headers, exc_info)
            return start_response(status, headers)

        return learn
