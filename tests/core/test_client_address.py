"""Behind the TLS proxy the client's address is the proxy's ``X-Real-IP``, and only
from a proxy listed in CERTWRIGHT_TRUSTED_PROXIES: anyone else's header is ignored."""

from __future__ import annotations

import ipaddress

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from certwright.conf.client_address import PROXY_ADDR_META, ClientAddressMiddleware

PROXIES = [ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.20.0.0/16")]


def seen(peer: str, real_ip: str | None) -> tuple[str, str | None]:
    """(REMOTE_ADDR, proxy address) as the views behind the middleware see them."""
    request = RequestFactory().get("/", REMOTE_ADDR=peer)
    if real_ip is not None:
        request.META["HTTP_X_REAL_IP"] = real_ip
    got: list[HttpRequest] = []

    def view(r: HttpRequest) -> HttpResponse:
        got.append(r)
        return HttpResponse()

    ClientAddressMiddleware(view)(request)
    return got[0].META["REMOTE_ADDR"], got[0].META.get(PROXY_ADDR_META)


@pytest.mark.parametrize(
    ("peer", "real_ip", "expected"),
    [
        # nginx on this host, or the balancer's network: the header is the client
        ("127.0.0.1", "203.0.113.7", ("203.0.113.7", "127.0.0.1")),
        ("10.20.3.4", "2001:db8::5", ("2001:db8::5", "10.20.3.4")),
        ("::ffff:127.0.0.1", "203.0.113.7", ("203.0.113.7", "::ffff:127.0.0.1")),
        # a client connecting directly: whatever it claims, its own address
        ("198.51.100.9", "203.0.113.7", ("198.51.100.9", None)),
        # a trusted proxy without a usable header: the peer stays
        ("127.0.0.1", None, ("127.0.0.1", None)),
        ("127.0.0.1", "203.0.113.7, 10.0.0.1", ("127.0.0.1", None)),
        ("127.0.0.1", "<script>", ("127.0.0.1", None)),
    ],
)
def test_the_client_address_comes_from_a_trusted_proxy_only(peer, real_ip, expected):
    with override_settings(CERTWRIGHT_TRUSTED_PROXIES=PROXIES):
        assert seen(peer, real_ip) == expected


def test_no_proxy_is_trusted_by_default():
    """Unset, the peer is the client even from loopback (a one-process install)."""
    with override_settings(CERTWRIGHT_TRUSTED_PROXIES=[]):
        assert seen("127.0.0.1", "203.0.113.7") == ("127.0.0.1", None)
