"""An older save that reaches the server after a newer one (a retry overtaken by
the next answer) never overwrites the newer answer."""

from __future__ import annotations

import pytest

from certwright.delivery.models import Response
from tests.support.delivery import form_items, save

pytestmark = pytest.mark.django_db


def test_an_older_save_arriving_late_is_acknowledged_without_overwriting(
    started, candidate
):
    """Seq 9 (choice D) then seq 8 (choice B): D stays, and the late save's ack
    reports the stored D with seq 9."""
    item = form_items(started)["A1-001"]
    # given the newer answer arrived first
    save(started, item, seq=9, choice=3, flagged=True)
    # when the older one arrives
    late = save(started, item, seq=8, choice=1)
    # then it is acknowledged with what is stored, and nothing changed
    assert not late.applied
    assert (late.choice, late.flagged, late.client_seq) == (3, True, 9)
    row = Response.objects.get(attempt=started, form_item=item)
    assert (row.choice, row.flagged, row.client_seq) == (3, True, 9)


def test_sequence_numbers_are_per_item(started, candidate):
    """A high sequence number on one item does not block a lower one on another
    item that has no answer yet."""
    items = form_items(started)
    # given item 1 saved with seq 50
    save(started, items["A1-001"], seq=50, choice=0)
    # when item 2 is saved with seq 10
    ack = save(started, items["A1-002"], seq=10, choice=1)
    # then it is applied
    assert ack.applied
    assert Response.objects.filter(attempt=started).count() == 2
