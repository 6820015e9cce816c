"""Signals candidates declares for the apps above it (it never imports them).

Candidates owns experience records and every write to them; what an approved record
means for certifications is the credentials domain's business. So candidates tells,
and credentials listens (connected in its ``AppConfig.ready``):

``facts_changed``: a technician's facts changed (an experience record was added,
corrected or approved; their ``facts_version`` was bumped in the same transaction).
Sent inside the writing transaction with ``technician_id``; credentials schedules the
technician's recompute after commit.

``experience_approved``: staff approved an experience record. Sent inside the
approving transaction, after the record was saved approved, with ``record_id``,
``technician_id`` and ``actor``; credentials recomputes the technician at once after
commit and tells them of every pass the approval turned into a certification.
"""

from __future__ import annotations

from django.dispatch import Signal

facts_changed = Signal()
experience_approved = Signal()
