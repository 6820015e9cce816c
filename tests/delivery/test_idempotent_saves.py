"""A save is idempotent per (attempt, item): sending the same save again changes
nothing and is acknowledged with what is stored."""

from __future__ import annotations

import pytest

from certwright.delivery.models import Response
from tests.support.delivery import form_items, save

pytestmark = pytest.mark.django_db


def test_a_replayed_save_is_acknowledged_and_stores_one_row(started, candidate):
    """The same save twice (a retry after a lost acknowledgement) leaves one row
    with the answer, and the replay says it was not applied again."""
    item = form_items(started)["A1-001"]
    # given an answer saved with sequence number 1
    first = save(started, item, seq=1, choice=2)
    # when the same save arrives again
    again = save(started, item, seq=1, choice=2)
    # then the first was applied, the replay acknowledged with the stored answer
    assert first.applied
    assert not again.applied
    assert (again.choice, again.client_seq) == (2, 1)
    # then exactly one row holds the answer
    rows = Response.objects.filter(attempt=started)
    assert [(r.form_item_id, r.choice, r.client_seq) for r in rows] == [(item.pk, 2, 1)]


def test_a_higher_sequence_number_changes_the_answer_and_can_clear_it(
    started, candidate
):
    """A later save (higher client_seq) replaces the answer; choice None clears it
    and keeps the flag."""
    item = form_items(started)["A1-002"]
    # given an answer
    save(started, item, seq=3, choice=0)
    # when the candidate changes it, then clears it and flags the item
    save(started, item, seq=4, choice=3)
    ack = save(started, item, seq=5, choice=None, flagged=True)
    # then the stored answer is the last one
    assert ack.applied
    row = Response.objects.get(attempt=started, form_item=item)
    assert (row.choice, row.flagged, row.client_seq) == (None, True, 5)


def test_a_save_is_one_statement(started, candidate, django_assert_num_queries):
    """The hot path: an applied save is a single database statement."""
    item = form_items(started)["A1-003"]
    # when a new answer is saved
    with django_assert_num_queries(1):
        ack = save(started, item, seq=7, choice=1, by=candidate.user)
    # then it was applied
    assert ack.applied
