"""Signals credentials sends, for the apps above it (which credentials never imports)
to act on derived-state changes. Listed in docs/architecture.md.

Two moments, two signals: what must hold together with the derived rows is done
inside the recompute's transaction (``derived_withdrawn``: a signed credential's
revocation bit); what tells people is done after it commits
(``certifications_changed``: the employers' revocation e-mail), so a failing mail
cannot undo a recompute and a rolled-back recompute mails nobody.
"""

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

derived_withdrawn = Signal()
"""Sent inside the recompute's writing transaction, after the writes, for the
technicians the recompute took something away from: a certification revoked or
removed, or a title no longer held. Keyword arguments: ``technician_ids`` and
``actor``. Badges sets the status list bits of the credentials concerned in the same
transaction, so a revocation and its bit commit together.
"""
