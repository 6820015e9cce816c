"""The WSGI layer that answers public lookups before Django's middleware
(certwright/verification/wsgi.py): the same bytes and headers as the API view, the
same count and rate limit, and Django's own answer for whatever the view would
refuse before running (bad input, a wrong host, plain HTTP when HTTPS is required).
The real Django application runs inside it; a counter tells which of the two
answered."""

from __future__ import annotations

import ipaddress
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from certwright.candidates.models import Technician
from certwright.core.clock import today
from certwright.core.metrics import HTTP_REQUESTS
from certwright.verification.selectors import lookups_on
from certwright.verification.wsgi import PublicLookupLayer
from tests.support.verification import certified_technician
from tests.support.wsgi import Counting, Reply, wsgi_get

pytestmark = pytest.mark.django_db(transaction=True)


def call(
    app: Any,
    path: str,
    query: str = "",
    *,
    host: str = "testserver",
    scheme: str = "https",
    remote: str = "192.0.2.10",
) -> Reply:
    return wsgi_get(
        app,
        path,
        QUERY_STRING=query,
        HTTP_HOST=host,
        REMOTE_ADDR=remote,
        **{"wsgi.url_scheme": scheme},
    )


def lookup(app: Any, cert_id: str, last_name: str, **kw: Any) -> Reply:
    return call(
        app, f"/api/verify/{cert_id}", urlencode({"last_name": last_name}), **kw
    )


def without_moment(body: bytes) -> dict[str, Any]:
    data = json.loads(body)
    data.pop("answered_at", None)
    return data


@pytest.fixture(autouse=True)
def _https(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = False
    settings.VERIFY_LOOKUP_LIMIT = 50


@pytest.fixture
def ana() -> Technician:
    return certified_technician("Ana María García", tests=("A1", "A4"), revoked=("A5",))


def test_after_the_view_answered_once_the_layer_answers_the_same(
    ana: Technician,
) -> None:
    inner = Counting()
    app = PublicLookupLayer(inner)
    cases = [
        (ana.certification_id, "garcia"),  # a match
        (ana.certification_id, "Lopez"),  # a wrong name
        ("CW0000000000", "garcia"),  # an unknown ID
        ("not-an-id", "garcia"),  # a malformed ID
    ]
    # Given each case answered by the view (the first request learns its headers)
    by_view = [lookup(app, *case) for case in cases]
    assert inner.calls == 1
    django_first = by_view[0]
    # When the same cases come again, and the first once more through Django alone
    by_layer = [lookup(app, *case) for case in cases]
    plain = [lookup(inner, *case) for case in cases]
    # Then the layer answered them all itself (only the first ever reached Django)
    assert inner.calls == 1 + len(cases)
    for layer, django in zip(by_layer, plain, strict=True):
        assert layer[0] == django[0]
        assert without_moment(layer[2]) == without_moment(django[2])
        same = {k: v for k, v in django[1].items() if k != "X-Request-ID"}
        assert {k: v for k, v in layer[1].items() if k != "X-Request-ID"} == same
        assert layer[1]["X-Request-ID"]
    assert by_layer[0][0] == "200 OK" == django_first[0]
    assert json.loads(by_layer[0][2])["certifications"][0]["test"] == "A1"
    # And every failure is the one "no match"
    assert {json.loads(r[2])["code"] for r in by_layer[1:]} == {"no_match"}
    assert "Content-Security-Policy" in by_layer[1][1]
    assert by_layer[0][1]["Content-Length"] == str(len(by_layer[0][2]))


def test_lookups_are_counted_and_limited_per_client(
    ana: Technician, settings: Any
) -> None:
    settings.VERIFY_LOOKUP_LIMIT = 3
    inner = Counting()
    app = PublicLookupLayer(inner)
    before = lookups_on(today())
    answers = [lookup(app, ana.certification_id, "García") for _ in range(4)]
    # Three counted (the first through Django), the fourth refused with Retry-After
    assert [a[0][:3] for a in answers] == ["200", "200", "200", "429"]
    assert int(answers[3][1]["Retry-After"]) >= 1
    assert json.loads(answers[3][2])["code"] == "too_many_lookups"
    assert answers[3][1]["Content-Type"] == "application/problem+json"
    assert lookups_on(today()) == before + 3
    assert inner.calls == 1
    # Another client has its own count
    assert lookup(app, ana.certification_id, "García", remote="192.0.2.99")[0][:3] == (
        "200"
    )


def test_behind_a_trusted_proxy_each_client_is_counted_on_its_own(
    ana: Technician, settings: Any
) -> None:
    settings.VERIFY_LOOKUP_LIMIT = 2
    settings.CERTWRIGHT_TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    app = PublicLookupLayer(Counting())
    path = f"/api/verify/{ana.certification_id}"
    query = urlencode({"last_name": "García"})

    def via_proxy(client: str) -> str:
        return wsgi_get(
            app, path, QUERY_STRING=query, REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP=client
        )[0][:3]

    # Two clients behind the one proxy: each has its own allowance
    assert [via_proxy("203.0.113.1") for _ in range(3)] == ["200", "200", "429"]
    assert [via_proxy("203.0.113.2") for _ in range(2)] == ["200", "200"]
    # An X-Real-IP from a peer that is no trusted proxy is ignored
    other = wsgi_get(
        app, path, QUERY_STRING=query, REMOTE_ADDR="192.0.2.7", HTTP_X_REAL_IP="1.1.1.1"
    )
    assert other[0][:3] == "200"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "invalid"),
        ("last_name=", "invalid"),
        (urlencode({"last_name": "x" * 201}), "invalid"),
        # Repeated: Django takes the last one, as it always has.
        ("last_name=garcia&last_name=lopez", "no_match"),
    ],
)
def test_input_the_layer_does_not_take_is_djangos(
    ana: Technician, query: str, code: str
) -> None:
    inner = Counting()
    app = PublicLookupLayer(inner)
    lookup(app, ana.certification_id, "García")
    _, _, body = call(app, f"/api/verify/{ana.certification_id}", query)
    assert inner.calls == 2
    assert json.loads(body)["code"] == code


def test_a_wrong_host_is_djangos_400(ana: Technician, settings: Any) -> None:
    inner = Counting()
    app = PublicLookupLayer(inner)
    lookup(app, ana.certification_id, "García")
    assert lookup(app, ana.certification_id, "García", host="evil.example")[0][:3] == (
        "400"
    )
    assert inner.calls == 2


def test_plain_http_is_djangos_redirect(ana: Technician, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    inner = Counting()  # Django's middleware reads the setting when built
    app = PublicLookupLayer(inner)
    lookup(app, ana.certification_id, "García")
    status, headers, _ = lookup(app, ana.certification_id, "García", scheme="http")
    assert status[:3] == "301"
    assert headers["Location"].startswith("https://")
    assert inner.calls == 2


def test_the_layer_is_off_when_disabled(ana: Technician) -> None:
    inner = Counting()
    app = PublicLookupLayer(inner, enabled=False)
    for _ in range(3):
        assert lookup(app, ana.certification_id, "García")[0][:3] == "200"
    assert inner.calls == 3


def test_an_error_is_a_logged_500_problem(
    ana: Technician, monkeypatch: Any, capfd: Any
) -> None:
    inner = Counting()
    app = PublicLookupLayer(inner)
    lookup(app, ana.certification_id, "García")

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("certwright.verification.wsgi.public_lookup", broken)
    status, headers, body = lookup(app, ana.certification_id, "García")
    logged = capfd.readouterr().err
    assert status.startswith("500")
    assert headers["Content-Type"] == "application/problem+json"
    assert json.loads(body)["code"] == "server_error"
    # The traceback with the request's id, as for any error (stderr's logger)
    assert "RuntimeError: the database went away" in logged
    assert headers["X-Request-ID"] in logged
    assert inner.calls == 1


def test_the_layers_answers_are_counted_in_the_metrics(ana: Technician) -> None:
    app = PublicLookupLayer(Counting())
    counter = HTTP_REQUESTS.labels("api:verify", "GET", "2xx")
    before = counter._value.get()
    for _ in range(3):
        lookup(app, ana.certification_id, "García")
    assert counter._value.get() == before + 3


@pytest.fixture
def kept_connections(monkeypatch: Any) -> Any:
    """Persistent, health-checked database connections, as in production
    (CERTWRIGHT_DB_CONN_MAX_AGE > 0), from a fresh connection."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 600)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    connection.close()
    yield connection
    connection.close()


def _statements(app: Any, cert_id: str) -> tuple[Reply, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        reply = lookup(app, cert_id, "García")
    return reply, [q["sql"] for q in queries.captured_queries]


def test_a_lookup_on_a_kept_connection_is_one_round_trip(
    ana: Technician, kept_connections: Any, monkeypatch: Any
) -> None:
    # Django's health check runs its SELECT 1 on the raw connection, past the
    # captured queries: count the checks themselves.
    checks = []
    wrapper = type(connections["default"])
    is_usable = wrapper.is_usable

    def counted(self: Any) -> bool:
        checks.append(1)
        return bool(is_usable(self))

    monkeypatch.setattr(wrapper, "is_usable", counted)
    app = PublicLookupLayer(Counting())
    lookup(app, ana.certification_id, "García")  # Django's answer, learnt
    lookup(app, ana.certification_id, "García")  # the statements prepared
    checks.clear()
    reply, sql = _statements(app, ana.certification_id)
    assert reply[0][:3] == "200"
    assert checks == []
    if connection.vendor == "postgresql":
        # The count and the read in one prepared statement; no health check
        # (SELECT 1) before it: the statement itself is the check.
        assert len(sql) == 1, sql
        assert sql[0].startswith("EXECUTE certwright_lookup_counted")
    else:
        assert len(sql) == 2, sql
        assert "INSERT" in sql[0]


@pytest.mark.parametrize("layer", [True, False], ids=["layer", "django"])
def test_a_kept_connection_the_database_dropped_is_replaced(
    ana: Technician, kept_connections: Any, settings: Any, layer: bool
) -> None:
    """Through the layer (the statement is the check) and through Django alone
    (its health check replaces the session, and the lookup's statement is
    prepared again on the new one)."""
    if connection.vendor != "postgresql":
        pytest.skip("a server that drops a session is PostgreSQL's case")
    import psycopg

    settings.VERIFY_LOOKUP_LIMIT = 100
    app = PublicLookupLayer(Counting(), enabled=layer)
    lookup(app, ana.certification_id, "García")
    assert lookup(app, ana.certification_id, "García")[0][:3] == "200"
    before = lookups_on(today())
    pid = connection.connection.info.backend_pid
    # Given the database ends the session the layer kept (a restart, a proxy)
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    # When the next lookup comes
    status, _headers, body = lookup(app, ana.certification_id, "García")
    # Then it is answered, on a new session, and counted once
    assert status[:3] == "200", body
    assert json.loads(body)["certification_id"] == ana.certification_id
    assert connection.connection.info.backend_pid != pid
    assert lookups_on(today()) == before + 1
