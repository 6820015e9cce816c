"""Status list revalidation answered before Django: a WSGI layer around the app.

Every verifier checks the issuer's status list for every credential it verifies, and
a well-behaved one revalidates its cached copy with ``If-None-Match``: by far the most
frequent request the platform gets from the outside world, and one whose answer is
almost always "304, unchanged". Through Django's middleware stack and one query it
costs about 1.5 ms of CPU (bench/verify.py); answered here it costs gunicorn's own
work. So each web process remembers, per list, the ETag and headers of the last
answer the status list view gave (200 or 304), and for ``ttl`` seconds after that
answer it replies 304 itself to a request naming that ETag. Anything else (no
``If-None-Match``, another ETag, a record older than ``ttl``, another path) goes to
Django, whose answer refreshes the record.

What it costs in freshness: after a revocation, a verifier holding the previous
list may be told "unchanged" for at most ``ttl`` seconds more by each process. The
list is served with ``max-age=60``, which lets every cache between the platform and
the verifier keep it for a minute anyway, so a ``ttl`` of a second or two changes
nothing a verifier can rely on. ``CERTWRIGHT_STATUS_LIST_REVALIDATION_SECONDS=0``
turns the layer off.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

PATH = re.compile(r"^/credentials/status/([0-9]{1,9})$")
# Headers a 304 must not carry (they describe a body), and the request's own id.
_NOT_REPLAYED = {"content-length", "content-type", "x-request-id"}


@dataclass(frozen=True, slots=True)
class _Known:
    etag: str
    headers: list[tuple[str, str]]
    at: float


class StatusListRevalidation:
    """WSGI middleware: a 304 for a status list whose current ETag the view gave
    less than ``ttl`` seconds ago in this process."""

    def __init__(
        self,
        app: WSGIApp,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.ttl = ttl
        self.clock = clock
        self.known: dict[int, _Known] = {}
        self.lock = threading.Lock()

    def __call__(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        match = None
        if self.ttl > 0 and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            match = PATH.match(environ.get("PATH_INFO", ""))
        if match is None:
            return self.app(environ, start_response)
        list_id = int(match.group(1))
        asked = environ.get("HTTP_IF_NONE_MATCH", "")
        known = self.known.get(list_id)
        if (
            known is not None
            and asked
            and self.clock() - known.at < self.ttl
            and known.etag in [t.strip() for t in asked.split(",")]
        ):
            start_response("304 Not Modified", list(known.headers))
            return []

        def learn(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            etag = next((v for k, v in headers if k.lower() == "etag"), None)
            if status[:3] in ("200", "304") and etag:
                kept = [(k, v) for k, v in headers if k.lower() not in _NOT_REPLAYED]
                with self.lock:
                    self.known[list_id] = _Known(etag, kept, self.clock())
            elif status[:3] == "404":
                with self.lock:
                    self.known.pop(list_id, None)
            if exc_info is not None:
                return start_response(status, headers, exc_info)
            return start_response(status, headers)

        return self.app(environ, learn)
