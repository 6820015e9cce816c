"""What the player does when the batch save refuses: an answer refused on its own
for good is dropped with the reason shown and the others of the batch are saved;
a batch refused whole as a bad request is sent again one save at a time, so every
good answer still reaches the server."""

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


def _queue_then_reload(page: Any, attempt: Any, edit: str) -> list[Any]:
    """Answer the first two items with the saves held back, change the queue kept
    in localStorage with the JavaScript ``edit`` (the body of a function of
    ``queue`` and ``first``, the first item's queued save, returning the queue;
    the queue is kept by item, not in the order answered), reload
    (the new page sends the queue it finds) and let the saves through. The
    requests to the save endpoints after the reload."""
    page.route("**/answers/**", lambda route: route.abort())
    page.check("#options input[value='1']")
    page.click("#next-button")
    page.check("#options input[value='2']")
    page.wait_for_selector("#save-status[data-state=offline]")
    key = f"certwright.attempt.{attempt.pk}"
    page.evaluate(
        """([key, edit, items]) => {
            const kept = JSON.parse(localStorage.getItem(key));
            kept.first = items[0];
            const first = kept.queue.find(q => q.item === kept.first);
            kept.queue = (new Function("queue", "first", edit))(kept.queue, first);
            delete kept.first;
            localStorage.setItem(key, JSON.stringify(kept));
        }""",
        [key, edit, _player_items(page)],
    )
    page.reload()
    page.wait_for_selector("#item-screen:not([hidden])")
    saves: list[Any] = []
    page.on(
        "requestfinished",
        lambda request: saves.append(request) if "/answers/" in request.url else None,
    )
    page.unroute("**/answers/**")
    _wait_saved(page)
    return saves


def test_an_answer_refused_alone_is_dropped_and_the_rest_saved(
    exam: tuple[Any, Any],  # noqa: F811
) -> None:
    page, attempt = exam
    page.click("#start-button")
    page.wait_for_selector("#item-screen:not([hidden])")
    ids = _player_items(page)
    # given two queued answers, the first one broken (a choice the server refuses)
    saves = _queue_then_reload(page, attempt, "first.choice = 7; return queue;")
    # then one batch carried both; the good one is saved, the bad one dropped
    batches = [r for r in saves if r.url.endswith("/answers/batch/")]
    assert len(batches) == 1
    assert len(json.loads(batches[0].post_data)["answers"]) == 2
    assert _stored(attempt) == {ids[1]: (2, False)}
    queued = page.evaluate(
        "k => JSON.parse(localStorage.getItem(k)).queue",
        f"certwright.attempt.{attempt.pk}",
    )
    assert queued == []


def test_a_batch_refused_whole_is_sent_one_save_at_a_time(
    exam: tuple[Any, Any],  # noqa: F811
) -> None:
    page, attempt = exam
    page.click("#start-button")
    page.wait_for_selector("#item-screen:not([hidden])")
    ids = _player_items(page)
    # given a queue the server refuses as a batch (an item twice: a broken
    # client), the newer save of the item last
    saves = _queue_then_reload(
        page,
        attempt,
        "const copy = Object.assign({}, first);"
        " copy.seq = Math.max(...queue.map(q => q.seq)) + 1; copy.choice = 3;"
        " return queue.concat([copy]);",
    )
    # then after the refused batch the saves went one at a time, and the stored
    # answers are the newest of each item
    urls = [r.url.rsplit("/exam/", 1)[1] for r in saves]
    assert urls[0] == f"{attempt.pk}/answers/batch/"
    assert saves[0].response().status == 400
    assert set(urls[1:]) == {f"{attempt.pk}/answers/"}
    assert _stored(attempt) == {ids[0]: (3, False), ids[1]: (2, False)}
