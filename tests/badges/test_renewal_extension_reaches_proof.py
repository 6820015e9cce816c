"""An extension earned by renewal credits is what employers and wallets see next:
the public lookup shows the later valid-through day, and the next signed credential
carries the later validUntil (the earlier one stays true to its own, shorter end)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from certwright.badges.models import SigningKey
from certwright.badges.services import technician_credentials_issue
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.credentials.models import Certification
from certwright.credentials.recompute import technician_recompute
from certwright.credentials.services import renewal_credit_record
from certwright.rules.dates import add_months, last_valid_day
from certwright.verification.selectors import lookup_answer
from tests.support.badges import certified_candidate

pytestmark = pytest.mark.django_db


def test_eight_credits_move_the_lookup_and_the_next_credential(
    issuer_key: SigningKey,
) -> None:
    # given a technician certified in A1 and the credential their wallet holds
    technician = certified_candidate("Grace Hopper", ("A1",))
    cert = Certification.objects.get(technician=technician, test="A1")
    assert cert.expires_on is not None
    assert cert.passed_on is not None
    before = cert.expires_on
    (first,) = technician_credentials_issue(technician_id=technician.pk)
    assert first.document["validUntil"] == f"{before.isoformat()}T00:00:00Z"
    program = current_program()
    needed = program.renewal.credits_for_extension
    # when, over the following months, one correct renewal answer a month is credited
    with time_machine.travel(add_months(today(), needed + 1), tick=False):
        for n in range(1, needed + 1):
            renewal_credit_record(
                technician_id=technician.pk,
                test="A1",
                date=add_months(cert.passed_on, n),
                source=f"test:{n}",
            )
        technician_recompute(technician_id=technician.pk)
        day = today()
        # then the certification runs extension_months longer
        after = add_months(before, program.renewal.extension_months)
        cert.refresh_from_db()
        assert cert.expires_on == after
        # and the public lookup says so
        answer = lookup_answer(
            technician.certification_id, "Hopper", program=program, on=day
        )
        assert answer is not None
        (line,) = [c for c in answer.certifications if c.test == "A1"]
        assert line.valid_through == last_valid_day(after)
        # and the next credential carries the later end; the first keeps its own
        (second,) = technician_credentials_issue(technician_id=technician.pk)
        assert second.pk != first.pk
        assert second.document["validUntil"] == f"{after.isoformat()}T00:00:00Z"
        first.refresh_from_db()
        assert first.revoked_at is None
        assert after - before >= dt.timedelta(days=365)
