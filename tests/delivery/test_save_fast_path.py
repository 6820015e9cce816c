"""The WSGI layer that answers the exam's answer saves before Django's middleware
(certwright/delivery/wsgi.py): a save with a valid save pass is stored by the one
statement and acknowledged with the view's bytes and headers; every save the layer
is not sure of reaches Django, whose answer stands. The real Django application runs
inside the layer; a counter tells which of the two answered."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
import time_machine
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

from certwright.delivery.attempts import attempt_pause
from certwright.delivery.models import Attempt, Response
from certwright.delivery.save_pass import HEADER, MAX_AGE, save_pass_issue
from certwright.delivery.seats import SEAT_COOKIE
from certwright.delivery.wsgi import AnswerSaveLayer
from tests.support.delivery import SEATS, form_items
from tests.support.wsgi import Counting, database_session_dropped

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _hosts(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def seat(client: Any, started: Attempt, candidate: Any) -> Any:
    """The candidate's browser at the workstation, signed in."""
    client.force_login(candidate.user)
    client.cookies[SEAT_COOKIE.format(attempt_id=started.pk)] = SEATS[started.pk]
    # The CSRF cookie the player page set (its secret is also a valid token).
    client.cookies["csrftoken"] = get_random_string(32)
    return client


def polled_pass(client: Any, attempt: Attempt) -> str:
    """The pass the player's state poll gives."""
    body = client.get(reverse("delivery:state", args=[attempt.pk])).json()
    assert body["ok"]
    assert body["save_pass"]
    return str(body["save_pass"])


def save(
    app: Any,
    client: Any,
    attempt: Attempt,
    body: Any,
    *,
    save_pass: str | None = None,
    path: str | None = None,
) -> tuple[int, dict[str, str], dict[str, Any]]:
    """POST the save through ``app`` as the player sends it from ``client``'s
    browser (its cookies, the CSRF header, the pass)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    cookies = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
    csrf = client.cookies.get("csrftoken")
    env: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path or reverse("delivery:save", args=[attempt.pk]),
        "HTTP_HOST": "testserver",
        "HTTP_COOKIE": cookies,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(raw)),
        "wsgi.input": io.BytesIO(raw),
    }
    if csrf is not None:
        env["HTTP_X_CSRFTOKEN"] = csrf.value
    if save_pass is not None:
        env["HTTP_" + HEADER.upper().replace("-", "_")] = save_pass
    setup_testing_defaults(env)
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    out = b"".join(app(env, start_response))
    return int(seen["status"][:3]), seen["headers"], json.loads(out)


def stored(attempt: Attempt, item_id: int) -> tuple[int, int | None] | None:
    row = (
        Response.objects.filter(attempt=attempt, form_item_id=item_id)
        .values_list("client_seq", "choice")
        .first()
    )
    return (row[0], row[1]) if row else None


def warmed(client: Any, attempt: Attempt) -> tuple[AnswerSaveLayer, Counting, str]:
    """A layer that has seen the view answer a save once (the headers it replays),
    and the player's pass."""
    inner = Counting()
    app = AnswerSaveLayer(inner)
    save_pass = polled_pass(client, attempt)
    item = form_items(attempt)["A1-003"]
    status, _h, _b = save(
        app,
        client,
        attempt,
        {"item": item.pk, "choice": 0, "seq": 1},
        save_pass=save_pass,
    )
    assert status == 200
    assert inner.calls == 1
    return app, inner, save_pass


def test_a_save_with_a_pass_is_the_layers_with_the_views_bytes_and_headers(
    seat, started
):
    app, inner, save_pass = warmed(seat, started)
    items = form_items(started)
    # Through Django (no pass) and through the layer: the same answer.
    through_django = save(
        app, seat, started, {"item": items["A1-001"].pk, "choice": 2, "seq": 2}
    )
    assert inner.calls == 2
    through_layer = save(
        app,
        seat,
        started,
        {"item": items["A1-002"].pk, "choice": 2, "seq": 3, "feedback": False},
        save_pass=save_pass,
    )
    assert inner.calls == 2, "the layer answered"
    assert through_layer[0] == through_django[0] == 200
    assert through_layer[2] == {
        **through_django[2],
        "item": items["A1-002"].pk,
        "seq": 3,
    }
    assert stored(started, items["A1-002"].pk) == (3, 2)
    for headers in (through_layer[1], through_django[1]):
        headers.pop("Content-Length"), headers.pop("X-Request-ID")
        headers.pop("Content-Security-Policy", None)
    assert through_layer[1].keys() == through_django[1].keys()
    assert through_layer[1]["Content-Type"] == "application/json"


def test_the_layer_waits_for_the_view_and_can_be_turned_off(seat, started):
    item = form_items(started)["A1-001"]
    save_pass = polled_pass(seat, started)
    inner = Counting()
    app = AnswerSaveLayer(inner, enabled=False)
    for seq in (1, 2):
        body = {"item": item.pk, "choice": 1, "seq": seq}
        assert save(app, seat, started, body, save_pass=save_pass)[0] == 200
    assert inner.calls == 2
    inner = Counting()
    app = AnswerSaveLayer(inner)
    # The first save (no headers learnt yet) is Django's, the next the layer's.
    for seq in (3, 4):
        body = {"item": item.pk, "choice": 1, "seq": seq}
        assert save(app, seat, started, body, save_pass=save_pass)[0] == 200
    assert inner.calls == 1
    assert stored(started, item.pk) == (4, 1)


def _other_session_pass(started: Attempt, candidate: Any) -> str:
    return save_pass_issue(
        attempt_id=started.pk, user_id=candidate.user.pk, session_key="x" * 32
    )


@pytest.mark.parametrize(
    "case",
    [
        "no pass",
        "forged pass",
        "pass of another session",
        "pass of another attempt",
        "not json",
        "a list",
        "an unknown key",
        "practice feedback asked",
        "choice out of range",
        "seq as text",
        "empty body",
    ],
)
def test_what_the_layer_is_not_sure_of_is_djangos(seat, started, candidate, case):
    app, inner, save_pass = warmed(seat, started)
    item = form_items(started)["A1-001"]
    body: Any = {"item": item.pk, "choice": 1, "seq": 5}
    send: str | None = save_pass
    if case == "no pass":
        send = None
    elif case == "forged pass":
        send = save_pass[:-2] + ("AA" if not save_pass.endswith("AA") else "BB")
    elif case == "pass of another session":
        send = _other_session_pass(started, candidate)
    elif case == "pass of another attempt":
        send = save_pass_issue(
            attempt_id=started.pk + 1000,
            user_id=candidate.user.pk,
            session_key=seat.session.session_key,
        )
    elif case == "not json":
        body = b"{item: 1"
    elif case == "a list":
        body = [body]
    elif case == "an unknown key":
        body["extra"] = 1
    elif case == "practice feedback asked":
        body["feedback"] = True
    elif case == "choice out of range":
        body["choice"] = 9
    elif case == "seq as text":
        body["seq"] = "5"
    elif case == "empty body":
        body = b""
    reference = (
        save(get_wsgi_application(), seat, started, body)
        if case
        in (
            "not json",
            "a list",
            "choice out of range",
            "seq as text",
            "empty body",
        )
        else None
    )
    status, _headers, answer = save(app, seat, started, body, save_pass=send)
    assert inner.calls == 2, "Django answered"
    if reference is not None:
        assert (status, answer) == (reference[0], reference[2])
        assert stored(started, item.pk) is None
    else:
        # A save Django takes (the pass is only a shortcut): stored once.
        assert status == 200
        assert answer["applied"] is True
        assert stored(started, item.pk) == (5, 1)


def test_an_expired_pass_goes_to_django(seat, started):
    app, inner, save_pass = warmed(seat, started)
    item = form_items(started)["A1-001"]
    later = timezone.now() + dt.timedelta(seconds=MAX_AGE + 5)
    with time_machine.travel(later, tick=False):
        # (The attempt's clock is far from its deadline: the save is taken.)
        status, _h, answer = save(
            app,
            seat,
            started,
            {"item": item.pk, "choice": 3, "seq": 7},
            save_pass=save_pass,
        )
    assert inner.calls == 2
    assert status == 200
    assert answer["applied"] is True


def test_saves_the_statement_does_not_store_get_djangos_reason(seat, started):
    """An older save, another workstation, an item not on the form, a paused
    attempt: the layer's statement stores nothing and Django says why."""
    app, inner, save_pass = warmed(seat, started)
    items = form_items(started)
    first = {"item": items["A1-001"].pk, "choice": 1, "seq": 10}
    assert save(app, seat, started, first, save_pass=save_pass)[0] == 200
    calls = inner.calls
    # Older: acknowledged with what is stored, not applied.
    status, _h, answer = save(
        app, seat, started, {**first, "choice": 2, "seq": 9}, save_pass=save_pass
    )
    assert (status, answer["applied"], answer["choice"]) == (200, False, 1)
    # An item of no form of this attempt.
    status, _h, answer = save(
        app, seat, started, {**first, "item": 10**9, "seq": 11}, save_pass=save_pass
    )
    assert (status, answer["error"]) == (400, "item")
    # Another browser: the seat cookie is not this workstation's.
    seat.cookies[SEAT_COOKIE.format(attempt_id=started.pk)] = "not-the-seat"
    status, _h, answer = save(
        app, seat, started, {**first, "seq": 12}, save_pass=save_pass
    )
    assert (status, answer["error"]) == (409, "device")
    seat.cookies[SEAT_COOKIE.format(attempt_id=started.pk)] = SEATS[started.pk]
    attempt_pause(attempt_id=started.pk, actor="proctor", reason="fire drill")
    status, _h, answer = save(
        app, seat, started, {**first, "seq": 13}, save_pass=save_pass
    )
    assert status == 409
    assert inner.calls == calls + 4
    assert stored(started, items["A1-001"].pk) == (10, 1)


def test_a_signed_out_session_saves_nothing_through_its_pass(seat, started):
    app, inner, save_pass = warmed(seat, started)
    item = form_items(started)["A1-001"]
    cookies = {k: v.value for k, v in seat.cookies.items()}
    seat.logout()
    # The browser still sends the old cookies: the session is gone.
    for name, value in cookies.items():
        seat.cookies[name] = value
    status, _h, answer = save(
        app,
        seat,
        started,
        {"item": item.pk, "choice": 1, "seq": 5},
        save_pass=save_pass,
    )
    assert inner.calls == 2
    assert (status, answer["error"]) == (401, "signed_out")
    assert stored(started, item.pk) is None


def test_another_candidates_pass_saves_nothing_to_this_attempt(seat, started):
    """A pass names its attempt and user: another signed-in candidate's pass for
    their own session cannot save to this attempt (Django refuses them)."""
    from django.test import Client

    from tests.support.commerce import user_make

    app, inner, _pass = warmed(seat, started)
    other = Client()
    intruder = user_make("intruder@example.com")
    other.force_login(intruder)
    other.cookies[SEAT_COOKIE.format(attempt_id=started.pk)] = SEATS[started.pk]
    other.cookies["csrftoken"] = get_random_string(32)
    forged = save_pass_issue(
        attempt_id=started.pk,
        user_id=intruder.pk,
        session_key=str(other.session.session_key),
    )
    item = form_items(started)["A1-001"]
    status, _h, _answer = save(
        app,
        other,
        started,
        {"item": item.pk, "choice": 1, "seq": 5},
        save_pass=forged,
    )
    assert status in (404, 403, 409)
    assert inner.calls == 2
    assert stored(started, item.pk) is None


def test_a_dropped_database_session_is_replaced_and_the_save_stored_once(seat, started):
    if connection.vendor != "postgresql":
        pytest.skip("a server that drops a session is PostgreSQL's case")
    app, inner, save_pass = warmed(seat, started)
    item = form_items(started)["A1-001"]
    database_session_dropped()
    status, _h, answer = save(
        app,
        seat,
        started,
        {"item": item.pk, "choice": 2, "seq": 5},
        save_pass=save_pass,
    )
    assert (status, answer["applied"]) == (200, True)
    assert inner.calls == 1
    assert stored(started, item.pk) == (5, 2)
