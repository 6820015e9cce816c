"""Demo data for `make run`: one share link for the demo candidate (Priya Raman,
candidate@example.com), so /me/share-links/ and /v/<token> have something to show.
Loading twice adds nothing."""

from __future__ import annotations

from certwright.candidates.models import Technician
from certwright.credentials.demo import CANDIDATE_EMAIL
from certwright.verification.models import ShareLink
from certwright.verification.services import share_link_create

LABEL = "Main Street Auto"


def demo_load() -> str | None:
    """The demo candidate's share link path (``/v/<token>``), made if missing;
    None when the candidate has no technician record yet."""
    technician = (
        Technician.objects.filter(user__email=CANDIDATE_EMAIL).order_by("id").first()
    )
    if technician is None:
        return None
    link = ShareLink.objects.filter(
        technician=technician, label=LABEL, revoked_at__isnull=True
    ).first()
    if link is None:
        link = share_link_create(technician_id=technician.pk, label=LABEL, actor="demo")
    return f"/v/{link.token}"
