"""Signal receivers, connected in AccountsConfig.ready()."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from certwright.accounts.services import candidate_technician_ensure
from certwright.accounts.watch import watch_revocations_send
from certwright.core.metrics import LOCKOUTS, LOGINS
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
    sender: Any, changes: dict[int, list[dict[str, Any]]], **kwargs: Any
) -> None:
    """A recompute revoked a certification: tell the watching employers at once
    (after the recompute committed; nothing is queried unless one was revoked)."""
    for technician_id, rows in changes.items():
        watch_revocations_send(technician_id=technician_id, changes=rows)


@receiver(user_logged_in, dispatch_uid="certwright.accounts.metrics.logged_in")
def count_login(sender: Any, **kwargs: Any) -> None:
    """Every session started, by the sign-in form or after a confirmation link."""
    LOGINS.labels("succeeded").inc()


@receiver(user_login_failed, dispatch_uid="certwright.accounts.metrics.login_failed")
def count_failed_login(sender: Any, **kwargs: Any) -> None:
    """A wrong password or an unknown account (the credentials are not looked at)."""
    LOGINS.labels("failed").inc()


@receiver(user_locked_out, dispatch_uid="certwright.accounts.metrics.locked_out")
def count_lockout(sender: Any, **kwargs: Any) -> None:
    """django-axes refused a sign-in: the failure that reached the limit, or an
    attempt while the pause lasts."""
    LOCKOUTS.inc()
