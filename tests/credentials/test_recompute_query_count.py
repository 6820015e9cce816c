"""Recomputing one technician takes a handful of queries, however many facts."""

from __future__ import annotations

import pytest

from certwright.credentials.recompute import technician_recompute
from certwright.credentials.services import renewal_credit_record
from tests.support.dates import ago

pytestmark = pytest.mark.django_db

A_TESTS = ("A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8")


@pytest.fixture
def busy(experienced, record_pass):
    """A master technician with passes, a failure, recertifications and credits."""
    for i, test in enumerate(A_TESTS):
        record_pass(experienced, test, ago(years=7, days=i))
        record_pass(experienced, test, ago(years=2, days=i), kind="recert")
    record_pass(experienced, "A9", ago(months=3), outcome="fail")
    # Seven: an eighth would complete an extension, which renewal_credit_record
    # derives at once, and the technician would no longer be underived.
    for month in range(1, 8):
        renewal_credit_record(
            technician_id=experienced.pk, test="A1", date=ago(months=month)
        )
    return experienced


def test_a_first_recompute_writes_everything_in_few_queries(
    busy, django_assert_max_num_queries
):
    """Deriving eight certifications and a title from scratch: the locking read,
    four fact reads, two derived reads, two inserts, one technician update and one
    event insert (plus the savepoint pair of the test's transaction)."""
    # when the technician is derived for the first time
    with django_assert_max_num_queries(13):
        changed = technician_recompute(technician_id=busy.pk)
    # then it changed something
    assert changed is True


def test_a_recompute_with_nothing_new_only_reads(busy, django_assert_max_num_queries):
    """With nothing new, a recompute is the locking read and six reads (plus the
    savepoint pair)."""
    # given derived state
    technician_recompute(technician_id=busy.pk)
    # when recomputed again
    with django_assert_max_num_queries(9):
        changed = technician_recompute(technician_id=busy.pk)
    # then nothing changed
    assert changed is False
