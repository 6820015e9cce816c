"""Writing the audit trail.

Every service that changes state calls ``event_record`` (one event) or
``events_record_bulk`` (the set-based paths) inside its own transaction, so an event
exists exactly when its change was committed. Both take a kind from the one registry,
``EventKind``, and refuse any other (``UnknownEventKind``).

An *actor* is whoever caused the change: a user (the admin, later the portal), a label
for a machine ("cli", "import:results.csv"), or None for the platform itself
("system").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q
from django.utils import timezone

from certwright.audit.bulk import row_created, rows_insert
from certwright.audit.models import Event, EventKind

Actor = AbstractBaseUser | str | None

SYSTEM = "system"


class UnknownEventKind(ValueError):
    """A kind that is not in ``EventKind``: a typo, or a kind nobody registered."""

    def __init__(self, kind: object) -> None:
        super().__init__(
            f"{kind!r} is not an event kind: add it to "
            "certwright.audit.models.EventKind and to docs/events.md"
        )


def event_kind_check(kind: object) -> EventKind:
    """``kind`` as a registered ``EventKind``, or ``UnknownEventKind``.

    A plain string with a registered value passes (it is what ``Event.kind`` holds);
    anything else is refused before a row is written.
    """
    if isinstance(kind, str):
        try:
            return EventKind(kind)
        except ValueError:
            pass
    raise UnknownEventKind(kind)


def actor_split(actor: Actor) -> tuple[int | None, str]:
    """The (user id, label) pair stored on an event for ``actor``."""
    if actor is None:
        return None, SYSTEM
    if isinstance(actor, str):
        return None, actor or SYSTEM
    return actor.pk, actor.get_username()


def event_record(
    *,
    kind: EventKind,
    subject: str = "",
    technician_id: int | None = None,
    actor: Actor = None,
    data: dict[str, Any] | None = None,
    reason: str = "",
    occurred_at: dt.datetime | None = None,
) -> Event:
    """Append one event of a registered ``kind`` (else ``UnknownEventKind``).

    One plain insert (``audit.bulk.row_created``; nothing listens to an event's
    save): every state change appends one, and at the renewal answers' monthly
    peak the ORM's ``create`` of the events was a fifth of an answer's CPU
    (bench/renewal.py)."""
    checked = event_kind_check(kind)
    actor_id, actor_label = actor_split(actor)
    values = [
        occurred_at or timezone.now(),
        actor_id,
        actor_label,
        technician_id,
        checked.value,
        subject,
        data or {},
        reason,
    ]
    event: Event = row_created(Event, values)
    return event


class EventDraft(NamedTuple):
    """An event not yet written, for ``events_record_bulk``."""

    kind: EventKind
    subject: str
    technician_id: int | None
    data: dict[str, Any]
    reason: str = ""


_BULK_FIELDS = (
    "occurred_at",
    "actor",
    "actor_label",
    "technician",
    "kind",
    "subject",
    "data",
    "reason",
)
# event_record gives its values in this order: the model's, after the id.
assert tuple(f.name for f in Event._meta.concrete_fields[1:]) == _BULK_FIELDS


def event_record_change(
    *,
    kind: EventKind,
    subject: str,
    technician_id: int | None,
    actor: Actor,
    after: dict[str, Any] | None,
    before: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    reason: str = "",
) -> Event:
    """Append one event for a change of ``subject``: its state ``after`` (and
    ``before``, when there was one) plus any ``extra`` keys, in ``data``."""
    data: dict[str, Any] = {"after": after, **(extra or {})}
    if before is not None:
        data["before"] = before
    return event_record(
        kind=kind,
        subject=subject,
        technician_id=technician_id,
        actor=actor,
        data=data,
        reason=reason,
    )


def events_record_bulk(
    drafts: Sequence[EventDraft],
    *,
    actor: Actor = None,
    occurred_at: dt.datetime | None = None,
) -> int:
    """Append many events in one statement (COPY on PostgreSQL); returns the count.

    All of them share one actor and one timestamp: they are one operation's changes.
    Every draft's kind must be registered (else ``UnknownEventKind``, nothing written).
    """
    if not drafts:
        return 0
    # Checked once per distinct kind: a recompute writes ~750k drafts of two kinds.
    for kind in {d.kind for d in drafts}:
        event_kind_check(kind)
    actor_id, actor_label = actor_split(actor)
    when = occurred_at or timezone.now()
    rows = [
        (
            when,
            actor_id,
            actor_label,
            d.technician_id,
            str(d.kind),
            d.subject,
            d.data,
            d.reason,
        )
        for d in drafts
    ]
    return rows_insert(Event, _BULK_FIELDS, rows)


def _scrubbed(value: Any, pattern: re.Pattern[str], by: dict[str, str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(lambda m: by[m.group(0).lower()], value)
    if isinstance(value, dict):
        return {k: _scrubbed(v, pattern, by) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v, pattern, by) for v in value]
    return value


def events_pseudonymise(
    *,
    technician_id: int,
    user_id: int | None,
    replacements: Mapping[str, str],
) -> int:
    """Replace each word of ``replacements`` (the person's names and addresses, the
    addresses they gave for others) by its pseudonym in the events about the
    technician and the events the user caused: their ``data``, ``reason`` and
    actor label. Whole words, case aside; words under two characters are left
    alone.

    The one change ever made to a stored event, for a person's erasure (part of
    ``privacy.services.person_erase``): what happened, when, to which record and
    by whom stays; only the words that named people go."""
    by = {w.strip().lower(): p for w, p in replacements.items() if len(w.strip()) >= 2}
    if not by:
        return 0
    # Longest first, so a full name goes whole before its last name alone (and an
    # address before a name inside it); one pass, so no pseudonym is searched again.
    kept = sorted(by, key=len, reverse=True)
    # Whole words only: a short name ("Al", "Li") must not eat into "approval" or
    # "eligible" in the event's other text.
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(w) for w in kept) + r")(?!\w)",
        re.IGNORECASE,
    )
    match = Q(technician_id=technician_id)
    if user_id is not None:
        match |= Q(actor_id=user_id)
    changed = 0
    for event in Event.objects.filter(match).iterator():
        data = _scrubbed(event.data, pattern, by)
        reason = _scrubbed(event.reason, pattern, by)
        label = _scrubbed(event.actor_label, pattern, by)
        if (data, reason, label) != (event.data, event.reason, event.actor_label):
            Event.objects.filter(pk=event.pk).update(
                data=data, reason=reason, actor_label=label
            )
            changed += 1
    return changed
