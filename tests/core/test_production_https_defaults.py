"""With debug off, HTTPS is enforced by default: redirect, HSTS, Secure cookies.

Each default has a variable to adjust it; debug mode (`make run`) turns them off.
"""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from certwright.conf.env import Env
from tests.core.test_settings_env import settings_in_child

NAMES = (
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_PROXY_SSL_HEADER",
)
PRODUCTION = {
    "CERTWRIGHT_SECRET_KEY": "k",
    "CERTWRIGHT_SITE_URL": "https://certs.example.org",
}


def test_production_defaults_enforce_https():
    """Debug off: redirect to HTTPS, a year of HSTS, Secure cookies, no proxy header
    trusted."""
    # when
    child = settings_in_child(PRODUCTION, *NAMES)
    # then
    assert child.returncode == 0, child.stderr
    assert json.loads(child.stdout) == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_debug_mode_serves_plain_http():
    """Debug on (`make run`): no redirect, no HSTS, cookies work over http://."""
    # when
    child = settings_in_child({"CERTWRIGHT_DEBUG": "1"}, *NAMES)
    # then
    assert child.returncode == 0, child.stderr
    values = json.loads(child.stdout)
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["CSRF_COOKIE_SECURE"] is False


def test_each_default_follows_its_variable():
    """The variables adjust the redirect, HSTS, the cookies and the proxy header."""
    # when
    child = settings_in_child(
        {
            **PRODUCTION,
            "CERTWRIGHT_SSL_REDIRECT": "0",
            "CERTWRIGHT_HSTS_SECONDS": "600",
            "CERTWRIGHT_HSTS_INCLUDE_SUBDOMAINS": "0",
            "CERTWRIGHT_HSTS_PRELOAD": "no",
            "CERTWRIGHT_SECURE_COOKIES": "off",
            "CERTWRIGHT_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        },
        *NAMES,
    )
    # then
    assert child.returncode == 0, child.stderr
    assert json.loads(child.stdout) == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


@pytest.mark.parametrize(
    ("name", "value", "read"),
    [
        (
            "CERTWRIGHT_PROXY_SSL_HEADER",
            "X-Forwarded-Proto: https",
            lambda e: e.proxy_ssl_header("CERTWRIGHT_PROXY_SSL_HEADER"),
        ),
        (
            "CERTWRIGHT_HSTS_SECONDS",
            "-1",
            lambda e: e.integer("CERTWRIGHT_HSTS_SECONDS", 0, minimum=0),
        ),
        (
            "CERTWRIGHT_CSP_REPORT_URI",
            "ftp://reports.example.org",
            lambda e: e.url_or_path("CERTWRIGHT_CSP_REPORT_URI", ""),
        ),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(name, value, read):
    """A malformed header name, a negative HSTS age or a report URI that is neither
    a path nor an http(s) URL stops start-up with the variable and value named."""
    with pytest.raises(ImproperlyConfigured) as error:
        read(Env({name: value}))
    assert name in str(error.value)
    assert repr(value) in str(error.value)


def test_the_real_settings_refuse_a_bad_proxy_header():
    """Importing the settings with a malformed CERTWRIGHT_PROXY_SSL_HEADER fails."""
    child = settings_in_child(
        {**PRODUCTION, "CERTWRIGHT_PROXY_SSL_HEADER": "X Forwarded Proto"}, "DEBUG"
    )
    assert child.returncode != 0
    assert "CERTWRIGHT_PROXY_SSL_HEADER='X Forwarded Proto'" in child.stderr


@pytest.fixture
def https_enforced(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return settings


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(client, https_enforced):
    """A page asked for over plain HTTP answers a permanent redirect to https://."""
    # when
    response = client.get("/accounts/login/")
    # then
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"


@pytest.mark.django_db
def test_the_health_check_answers_over_plain_http(client, https_enforced):
    """GET /api/health is not redirected: a monitor may talk to gunicorn directly."""
    # when
    response = client.get("/api/health")
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_the_proxys_header_marks_a_request_as_https(client, https_enforced):
    """Behind the TLS proxy (X-Forwarded-Proto: https) the page is served, with HSTS."""
    # when
    response = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
    # then
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_the_header_is_not_trusted_unless_configured(client, settings):
    """Without CERTWRIGHT_PROXY_SSL_HEADER a client's X-Forwarded-Proto is ignored."""
    # given
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = None
    # when
    response = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
    # then
    assert response.status_code == 301
