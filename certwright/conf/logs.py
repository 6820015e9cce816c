"""Structured logs: one JSON object per line on stderr, each with its request id.

The request id is set by ``certwright.conf.request_id.RequestIdMiddleware`` in a
context variable (each gunicorn thread has its own context), copied onto every log
record by ``RequestIdFilter``, and written by ``JsonFormatter``. A line an operator
finds in gunicorn's log carries the same id as the ``X-Request-ID`` the browser (or
the TLS proxy's access log) saw.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from contextvars import ContextVar
from typing import Any

# "-" outside a request (commands, the task worker, start-up).
NO_REQUEST = "-"
# Where RequestIdMiddleware also leaves the id: request.META[REQUEST_ID_META].
REQUEST_ID_META = "certwright.request_id"
request_id_var: ContextVar[str] = ContextVar(
    "certwright_request_id", default=NO_REQUEST
)


def current_request_id() -> str:
    """The id of the request this thread is serving, or ``-``."""
    return request_id_var.get()


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record (never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # django.request's records carry the request: its id holds even when
            # the record is written after the middleware has returned (a 404).
            meta = getattr(getattr(record, "request", None), "META", None)
            from_request = meta.get(REQUEST_ID_META) if isinstance(meta, dict) else None
            record.request_id = from_request or request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time, level, logger, message, request id, and
    the traceback (``exc_info``) when there is one.

    django.request's records carry the request and status code; the method, path
    and status are written as fields so a 500 can be found without parsing the
    message. Newlines inside the traceback stay escaped: one record, one line.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        status = getattr(record, "status_code", None)
        if isinstance(status, int):
            entry["status"] = status
        request = getattr(record, "request", None)
        # django.server's records carry a socket here, django.request's an
        # HttpRequest: only the latter has a method and a path.
        method = getattr(request, "method", None)
        path = getattr(request, "path", None)
        if isinstance(method, str) and isinstance(path, str):
            entry["method"] = method
            entry["path"] = path
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
