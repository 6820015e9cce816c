"""When the server does not apply a save (another tab of the workstation's browser
saved the same item with the same or a higher number), the player shows the stored
answer instead of its own, and numbers its next saves above the server's highest,
so they apply."""

from __future__ import annotations

from typing import Any

import pytest

from certwright.delivery.answers import answer_save
from tests.browser.test_exam_player import (
    _player_items,
    _stored,
    _wait_saved,
    exam,  # noqa: F401 (the fixture)
    exam_to_launch,  # noqa: F401 (the fixture it uses)
)
from tests.support.browser import seat_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESENDS_MS = 45_000


def test_a_save_not_applied_shows_the_stored_answer_and_moves_the_counter(
    exam: tuple[Any, Any],  # noqa: F811
) -> None:
    page, attempt = exam
    page.click("#start-button")
    page.wait_for_selector("#item-screen:not([hidden])")
    ids = _player_items(page)
    user = attempt.technician.user
    # (only this workstation may save: the other tab sends this browser's seat
    # cookie)
    token = seat_token(page.context, attempt.pk)
    # given another tab saved the first item as D with number 1 (the number this
    # page will use next) and the second item with number 5
    for item, choice, flagged, seq in ((ids[0], 3, True, 1), (ids[1], 0, False, 5)):
        answer_save(
            attempt_id=attempt.pk,
            form_item_id=item,
            choice=choice,
            flagged=flagged,
            client_seq=seq,
            by=user,
            device=token,
        )
    # when this page answers the first item with B (number 1: not applied). (One
    # click, as a person makes: ``page.check`` re-clicks when the option it clicked
    # is replaced before it looks again, and the player replaces the options at
    # once to show the stored answer, so a second, newer B would apply.)
    page.click("#options input[value='1']")
    # then it shows the stored answer, D and flagged. (On the suite's shared
    # in-memory SQLite a save that meets the player's state poll is refused at once
    # and resent with back-off, 1 + 2 + 4 + 8 s: allow for a few resends.)
    page.wait_for_function(
        "() => document.querySelector(\"#options input[value='3']\").checked",
        timeout=RESENDS_MS,
    )
    assert page.is_checked("#flag")
    _wait_saved(page)
    # and its counter moves above the server's highest number
    page.wait_for_function(
        "key => JSON.parse(localStorage.getItem(key)).seq >= 5",
        arg=f"certwright.attempt.{attempt.pk}",
        timeout=RESENDS_MS,
    )
    # when it answers the second item with C
    page.click("#next-button")
    page.check("#options input[value='2']")
    _wait_saved(page)
    # then that save applies, and the page shows it
    assert _stored(attempt) == {ids[0]: (3, True), ids[1]: (2, False)}
    assert page.is_checked("#options input[value='2']")
