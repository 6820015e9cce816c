"""Experience records are checked before they are stored: the end is not before the
start, dates are neither in the future nor absurdly old, and the kind is one the
program counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from certwright.candidates.models import ExperienceRecord
from certwright.candidates.services import experience_record_add, technician_create
from certwright.core.clock import today

pytestmark = pytest.mark.django_db


@pytest.fixture
def technician():
    return technician_create(name="Erin Cole")


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        (
            {"start": dt.date(2020, 5, 1), "end": dt.date(2020, 4, 30)},
            "end",
            "the end (2020-04-30) is before the start (2020-05-01)",
        ),
        ({"start": dt.date(1921, 1, 1)}, "start", "1921-01-01 is before 1950-01-01"),
        ({"start": today() + dt.timedelta(days=1)}, "start", "is in the future"),
        (
            {"start": dt.date(2020, 1, 1), "end": today() + dt.timedelta(days=30)},
            "end",
            "is in the future",
        ),
        (
            {"start": dt.date(2020, 1, 1), "kind": "hobby"},
            "kind",
            "'hobby' is not one of",
        ),
    ],
)
def test_a_bad_record_is_refused_naming_the_field(technician, kwargs, field, message):
    """Each bad record raises a ValidationError on the offending field; nothing is
    stored."""
    # when a bad record is added
    with pytest.raises(ValidationError) as info:
        experience_record_add(
            technician_id=technician.pk, **{"kind": "employment", **kwargs}
        )
    # then the error names the field and nothing was stored
    assert message in " ".join(info.value.message_dict[field])
    assert not ExperienceRecord.objects.exists()


def test_an_ongoing_record_is_accepted(technician):
    """A record with no end is ongoing and is stored."""
    # when an ongoing record is added
    record = experience_record_add(
        technician_id=technician.pk, kind="employment", start=dt.date(2021, 3, 1)
    )
    # then it is stored, unapproved
    assert (record.end, record.approved) == (None, False)


def test_the_database_refuses_an_end_before_the_start(technician):
    """Even a write around the service cannot store an end before the start."""
    # when a record is saved directly with its end before its start
    with pytest.raises(IntegrityError):
        ExperienceRecord.objects.create(
            technician=technician,
            kind="employment",
            start=dt.date(2020, 5, 1),
            end=dt.date(2020, 1, 1),
        )
