"""Writes: item statistics from the psychometrics, kept on each item version.

``ItemVersion.stats`` holds what the latest analysis said of a version: classical
statistics (``p``, ``rpb``, ``n``, the group-scale 2PL ``a``/``b``, the ``run`` that
computed them) and, once calibrated onto the bank's scale, ``irt_model``, ``irt_a``,
``irt_b`` (read by form assembly and used as anchors by later calibrations and
equating). Statistics are not content: recording them on a frozen version is allowed,
and keys not named are kept (a synthetic item's ``sim_a``/``sim_b`` stay).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from certwright.audit.models import EventKind
from certwright.audit.services import Actor, EventDraft, events_record_bulk
from certwright.itembank.models import ItemVersion
from certwright.itembank.services import ItemBankError

StatValue = float | int | str | bool | None


def _checked(version_id: int, values: Mapping[str, Any]) -> dict[str, StatValue]:
    out: dict[str, StatValue] = {}
    for name, value in values.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ItemBankError(
                "stats",
                _("Statistic %(name)s of item version %(id)d is not a number.")
                % {"name": name, "id": version_id},
            )
        if value is not None and not isinstance(value, float | int | str | bool):
            raise ItemBankError(
                "stats",
                _("Statistic %(name)s of item version %(id)d is not a plain value.")
                % {"name": name, "id": version_id},
            )
        out[str(name)] = value
    return out


@transaction.atomic
def item_stats_record(
    *,
    stats: Mapping[int, Mapping[str, Any]],
    actor: Actor = None,
    reason: str = "",
) -> int:
    """Merge ``stats`` (version id → name → value) into each version's statistics,
    with one ``item.stats_recorded`` event per version holding the values before and
    after. All or nothing: an unknown version or a value that is not a finite number
    or plain text refuses the lot. Returns the number of versions written."""
    checked = {vid: _checked(vid, values) for vid, values in stats.items()}
    if not checked:
        return 0
    # Lock order of the item bank: item version rows in id order.
    versions = list(
        ItemVersion.objects.select_for_update()
        .filter(pk__in=sorted(checked))
        .select_related("item")
        .order_by("pk")
    )
    missing = sorted(set(checked) - {v.pk for v in versions})
    if missing:
        raise ItemBankError(
            "missing",
            _("No item version with id %(ids)s.")
            % {"ids": ", ".join(str(i) for i in missing)},
        )
    drafts: list[EventDraft] = []
    for version in versions:
        new = checked[version.pk]
        before = {name: version.stats.get(name) for name in new}
        version.stats = {**version.stats, **new}
        drafts.append(
            EventDraft(
                kind=EventKind.ITEM_STATS_RECORDED,
                subject=f"item:{version.item_id}",
                technician_id=None,
                data={
                    "code": version.item.code,
                    "version": version.number,
                    "before": before,
                    "after": new,
                },
                reason=reason,
            )
        )
    ItemVersion.objects.bulk_update(versions, ["stats"])
    events_record_bulk(drafts, actor=actor)
    return len(versions)
