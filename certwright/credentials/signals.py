"""Signals credentials sends to the apps above it (it never imports them).

``derived_changed``: the recompute wrote new certification or title rows for these
technicians. Sent inside the writing transaction, after the writes, with
``technician_ids`` and ``actor``; badges sets the status list bits of credentials
whose certification was revoked, in the same transaction.
"""

from __future__ import annotations

from django.dispatch import Signal

derived_changed = Signal()
