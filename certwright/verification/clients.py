"""Which client a request comes from, for the lookup's rate limit."""

from __future__ import annotations

from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address as the rest of the platform takes it: ``REMOTE_ADDR``.

    The sign-in lock-out (django-axes) reads the same, with its default precedence
    (``REMOTE_ADDR`` only): no ``X-Forwarded-For`` is trusted, because a client can
    write any it likes. Behind a proxy, the proxy (or gunicorn's forwarded-allow-ips)
    must set ``REMOTE_ADDR`` to the client's address.
    """
    return str(request.META.get("REMOTE_ADDR") or "?")[:64]
