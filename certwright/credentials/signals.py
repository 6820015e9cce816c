"""Signals credentials sends for the apps above it (it never imports them).

``certifications_changed``: a recompute wrote a change to the certifications or titles
of ``technician_ids`` (a tuple of ints). Sent after the writing transaction commits,
so receivers read the new rows; shops checks the recognition of the shops that
employ them.
"""

from __future__ import annotations

from django.dispatch import Signal

certifications_changed = Signal()
