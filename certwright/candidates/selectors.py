"""Reading technicians."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from certwright.candidates.ids import certification_id_normalize
from certwright.candidates.models import Technician


def technician_get_by_certification_id(text: str) -> Technician | None:
    """The technician with this certification ID as a person would type it."""
    normalized = certification_id_normalize(text)
    if normalized is None:
        return None
    return Technician.objects.filter(certification_id=normalized).first()


def technician_ids_by_certification_id(texts: set[str]) -> dict[str, int]:
    """Canonical certification ID -> technician id, for the IDs that exist."""
    wanted = {n for n in (certification_id_normalize(t) for t in texts) if n}
    found: dict[str, int] = {}
    ordered = sorted(wanted)
    # Batches keep each query under every backend's bound-parameter limit.
    for start in range(0, len(ordered), 5000):
        batch = ordered[start : start + 5000]
        found.update(
            Technician.objects.filter(certification_id__in=batch).values_list(
                "certification_id", "id"
            )
        )
    return found


def technician_search(query: str) -> QuerySet[Technician]:
    """Technicians whose certification ID, name or e-mail matches ``query``."""
    query = query.strip()
    normalized = certification_id_normalize(query)
    match = Q(name__icontains=query) | Q(email__iexact=query)
    if normalized:
        match |= Q(certification_id=normalized)
    return Technician.objects.filter(match).order_by("id")
