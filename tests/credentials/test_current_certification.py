""" "Current certification" has one definition, ``certifications_current``: certified
and ``on`` no later than the last valid day ("valid through", the day before the
rules core's exclusive ``expires_on``), whatever status the last recompute stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from certwright.candidates.models import Technician
from certwright.core.clock import today
from certwright.credentials.models import Certification, CertificationStatus
from certwright.credentials.recompute import technician_recompute
from certwright.credentials.selectors import certifications_current
from tests.support.dates import ago

pytestmark = pytest.mark.django_db


def _current_tests(technician: Technician, on: dt.date) -> list[str]:
    return list(
        certifications_current(on=on)
        .filter(technician=technician)
        .values_list("test", flat=True)
    )


def test_current_through_the_valid_through_day_and_not_after(
    experienced: Technician, record_pass: Callable[..., Any]
) -> None:
    """On its last valid day a certification is current; on ``expires_on`` it is
    not, though the stored row (not yet swept) still says certified."""
    # given
    record_pass(experienced, "A1", ago(months=2))
    technician_recompute(technician_id=experienced.pk)
    stored = Certification.objects.get(technician=experienced, test="A1")
    assert stored.status == CertificationStatus.CERTIFIED
    assert stored.expires_on is not None
    assert stored.valid_through is not None
    last_day = stored.valid_through

    # when
    on_last_day = _current_tests(experienced, last_day)
    on_expiry = _current_tests(experienced, stored.expires_on)

    # then
    assert last_day == stored.expires_on - dt.timedelta(days=1)
    assert on_last_day == ["A1"]
    assert on_expiry == []
    stored.refresh_from_db()
    assert stored.status == CertificationStatus.CERTIFIED


def test_only_a_certified_row_is_current_and_no_end_is_open_ended(
    make_technician: Callable[..., Technician],
) -> None:
    """An open-ended certification (no ``expires_on``) is current; a pass waiting
    for experience, an expired and a revoked one are not, whatever their dates."""
    # given
    technician = make_technician()
    day, later = today(), today() + dt.timedelta(days=400)
    # Derived rows written directly: the rows the selector reads, as a recompute
    # of a program with open-ended certifications would store them.
    for test, status, expires_on in (
        ("A1", CertificationStatus.CERTIFIED, None),
        ("A2", CertificationStatus.PENDING_EXPERIENCE, later),
        ("A3", CertificationStatus.EXPIRED, later),
        ("A4", CertificationStatus.REVOKED, later),
    ):
        Certification.objects.create(
            technician=technician,
            test=test,
            status=status,
            passed_on=day,
            certified_on=day,
            expires_on=expires_on,
            computed_as_of=day,
        )

    # when
    current = _current_tests(technician, day)

    # then
    assert current == ["A1"]
