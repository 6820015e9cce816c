"""Technicians with certifications in force (and one revoked, one expired), built
through the services, for the verification tests and anyone who needs a technician
an employer can verify."""

from __future__ import annotations

from collections.abc import Sequence

from certwright.candidates.models import Technician
from certwright.candidates.services import experience_record_add, technician_create
from certwright.credentials.recompute import technician_recompute
from certwright.credentials.services import result_record, revocation_record
from tests.support.dates import ago


def certified_technician(
    name: str = "Ana García",
    *,
    tests: Sequence[str] = ("A1", "A4"),
    revoked: Sequence[str] = (),
    expired: Sequence[str] = (),
    family_name: str | None = None,
    user_id: int | None = None,
    email: str = "",
) -> Technician:
    """A technician with ten years of approved experience and a pass two months
    ago in each of ``tests`` (in force), ``revoked`` (passed, then revoked) and
    ``expired`` (passed seven years ago), recomputed."""
    technician = technician_create(
        name=name, family_name=family_name, user_id=user_id, email=email
    )
    experience_record_add(
        technician_id=technician.pk, kind="employment", start=ago(years=12),
        approved=True,
    )  # fmt: skip
    for test in (*tests, *revoked):
        result_record(
            technician_id=technician.pk, test=test, date=ago(months=2),
            kind="initial", outcome="pass", source="test",
        )  # fmt: skip
    for test in expired:
        result_record(
            technician_id=technician.pk, test=test, date=ago(years=7),
            kind="initial", outcome="pass", source="test",
        )  # fmt: skip
    for test in revoked:
        revocation_record(
            technician_id=technician.pk, test=test, date=ago(months=1),
            reason="Misconduct at the test centre",
        )  # fmt: skip
    technician_recompute(technician_id=technician.pk)
    technician.refresh_from_db()
    return technician
