"""``certification_in_force`` (the rule for a row already read) and
``certifications_current`` (the same rule as a query) agree on every status and
every end date around the day asked, on the database the suite runs on."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from certwright.credentials.models import Certification, CertificationStatus
from certwright.credentials.selectors import (
    certification_in_force,
    certifications_current,
)

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 15)
ENDS = [None, DAY - dt.timedelta(days=1), DAY, DAY + dt.timedelta(days=1)]


def test_the_row_rule_and_the_query_agree() -> None:
    rows = []
    for n, (status, expires_on) in enumerate(
        itertools.product(CertificationStatus.values, ENDS)
    ):
        rows.append(
            Certification(
                technician_id=1000 + n,
                test="A1",
                status=status,
                certified_on=DAY - dt.timedelta(days=400),
                expires_on=expires_on,
                computed_as_of=DAY,
            )
        )
    Certification.objects.bulk_create(rows)
    for on in (DAY - dt.timedelta(days=1), DAY, DAY + dt.timedelta(days=1)):
        by_query = set(
            certifications_current(on=on).values_list("technician_id", flat=True)
        )
        by_row = {
            c.technician_id
            for c in Certification.objects.all()
            if certification_in_force(status=c.status, expires_on=c.expires_on, on=on)
        }
        assert by_row == by_query
        # Neither is empty nor everything: the cases straddle the rule.
        assert 0 < len(by_query) < len(rows)
