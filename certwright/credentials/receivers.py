"""Signal receivers, connected in CredentialsConfig.ready().

Candidates owns experience records and tells of each change (``candidates.signals``);
deriving certifications from them is this app's business.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Any

from django.db import transaction

from certwright import rules
from certwright.candidates.models import REF_EXPERIENCE, Technician
from certwright.candidates.selectors import technician_email
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.credentials.recompute import technician_recompute
from certwright.credentials.selectors import certifications_current, technician_facts
from certwright.credentials.services import recompute_after_commit
from certwright.notifications.services import email_send
from certwright.rules.dates import last_valid_day


def recompute_on_facts_changed(
    sender: Any, *, technician_id: int, **kwargs: Any
) -> None:
    """An experience record was added, corrected or approved: the same recompute
    after commit as for any other fact."""
    recompute_after_commit(technician_id)


def certifications_on_experience_approved(
    sender: Any, *, record_id: int, technician_id: int, **kwargs: Any
) -> None:
    """Which of the technician's passes were waiting only on experience before this
    approval, worked out in the approving transaction (the facts as they stood: this
    record not yet approved); after commit the technician is recomputed at once (the
    enqueued task then finds nothing to do) and told of each one now certified."""
    facts = technician_facts(technician_id)
    ref = f"{REF_EXPERIENCE}:{record_id}"
    before_facts = dataclasses.replace(
        facts,
        experience=tuple(
            dataclasses.replace(e, approved=False) if e.ref == ref else e
            for e in facts.experience
        ),
    )
    before = rules.evaluate(current_program(), before_facts, today(), explain=False)
    pending = sorted(
        code
        for code, state in before.certifications.items()
        if state.status == "pending_experience"
    )
    transaction.on_commit(
        partial(_recompute_and_announce, technician_id=technician_id, pending=pending)
    )


def _recompute_and_announce(*, technician_id: int, pending: list[str]) -> None:
    technician_recompute(technician_id=technician_id)
    certified = list(
        certifications_current(on=today())
        .filter(technician_id=technician_id, test__in=pending)
        .order_by("test")
    )
    if not certified:
        return
    technician = Technician.objects.select_related("user").get(pk=technician_id)
    to = technician_email(technician)
    if not to:
        return
    program = current_program()
    email_send(
        to=to,
        template="certification_granted",
        context={
            "technician": technician,
            "certifications": [
                {
                    "test": c.test,
                    "name": program.tests[c.test].name
                    if c.test in program.tests
                    else c.test,
                    "certified_on": c.certified_on,
                    "expires_on": c.expires_on,
                    "valid_through": last_valid_day(c.expires_on),
                }
                for c in certified
            ],
        },
    )
