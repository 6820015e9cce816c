"""The set-based writers store what the ORM would: the same values read back whether
the rows went through ``executemany`` or, on PostgreSQL, ``COPY``."""

from __future__ import annotations

import datetime as dt

import pytest

from certwright.audit.bulk import COPY_THRESHOLD, rows_delete, rows_insert, rows_update
from certwright.audit.models import Event, EventKind

pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=dt.UTC)


@pytest.mark.parametrize("count", [3, COPY_THRESHOLD + 50])
def test_inserted_rows_read_back_as_written(count):
    """Aware datetimes, JSON with dates and text survive both write paths."""
    # given rows of every column type the event log has
    rows = [
        (
            WHEN,
            None,
            "bulk",
            None,
            EventKind.RECOMPUTE_RUN.value,
            f"s:{i}",
            {"i": i, "on": dt.date(2026, 1, i % 28 + 1), "text": "naïve ≤ tab\t"},
            "why\nnot",
        )
        for i in range(count)
    ]
    fields = ("occurred_at", "actor", "actor_label", "technician", "kind", "subject",
              "data", "reason")  # fmt: skip
    # when inserted in bulk
    assert rows_insert(Event, fields, rows) == count
    # then each reads back through the ORM as written
    stored = list(Event.objects.order_by("id"))
    assert len(stored) == count
    last = stored[-1]
    assert last.occurred_at == WHEN
    assert last.data == {
        "i": count - 1,
        "on": dt.date(2026, 1, (count - 1) % 28 + 1).isoformat(),
        "text": "naïve ≤ tab\t",
    }
    assert (last.subject, last.reason) == (f"s:{count - 1}", "why\nnot")


def test_rows_are_updated_and_deleted_by_primary_key():
    """``rows_update`` sets the named columns by id; ``rows_delete`` removes by id."""
    # given three events
    fields = ("occurred_at", "actor_label", "kind", "subject", "data", "reason")
    rows_insert(
        Event, fields, [(WHEN, "x", "recompute.run", f"s{i}", {}, "") for i in range(3)]
    )
    a, b, c = Event.objects.order_by("id")
    # when one is updated and one deleted
    rows_update(Event, ("reason", "data"), [("changed", {"k": 1}, a.pk)])
    rows_delete(Event, [b.pk])
    # then the rest is untouched
    a.refresh_from_db()
    assert (a.reason, a.data) == ("changed", {"k": 1})
    assert list(Event.objects.order_by("id").values_list("id", flat=True)) == [
        a.pk,
        c.pk,
    ]


def test_many_rows_update_with_dates_and_nulls():
    """A multi-row update (one statement per batch on PostgreSQL) sets each row's own
    values, NULLs included."""
    from certwright.candidates.models import Technician
    from certwright.candidates.services import technician_create

    # given three technicians
    techs = [technician_create(name=f"T{i}") for i in range(3)]
    # when each gets its own next change day (one of them none) and versions
    rows_update(
        Technician,
        ("next_change_on", "derived_version"),
        [
            (dt.date(2030, 1, 1), 4, techs[0].pk),
            (None, 5, techs[1].pk),
            (dt.date(2031, 2, 28), 6, techs[2].pk),
        ],
    )
    # then each row holds its own values
    assert list(
        Technician.objects.order_by("id").values_list(
            "next_change_on", "derived_version"
        )
    ) == [(dt.date(2030, 1, 1), 4), (None, 5), (dt.date(2031, 2, 28), 6)]


def test_many_rows_update_with_json_text_and_times():
    """Each column's values travel as one array on PostgreSQL: JSON, text with
    quotes, commas and braces, NULL-free timestamps and empty objects all arrive
    as written, row by row."""
    # given three events
    fields = ("occurred_at", "actor_label", "kind", "subject", "data", "reason")
    rows_insert(
        Event, fields, [(WHEN, "x", "recompute.run", f"s{i}", {}, "") for i in range(3)]
    )
    a, b, c = Event.objects.order_by("id")
    later = WHEN + dt.timedelta(days=1, seconds=1)

    # when
    rows_update(
        Event,
        ("occurred_at", "reason", "data"),
        [
            (later, 'a "quoted", {braced} reason', {"k": [1, "x,y"]}, a.pk),
            (WHEN, "", {}, b.pk),
            (later, "back\\slash ü", {"nested": {"v": None}}, c.pk),
        ],
    )

    # then
    got = list(
        Event.objects.order_by("id").values_list("occurred_at", "reason", "data")
    )
    assert got == [
        (later, 'a "quoted", {braced} reason', {"k": [1, "x,y"]}),
        (WHEN, "", {}),
        (later, "back\\slash ü", {"nested": {"v": None}}),
    ]
