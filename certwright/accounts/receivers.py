"""Signal receivers, connected in AccountsConfig.ready()."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from certwright.accounts.services import candidate_technician_ensure
from certwright.accounts.watch import watch_revocations_send
from certwright.credentials.signals import certifications_changed


@receiver(email_confirmed, dispatch_uid="certwright.accounts.email_confirmed")
def on_email_confirmed(
    sender: Any, request: Any, email_address: EmailAddress, **kwargs: Any
) -> None:
    """A verified candidate gets their technician record and certification ID, both
    when they click the link and when staff mark the address verified."""
    candidate_technician_ensure(user=email_address.user)


@receiver(certifications_changed, dispatch_uid="certwright.accounts.watch_revocations")
def on_certifications_changed(
    sender: Any, technician_id: int, changes: list[dict[str, Any]], **kwargs: Any
) -> None:
    """A recompute revoked a certification: tell the watching employers at once
    (after the recompute committed; nothing is queried unless one was revoked)."""
    watch_revocations_send(technician_id=technician_id, changes=changes)
