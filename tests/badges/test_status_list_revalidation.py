"""The WSGI layer that answers a verifier's revalidation of the status list with 304
before Django, for a few seconds after the view last answered (the real Django app
inside it, a clock the test moves)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application

from certwright.badges.models import SigningKey
from certwright.badges.revalidation import StatusListRevalidation
from certwright.badges.services import technician_credentials_issue
from tests.support.badges import certified_candidate
from tests.support.wsgi import wsgi_get

pytestmark = pytest.mark.django_db(transaction=True)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def call(
    app: Any, path: str, etag: str | None = None, method: str = "GET"
) -> tuple[str, dict[str, str], bytes]:
    if etag is None:
        return wsgi_get(app, path, method)
    return wsgi_get(app, path, method, HTTP_IF_NONE_MATCH=etag)


@pytest.fixture
def listed(issuer_key: SigningKey) -> tuple[str, str]:
    """(the status list's path, a certification ID with a credential on it)."""
    technician = certified_candidate("Grace Hopper")
    doc = technician_credentials_issue(technician_id=technician.pk)[0].document
    path = doc["credentialStatus"]["statusListCredential"].split("testserver", 1)[1]
    return path, technician.certification_id


def test_a_revalidation_is_answered_before_django_while_the_record_is_fresh(
    listed: tuple[str, str], django_assert_num_queries: Any
) -> None:
    path, _ = listed
    clock = Clock()
    app = StatusListRevalidation(get_wsgi_application(), ttl=2, clock=clock)
    # Given the list fetched once through the layer (Django answers, 200)
    status, headers, body = call(app, path)
    assert status.startswith("200")
    etag = headers["ETag"]
    # When a verifier revalidates within the time allowed
    with django_assert_num_queries(0):
        status, again, body = call(app, path, etag)
    # Then 304 from the layer: no query, no body, the list's cache headers kept
    assert status.startswith("304")
    assert body == b""
    assert again["ETag"] == etag
    assert "max-age=60" in again["Cache-Control"]
    assert again["Access-Control-Allow-Origin"] == "*"
    assert "Content-Length" not in again
    # And another ETag goes to Django, which sends the list
    status, _, body = call(app, path, '"1-0-key-0"')
    assert status.startswith("200")
    assert b"BitstringStatusListCredential" in body


def test_after_a_revocation_the_old_etag_is_refused_once_the_record_is_old(
    listed: tuple[str, str],
) -> None:
    path, certification_id = listed
    clock = Clock()
    app = StatusListRevalidation(get_wsgi_application(), ttl=2, clock=clock)
    etag = call(app, path)[1]["ETag"]
    # Given the certification revoked (the list's version moves on)
    call_command("revoke", certification_id, "A1", reason="withdrawn")
    # When a verifier revalidates with the old ETag, within the time allowed
    # Then it may still hear "unchanged" (what the setting trades)
    assert call(app, path, etag)[0].startswith("304")
    # When the record is older than allowed
    clock.now += 2.5
    status, headers, body = call(app, path, etag)
    # Then Django answers with the new list, and the new ETag is what is remembered
    assert status.startswith("200")
    assert headers["ETag"] != etag
    assert b"BitstringStatusListCredential" in body
    assert call(app, path, headers["ETag"])[0].startswith("304")
    assert call(app, path, etag)[0].startswith("200")


def test_zero_turns_it_off_and_other_paths_pass_through(
    listed: tuple[str, str], django_assert_num_queries: Any
) -> None:
    path, _ = listed
    off = StatusListRevalidation(get_wsgi_application(), ttl=0, clock=Clock())
    etag = call(off, path)[1]["ETag"]
    # With the layer off, every revalidation reaches the view (one query)
    with django_assert_num_queries(1):
        assert call(off, path, etag)[0].startswith("304")
    # An unknown list is Django's 404, also asked again
    on = StatusListRevalidation(get_wsgi_application(), ttl=2, clock=Clock())
    assert call(on, "/credentials/status/999", etag)[0].startswith("404")
    assert call(on, path + "/", etag)[0][:3] in ("301", "404")
