"""Outside debug, CERTWRIGHT_SITE_URL is required and must be an absolute http(s) URL.

A production install that forgot it used to mail employers links to
http://127.0.0.1:8000.
"""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from certwright.conf.env import Env
from tests.core.test_settings_env import settings_in_child


def test_without_a_site_url_production_refuses_to_start():
    """Importing the settings with debug off and no CERTWRIGHT_SITE_URL fails."""
    # when
    child = settings_in_child({"CERTWRIGHT_SECRET_KEY": "k"}, "CERTWRIGHT_SITE_URL")
    # then
    assert child.returncode != 0
    assert "CERTWRIGHT_SITE_URL is not set" in child.stderr


def test_debug_mode_falls_back_to_the_local_server():
    """`make run` (debug) needs no site address: links point at runserver."""
    # when
    child = settings_in_child({"CERTWRIGHT_DEBUG": "1"}, "CERTWRIGHT_SITE_URL")
    # then
    assert child.returncode == 0, child.stderr
    assert json.loads(child.stdout)["CERTWRIGHT_SITE_URL"] == "http://127.0.0.1:8000"


def test_the_site_url_reaches_the_settings_without_its_trailing_slash():
    """The configured address is used as given, minus a trailing slash, and
    allauth's links take its scheme."""
    # when
    child = settings_in_child(
        {
            "CERTWRIGHT_SECRET_KEY": "k",
            "CERTWRIGHT_SITE_URL": "https://certs.example.org/certwright/",
        },
        "CERTWRIGHT_SITE_URL",
        "ACCOUNT_DEFAULT_HTTP_PROTOCOL",
    )
    # then
    assert child.returncode == 0, child.stderr
    values = json.loads(child.stdout)
    assert values["CERTWRIGHT_SITE_URL"] == "https://certs.example.org/certwright"
    assert values["ACCOUNT_DEFAULT_HTTP_PROTOCOL"] == "https"


@pytest.mark.parametrize(
    "value",
    [
        "certs.example.org",
        "ftp://certs.example.org",
        "https://",
        "https://certs.example.org:port",
        "https://certs.example.org/?next=/",
        "https://user:pw@certs.example.org",
    ],
)
def test_a_site_url_that_is_not_an_absolute_http_url_is_refused(value):
    """Anything but http(s)://host[:port][/path] is refused, naming the variable."""
    # given
    env = Env({"CERTWRIGHT_SITE_URL": value})
    # when
    with pytest.raises(ImproperlyConfigured) as error:
        env.site_url("CERTWRIGHT_SITE_URL", debug=False, https_only=False)
    # then
    assert "CERTWRIGHT_SITE_URL" in str(error.value)
    assert repr(value) in str(error.value)


def test_plain_http_is_refused_while_https_is_enforced():
    """With the HTTPS redirect on (production's default), an http:// site address
    is refused: its links would carry sign-in tokens in clear text."""
    # when
    child = settings_in_child(
        {
            "CERTWRIGHT_SECRET_KEY": "k",
            "CERTWRIGHT_SITE_URL": "http://certs.example.org",
        },
        "CERTWRIGHT_SITE_URL",
    )
    # then
    assert child.returncode != 0
    assert "CERTWRIGHT_SITE_URL='http://certs.example.org'" in child.stderr
    assert "https://" in child.stderr


def test_plain_http_is_accepted_without_the_redirect():
    """A server on plain HTTP (CERTWRIGHT_SSL_REDIRECT=0) may use an http:// address."""
    # when
    child = settings_in_child(
        {
            "CERTWRIGHT_SECRET_KEY": "k",
            "CERTWRIGHT_SSL_REDIRECT": "0",
            "CERTWRIGHT_SITE_URL": "http://10.0.0.5:8000",
        },
        "CERTWRIGHT_SITE_URL",
    )
    # then
    assert child.returncode == 0, child.stderr
    assert json.loads(child.stdout)["CERTWRIGHT_SITE_URL"] == "http://10.0.0.5:8000"
