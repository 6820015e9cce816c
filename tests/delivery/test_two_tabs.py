"""Two tabs on one attempt cannot corrupt it: their saves are ordered by sequence
number per item, a submit from one tab ends the attempt for both, and a state
change made against an old version of the attempt is refused."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection

from certwright.delivery.attempt_changes import attempt_save_if_unchanged
from certwright.delivery.attempts import attempt_submit
from certwright.delivery.errors import DeliveryError
from certwright.delivery.models import Attempt, AttemptStatus, Response
from tests.support.delivery import SEATS, form_items, save

pytestmark = pytest.mark.django_db


def test_interleaved_saves_from_two_tabs_keep_the_highest_sequence(started, candidate):
    """Tab 1 sends seqs 1, 3, 5 and tab 2 seqs 2, 4, 6 to the same item, delivered
    in a scrambled order: the answer of seq 6 is stored."""
    item = form_items(started)["A1-001"]
    deliveries = [(3, 2), (2, 1), (6, 3), (1, 0), (5, 2), (4, 1)]
    for seq, choice in deliveries:
        save(started, item, seq=seq, choice=choice)
    row = Response.objects.get(attempt=started, form_item=item)
    assert (row.client_seq, row.choice) == (6, 3)


def test_a_submit_in_one_tab_stops_the_other(started, candidate):
    """Tab 1 submits; tab 2's save and submit find the attempt finished: the save
    is refused, the submit is a no-op returning the same result."""
    item = form_items(started)["A1-001"]
    save(started, item, seq=1, choice=0)
    first = attempt_submit(
        attempt_id=started.pk, by=candidate.user, device=SEATS[started.pk]
    )
    with pytest.raises(DeliveryError):
        save(started, item, seq=2, choice=1)
    second = attempt_submit(
        attempt_id=started.pk, by=candidate.user, device=SEATS[started.pk]
    )
    assert second.version == first.version
    assert second.raw_score == first.raw_score == 1


def test_a_change_against_an_old_version_is_refused(started):
    """The optimistic check: a write from a stale copy raises ``stale``."""
    stale = Attempt.objects.get(pk=started.pk)
    fresh = Attempt.objects.get(pk=started.pk)
    fresh.paused_seconds = 5
    attempt_save_if_unchanged(fresh, ["paused_seconds"])
    stale.paused_seconds = 9
    with pytest.raises(DeliveryError) as refused:
        attempt_save_if_unchanged(stale, ["paused_seconds"])
    assert refused.value.code == "stale"
    assert Attempt.objects.get(pk=started.pk).paused_seconds == 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_from_two_threads_end_with_the_highest(started, candidate):
    """Two threads (two tabs on two connections) race 40 saves at one item: the
    row ends with the highest sequence number sent, on SQLite and PostgreSQL."""
    item = form_items(started)["A1-002"]
    errors: list[BaseException] = []

    def send(seq: int) -> None:
        # Like the player, a tab sends a save again when the request failed (the
        # shared in-memory SQLite of the test run refuses a write at once when
        # another connection holds the table, where a file database waits).
        for _attempt in range(50):
            try:
                save(started, item, seq=seq, choice=seq % 4, by=candidate.user)
                return
            except OperationalError:
                time.sleep(0.01)
        raise AssertionError(f"save {seq} never went through")

    def tab(seqs: range) -> None:
        try:
            for seq in seqs:
                send(seq)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=tab, args=(range(1, 40, 2),)),
        threading.Thread(target=tab, args=(range(2, 41, 2),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    row = Response.objects.get(attempt=started, form_item=item)
    assert (row.client_seq, row.choice) == (40, 0)
    assert Attempt.objects.get(pk=started.pk).status == AttemptStatus.IN_PROGRESS
