"""Signals credentials sends, for the layers above it (which credentials may not
import) to act on derived-state changes. Listed in docs/architecture.md."""

from __future__ import annotations

from django.dispatch import Signal

certifications_changed = Signal()
"""Sent after the transaction that wrote a technician's derived certifications
commits, once per technician whose certification rows changed.

Keyword arguments: ``technician_id`` (int) and ``changes``: a list of dicts, one per
changed certification, ``{"test": str, "before": dict | None, "after": dict | None}``
where ``before``/``after`` hold ``status``, ``passed_on``, ``certified_on`` and
``expires_on`` (dates as ISO strings), exactly as in the ``certification.changed``
event. Receivers run after commit, so a failing receiver cannot undo the recompute.
"""
