"""Reading the e-mails sent."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import Q

from certwright.audit.personal_data import export_part
from certwright.notifications.models import OutboundAttachment, OutboundEmail


def emails_to(addresses: Collection[str]) -> Q:
    """The e-mails addressed to any of ``addresses`` (compared as written, case
    aside)."""
    match = Q(pk__in=[])
    for address in sorted({a.strip().lower() for a in addresses if a.strip()}):
        # ``to`` is a JSON list; contains on a list works on both backends.
        match |= Q(to__icontains=f'"{address}"')
    return match


def personal_data(addresses: Collection[str]) -> dict[str, list[dict[str, Any]]]:
    """notifications' part of a person's data export: every e-mail sent (or still
    to send) to any of their ``addresses``, and the names of its attachments."""
    emails = OutboundEmail.objects.filter(emails_to(addresses))
    return export_part(
        (emails, {"omit": ("claimed_at",)}),
        (OutboundAttachment.objects.filter(email__in=emails), {"omit": ("content",)}),
    )
