"""Signal receivers, connected in DeliveryConfig.ready()."""

from __future__ import annotations

from typing import Any

from certwright.audit.services import Actor
from certwright.commerce.models import EntitlementKind
from certwright.commerce.selectors import has_entitlement
from certwright.delivery.attempts import practice_attempts_end


def end_practice_on_revocation(
    sender: Any, *, technician_id: int, test: str, actor: Actor = None, **kwargs: Any
) -> None:
    """A refund took the practice entitlement: its open practice attempts end (in
    the refund's transaction), so no key or rationale is shown after it."""

    # Another purchase of the same test may still hold the entitlement.
    if has_entitlement(technician_id, test, EntitlementKind.PRACTICE):
        return
    practice_attempts_end(technician_id=technician_id, test=test, actor=actor)
