"""Reading share links."""

from __future__ import annotations

from django.db.models import QuerySet

from certwright.verification.models import ShareLink


def share_link_active_by_token(token: str) -> ShareLink | None:
    """The link with this token while it is not revoked, else None."""
    if not token or len(token) > 32:
        return None
    return (
        ShareLink.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("technician")
        .first()
    )


def technician_share_links(technician_id: int) -> QuerySet[ShareLink]:
    """The technician's links, newest first, revoked ones included."""
    return ShareLink.objects.filter(technician_id=technician_id)
