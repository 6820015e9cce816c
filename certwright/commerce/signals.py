"""Signals commerce declares for the apps above it (it never imports them).

``entitlements_revoked``: a purchase's entitlements (study material, practice
tests) were revoked, as by a refund. Sent inside the revoking transaction with
``technician_id``, ``test`` and ``actor``, so a receiver's writes commit or roll
back with the revocation. Exam delivery ends the practice attempts it unlocked.
"""

from __future__ import annotations

from django.dispatch import Signal

entitlements_revoked = Signal()
