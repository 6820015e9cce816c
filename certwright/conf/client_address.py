"""The client's address behind the TLS proxy.

Every part of the platform that counts by address (the sign-in lock-out of
django-axes, the verification lookup limit, the device label a proctor sees) reads
``REMOTE_ADDR`` and nothing else, because a client can write any
``X-Forwarded-For`` it likes. Behind nginx, ``REMOTE_ADDR`` is nginx: every client
would share one lock-out and one lookup allowance. So when the connection comes
from a proxy listed in ``CERTWRIGHT_TRUSTED_PROXIES``, and only then, the address
that proxy puts in ``X-Real-IP`` (overwriting the client's: deploy/nginx) becomes
``REMOTE_ADDR``; the proxy's own address is kept in ``CERTWRIGHT_PROXY_ADDR``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

PROXY_ADDR_META = "CERTWRIGHT_PROXY_ADDR"


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def real_client_address(meta: dict[str, object]) -> str | None:
    """The client's address from a trusted proxy's ``X-Real-IP``; None when the
    peer is no trusted proxy or the header is missing or not one address."""
    proxies = settings.CERTWRIGHT_TRUSTED_PROXIES
    peer = _address(str(meta.get("REMOTE_ADDR") or ""))
    if not proxies or peer is None or not any(peer in net for net in proxies):
        return None
    client = _address(str(meta.get("HTTP_X_REAL_IP") or ""))
    return None if client is None else str(client)


class ClientAddressMiddleware:
    """First in MIDDLEWARE: everything after it sees the client's address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        client = real_client_address(request.META)
        if client is not None:
            request.META[PROXY_ADDR_META] = request.META["REMOTE_ADDR"]
            request.META["REMOTE_ADDR"] = client
        return self.get_response(request)
