"""Answers chosen while the network is down wait in the player's queue; when it
comes back the whole queue goes to the server in one request (the batch save),
the queue empties, and the database holds every answer."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.test_exam_player import (
    _player_items,
    _stored,
    _wait_saved,
    exam,  # noqa: F401 (the fixture)
    exam_to_launch,  # noqa: F401 (the fixture it uses)
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_offline_queue_is_sent_in_one_request_on_reconnect(
    exam: tuple[Any, Any],  # noqa: F811
) -> None:
    page, attempt = exam
    page.click("#start-button")
    page.wait_for_selector("#item-screen:not([hidden])")
    ids = _player_items(page)
    # (the state poll held back: on the suite's shared in-memory SQLite a save
    # that meets it may be refused and resent, and this test counts requests)
    page.route("**/state/**", lambda route: route.abort())
    saves: list[Any] = []
    page.on(
        "request",
        lambda request: saves.append(request) if "/answers/" in request.url else None,
    )
    # given the network drops
    page.context.set_offline(True)
    # when four answers are chosen (one flagged, one changed twice)
    page.check("#options input[value='1']")
    page.click("#next-button")
    page.check("#options input[value='0']")
    page.check("#flag")
    page.click("#next-button")
    page.check("#options input[value='2']")
    page.check("#options input[value='3']")
    page.click("#next-button")
    page.check("#options input[value='1']")
    # then the player keeps them, one queued save per item
    page.wait_for_selector("#save-status[data-state=offline]")
    key = f"certwright.attempt.{attempt.pk}"
    queued = json.loads(page.evaluate("k => localStorage.getItem(k)", key))
    assert sorted(q["item"] for q in queued["queue"]) == sorted(ids[:4])
    assert _stored(attempt) == {}
    attempts_offline = len(saves)
    # when the network returns
    page.context.set_offline(False)
    # then the queue empties
    _wait_saved(page)
    page.wait_for_function(
        "k => JSON.parse(localStorage.getItem(k)).queue.length === 0", arg=key
    )
    # in one request, to the batch save, carrying the four answers
    sent = saves[attempts_offline:]
    assert [r.url.rsplit("/exam/", 1)[1] for r in sent] == [
        f"{attempt.pk}/answers/batch/"
    ]
    body = json.loads(sent[0].post_data)
    assert sorted(a["item"] for a in body["answers"]) == sorted(ids[:4])
    assert sent[0].response().status == 200
    # and the database holds every answer
    assert _stored(attempt) == {
        ids[0]: (1, False),
        ids[1]: (0, True),
        ids[2]: (3, False),
        ids[3]: (1, False),
    }
