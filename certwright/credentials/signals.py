"""Signals credentials sends to the apps above it (it never imports them).

``derived_changed``: the recompute took something away from these technicians: a
certification revoked or removed, or a title no longer held. Sent inside the
writing transaction, after the writes, with ``technician_ids`` and ``actor``; badges
sets the status list bits of credentials whose certification was revoked (or title
lost early), in the same transaction.
"""

from __future__ import annotations

from django.dispatch import Signal

derived_changed = Signal()
