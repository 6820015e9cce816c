"""Calling a WSGI application directly, as gunicorn would: for the layers in front
of Django (certwright/wsgi.py), with the real Django application inside them."""

from __future__ import annotations

import io
from typing import Any
from wsgiref.util import setup_testing_defaults

Reply = tuple[str, dict[str, str], bytes]


def wsgi_get(app: Any, path: str, method: str = "GET", **environ: Any) -> Reply:
    """(status line, headers, body) of one request; ``environ`` adds or overrides
    CGI variables (``QUERY_STRING``, ``HTTP_HOST``, ``REMOTE_ADDR``, ...)."""
    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "HTTP_HOST": "testserver",
        "wsgi.input": io.BytesIO(b""),
        **environ,
    }
    setup_testing_defaults(env)
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(app(env, start_response))
    return seen["status"], seen["headers"], body


class Counting:
    """The Django application, counting the requests that reach it (which a layer
    in front of it did not answer itself)."""

    def __init__(self) -> None:
        from django.core.wsgi import get_wsgi_application

        self.app = get_wsgi_application()
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.calls += 1
        return self.app(environ, start_response)


def database_session_dropped() -> None:
    """PostgreSQL ends the session of Django's default connection, as a restart or
    a proxy would: the connection object still looks open; its next statement
    fails."""
    from django.db import connection, connections

    connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
