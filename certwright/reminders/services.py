"""Sending the expiry reminder ladder, and the technician's choice of reminders.

The ladder is program data (``[reminders]``, ``Program.reminders``): rungs some days
before a certification's expiry date and some days after it. The daily sweep
(``expiry_reminders_send``) e-mails each rung once per certification and expiry
date: ``ExpiryReminder`` holds one unique row per rung, inserted in the transaction
that queues the e-mail, so a second run (or two at once) sends nothing more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse

from certwright.audit.models import EventKind
from certwright.audit.services import (
    Actor,
    EventDraft,
    event_record,
    events_record_bulk,
)
from certwright.candidates.models import Technician
from certwright.candidates.selectors import technician_email
from certwright.core.clock import now, today
from certwright.core.program import current_program
from certwright.credentials.selectors import (
    certifications_current,
    certifications_lapsed,
)
from certwright.notifications.services import (
    Mail,
    email_marks_fill,
    email_render,
    email_store_many,
)
from certwright.program.model import Program, ReminderLadder
from certwright.reminders.models import (
    ExpiryReminder,
    ReminderChoice,
    ReminderOutcome,
    ReminderPreference,
)
from certwright.reminders.selectors import reminder_choices
from certwright.reminders.tokens import unsubscribe_token
from certwright.rules.dates import last_valid_day

SWEEP_ACTOR = "expiry_reminders"


@dataclass(frozen=True, slots=True)
class SweepResult:
    sent: int = 0
    skipped: int = 0


@dataclass(frozen=True, slots=True)
class _Due:
    technician_id: int
    test: str
    expires_on: dt.date
    offset: int  # the rung to send
    earlier: tuple[int, ...]  # wanted rungs already passed, never sent


def wanted_offsets(ladder: ReminderLadder, choice: ReminderChoice) -> tuple[int, ...]:
    """The rungs a technician's choice keeps, earliest first."""
    offsets = ladder.offsets
    if choice == ReminderChoice.NONE:
        return ()
    if choice == ReminderChoice.LAST:
        before = [o for o in offsets if o < 0]
        last_before = before[-1] if before else 0
        return tuple(o for o in offsets if o >= last_before)
    return offsets


def rung_due(
    *,
    ladder: ReminderLadder,
    wanted: tuple[int, ...],
    expires_on: dt.date,
    on: dt.date,
) -> int | None:
    """The rung to send on ``on`` for a certification ending at ``expires_on``: the
    latest wanted rung reached, if it was reached no more than ``catch_up_days``
    ago. A "before" rung only while the certification is in force and an "after"
    rung only once it has lapsed, so no e-mail says "expires in 7 days" of a
    certification that already ran out. Only the latest: a 180-day reminder the
    sweep missed is not sent when 30 days are left."""
    lapsed = expires_on <= on
    reached = [
        o
        for o in wanted
        if expires_on + dt.timedelta(days=o) <= on and (o >= 0) == lapsed
    ]
    if not reached:
        return None
    latest = reached[-1]
    if on > expires_on + dt.timedelta(days=latest + ladder.catch_up_days):
        return None
    return latest


def _due(*, program: Program, on: dt.date) -> list[_Due]:
    """Every (certification, rung) to send on ``on``: set-based, a few queries for
    any number of technicians."""
    ladder = program.reminders
    offsets = ladder.offsets
    if not offsets:
        return []
    # Only a certification whose expiry lies in this window can be at a rung on ``on``.
    window = Q(
        expires_on__gte=on - dt.timedelta(days=offsets[-1] + ladder.catch_up_days),
        expires_on__lte=on - dt.timedelta(days=offsets[0]),
    )
    fields = ("technician_id", "test", "expires_on")
    rows = set(certifications_current(on=on).filter(window).values_list(*fields))
    rows |= set(certifications_lapsed(on=on).filter(window).values_list(*fields))
    if not rows:
        return []
    recorded = set(
        ExpiryReminder.objects.filter(window).values_list(*fields, "offset_days")
    )
    choices = reminder_choices(tid for tid, _, _ in rows)
    out: list[_Due] = []
    for tid, test, expires_on in sorted(rows):
        choice = choices.get(tid, ReminderChoice.ALL)
        wanted = wanted_offsets(ladder, choice)
        offset = rung_due(ladder=ladder, wanted=wanted, expires_on=expires_on, on=on)
        if offset is None or (tid, test, expires_on, offset) in recorded:
            continue
        earlier = tuple(
            o
            for o in wanted
            if o < offset and (tid, test, expires_on, o) not in recorded
        )
        out.append(_Due(tid, test, expires_on, offset, earlier))
    return out


def _absolute(path: str) -> str:
    return str(settings.CERTWRIGHT_SITE_URL).rstrip("/") + path


@dataclass(frozen=True, slots=True)
class ReminderPerson:
    """Who a reminder is for, as its templates name them."""

    name: str
    certification_id: str


# A reminder is rendered once per certification and expiry date in a sweep, with
# these marks where the person goes, which each message then replaces (escaped in
# the HTML part): rendering was most of the sweep's time (about 1 ms a message,
# bench/reminders.py), and a backlog's messages share far fewer kinds than people.
NAME_MARK = "REMINDER-NAME-MARK-7D1E"
ID_MARK = "REMINDER-ID-MARK-7D1E"
UNSUBSCRIBE_MARK = "REMINDER-UNSUBSCRIBE-MARK-7D1E"
_MARKED = ReminderPerson(name=NAME_MARK, certification_id=ID_MARK)


def reminder_email_context(
    *,
    technician: Technician | ReminderPerson,
    program: Program,
    test: str,
    expires_on: dt.date,
    on: dt.date,
    unsubscribe: str | None = None,
) -> dict[str, object]:
    """What a reminder says: the certification, its last valid day, and what to do
    (the recertification test, the renewal app where the program allows it).
    ``unsubscribe``: the one-click link, when not the technician's own."""
    spec = program.tests.get(test)
    renewable = spec is not None and (
        spec.renewable_by_app or spec.series in program.renewal.eligible_series
    )
    if unsubscribe is None:
        assert isinstance(technician, Technician)
        unsubscribe = unsubscribe_url(technician.pk)
    return {
        "technician": technician,
        "test": test,
        "name": spec.name if spec is not None else test,
        "valid_through": last_valid_day(expires_on),
        "lapsed": expires_on <= on,
        "days_left": (expires_on - on).days,
        "has_recert": spec is not None and spec.recert is not None,
        # The certification's card on the dashboard, where one click puts its
        # recertification test in the cart (a POST, which a link in an e-mail
        # cannot make: the link is a GET that lands on the card).
        "test_url": _absolute(reverse("portal:keep", args=[test])),
        # The renewal app's page: subscribe there, or see the questions waiting.
        "renewal_url": _absolute(reverse("renewal:home")) if renewable else "",
        "settings_url": _absolute(reverse("reminders:settings")),
        "unsubscribe_url": unsubscribe,
    }


class _Rendered:
    """The sweep's reminders rendered once per certification and expiry date, with
    the marks in place of the person (``message``)."""

    def __init__(self, program: Program, day: dt.date) -> None:
        self.program = program
        self.day = day
        self.kinds: dict[tuple[str, dt.date], tuple[str, str, str]] = {}

    def message(
        self, technician: Technician, test: str, expires_on: dt.date, unsubscribe: str
    ) -> tuple[str, str, str]:
        key = (test, expires_on)
        marked = self.kinds.get(key)
        if marked is None:
            marked = email_render(
                template="expiry_reminder",
                context=reminder_email_context(
                    technician=_MARKED,
                    program=self.program,
                    test=test,
                    expires_on=expires_on,
                    on=self.day,
                    unsubscribe=UNSUBSCRIBE_MARK,
                ),
            )
            self.kinds[key] = marked
        return email_marks_fill(
            marked,
            {
                NAME_MARK: technician.name,
                ID_MARK: technician.certification_id,
                UNSUBSCRIBE_MARK: unsubscribe,
            },
        )


def unsubscribe_url(technician_id: int) -> str:
    return _absolute(
        reverse("reminders:unsubscribe", args=[unsubscribe_token(technician_id)])
    )


# Rungs sent per transaction: one insert of e-mails, rungs and events each.
CHUNK = 500


def expiry_reminders_send(
    *, on: dt.date | None = None, actor: Actor = SWEEP_ACTOR
) -> SweepResult:
    """Send every expiry reminder due on ``on`` (default today); returns how many
    were sent and how many rungs were passed over.

    Each rung is claimed by inserting its unique ``ExpiryReminder`` row in the
    transaction that queues the e-mail and writes the event: a rung already there
    (an earlier run, a concurrent one) is left alone, so running twice sends nothing
    more. Older wanted rungs that never went out are recorded as skipped.

    Rungs go ``CHUNK`` to a transaction (a first sweep after install meets tens of
    thousands at once). When another run claimed a rung of a chunk between the read
    and the insert, the chunk rolls back and is sent again one rung at a time,
    leaving the claimed ones alone.
    """
    day = on or today()
    program = current_program()
    due = _due(program=program, on=day)
    technicians = Technician.objects.select_related("user").in_bulk(
        {d.technician_id for d in due}
    )
    sent = skipped = 0
    rendered = _Rendered(program, day)
    for start in range(0, len(due), CHUNK):
        chunk = [
            d for d in due[start : start + CHUNK] if d.technician_id in technicians
        ]
        try:
            result = _send_chunk(chunk, technicians, rendered, actor)
        except IntegrityError:
            result = SweepResult()
            for item in chunk:
                try:
                    one = _send_chunk([item], technicians, rendered, actor)
                except IntegrityError:
                    continue
                result = SweepResult(
                    sent=result.sent + one.sent, skipped=result.skipped + one.skipped
                )
        sent += result.sent
        skipped += result.skipped
    return SweepResult(sent=sent, skipped=skipped)


def _send_chunk(
    chunk: list[_Due],
    technicians: dict[int, Technician],
    rendered: _Rendered,
    actor: Actor,
) -> SweepResult:
    """Claim, mail and record ``chunk`` in one transaction (``IntegrityError`` when
    a rung of it is already claimed: nothing of the chunk is kept)."""
    sent = skipped = 0
    day = rendered.day
    with transaction.atomic():
        ExpiryReminder.objects.bulk_create(
            [
                ExpiryReminder(
                    technician_id=item.technician_id,
                    test=item.test,
                    expires_on=item.expires_on,
                    offset_days=o,
                    outcome=ReminderOutcome.SKIPPED,
                    reason="a later reminder was already due",
                    on=day,
                )
                for item in chunk
                for o in item.earlier
            ],
            ignore_conflicts=True,
        )
        mails: list[Mail] = []
        mailed: list[_Due] = []
        for item in chunk:
            technician = technicians[item.technician_id]
            address = technician_email(technician)
            if not address:
                continue
            unsubscribe = unsubscribe_url(technician.pk)
            subject, text, html = rendered.message(
                technician, item.test, item.expires_on, unsubscribe
            )
            mails.append(
                Mail(
                    to=address,
                    subject=subject,
                    text=text,
                    html=html,
                    template="expiry_reminder",
                    # RFC 8058: a one-click unsubscribe a mail client can POST to.
                    headers={
                        "List-Unsubscribe": f"<{unsubscribe}>",
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                    },
                )
            )
            mailed.append(item)
        email_ids = dict(
            zip(
                ((d.technician_id, d.test) for d in mailed),
                email_store_many(mails),
                strict=True,
            )
        )
        rows = []
        for item in chunk:
            email_id = email_ids.get((item.technician_id, item.test))
            rows.append(
                ExpiryReminder(
                    technician_id=item.technician_id,
                    test=item.test,
                    expires_on=item.expires_on,
                    offset_days=item.offset,
                    outcome=ReminderOutcome.SENT
                    if email_id
                    else ReminderOutcome.SKIPPED,
                    reason="" if email_id else "no e-mail address",
                    on=day,
                    email_id=email_id,
                )
            )
            if email_id:
                sent += 1
                skipped += len(item.earlier)
            else:
                skipped += 1 + len(item.earlier)
        ExpiryReminder.objects.bulk_create(rows)
        events_record_bulk(
            [
                EventDraft(
                    kind=EventKind.EXPIRY_REMINDER_SENT,
                    subject=f"certification:{item.test}",
                    technician_id=item.technician_id,
                    data={
                        "expires_on": item.expires_on.isoformat(),
                        "offset_days": item.offset,
                        "skipped": list(item.earlier),
                        "email": email_ids[(item.technician_id, item.test)],
                    },
                    reason=_rung_words(item.offset),
                )
                for item in mailed
            ],
            actor=actor,
        )
    return SweepResult(sent=sent, skipped=skipped)


def _rung_words(offset: int) -> str:
    if offset < 0:
        return f"reminder {-offset} days before expiry"
    return f"reminder {offset} days after expiry"


def reminder_preference_set(
    *, technician_id: int, choice: ReminderChoice | str, actor: Actor = None
) -> bool:
    """Record which expiry reminders the technician gets; True when it changed.
    An unknown choice is a ``ValueError`` and nothing is written."""
    wanted = ReminderChoice(choice)
    with transaction.atomic():
        # Locked so two changes at once (the settings page and a mail client's
        # one-click POST) record one before/after each.
        technician = Technician.objects.select_for_update().get(pk=technician_id)
        row = ReminderPreference.objects.filter(technician_id=technician_id).first()
        before = ReminderChoice(row.choice) if row is not None else ReminderChoice.ALL
        if before == wanted:
            return False
        ReminderPreference.objects.update_or_create(
            technician_id=technician_id,
            defaults={"choice": wanted, "updated_at": now()},
        )
        event_record(
            kind=EventKind.REMINDER_PREFERENCE_CHANGED,
            subject=f"technician:{technician.certification_id}",
            technician_id=technician_id,
            actor=actor,
            data={"before": str(before), "after": str(wanted)},
            reason=f"expiry reminders: {wanted.label}",
        )
    return True
