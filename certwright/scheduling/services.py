"""Writes: booking, rescheduling, cancelling, check-in, no-shows, reminders.

Seats. A centre's time is cut into blocks (``BLOCK_MINUTES``); an appointment
occupies every block from its start up to its end. Booking takes a seat in each of
them with one conditional UPDATE::

    UPDATE seat_block SET booked = booked + 1
     WHERE centre_id = ... AND starts_at IN (...) AND booked < seats

and treats "fewer rows than blocks" as "full", rolling the whole transaction back.
The UPDATE is atomic on every database: on SQLite the IMMEDIATE transaction holds the
write lock (writers queue on the busy timeout); on PostgreSQL the blocks are locked
first in one ordered statement (centre, then start time, ascending; the one order
every booking, move and cancellation uses, so overlapping ones queue instead of
deadlocking), and a booking that waited re-checks ``booked < seats`` on the committed
row. A deadlock or serialization failure all the same (another code path, a changed
isolation level) is retried once. Releasing is the symmetric UPDATE (``booked - 1
WHERE booked > 0``).

Lock order in a transaction: the technician's row, then the appointment's, then seat
blocks. Seat blocks are taken last so their locks are held for the shortest time.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record, event_record_change
from certwright.candidates.models import Technician
from certwright.core.clock import now as clock_now
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.credentials.services import result_record
from certwright.scheduling import hours, orders, selectors
from certwright.scheduling.invites import appointment_mail
from certwright.scheduling.models import (
    Appointment,
    AppointmentStatus,
    AppointmentTest,
    SeatBlock,
    TestCentre,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")


class BookingError(ValidationError):
    """A booking change refused, with a message for the candidate; nothing was
    written. ``code`` says which rule: full, closed, hours, past, time, window,
    lines, overlap, deadline, state, stale, centre."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


class SlotFull(BookingError):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            "full",
            message
            or _(
                "That time is fully booked: another candidate took the last seat."
                " Choose another time."
            ),
        )


# --- transactions and seats ---------------------------------------------------------

_TRANSIENT_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected


def _is_transient(error: OperationalError) -> bool:
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) in _TRANSIENT_SQLSTATES:
        return True
    # SQLite: the busy timeout ran out while another writer held the lock.
    return connection.vendor == "sqlite" and "locked" in str(error)


def _atomic_once(work: Callable[[], T]) -> T:
    """``work`` in a transaction. Once it has committed it has happened: a failure
    of an on-commit hook after that (queueing the e-mail task, say, on a busy SQLite
    database) is logged, not raised, so the caller neither reports a booking that was
    made as failed nor retries it."""
    committed = False

    def mark_committed() -> None:
        nonlocal committed
        committed = True

    result: T
    try:
        with transaction.atomic():
            # Registered first, so it runs first when the transaction commits.
            transaction.on_commit(mark_committed)
            result = work()
    except Exception as error:
        if not committed:
            raise
        # The e-mail row is stored; `certwright email retry` re-enqueues it.
        logger.warning("an on-commit hook failed after the commit: %r", error)
    return result


def _atomic_with_retry(work: Callable[[], T]) -> T:
    """Run ``work`` in a transaction; once more if the database aborted it for a
    deadlock or a serialization failure (never inside a caller's transaction, where
    a retry cannot start over)."""
    if connection.in_atomic_block:
        with transaction.atomic():
            return work()
    try:
        return _atomic_once(work)
    except OperationalError as error:
        if not _is_transient(error):
            raise
        logger.warning("booking transaction retried after %s", error)
    return _atomic_once(work)


def _blocks_ensure(centre: TestCentre, starts: Sequence[dt.datetime]) -> None:
    """Create the seat blocks not yet written (with the centre's seats)."""
    existing = set(
        SeatBlock.objects.filter(centre_id=centre.pk, starts_at__in=starts).values_list(
            "starts_at", flat=True
        )
    )
    missing = [s for s in starts if s not in existing]
    if missing:
        # Ignoring conflicts: a concurrent booking may create the same block first;
        # either way the row exists afterwards, which is all that matters here.
        SeatBlock.objects.bulk_create(
            [
                SeatBlock(centre_id=centre.pk, starts_at=s, seats=centre.seats)
                for s in missing
            ],
            ignore_conflicts=True,
        )


def _blocks_where(keys: Sequence[tuple[int, dt.datetime]]) -> Q:
    by_centre: dict[int, list[dt.datetime]] = {}
    for centre_id, starts_at in keys:
        by_centre.setdefault(centre_id, []).append(starts_at)
    where = Q(pk__in=[])
    for centre_id, starts in by_centre.items():
        where |= Q(centre_id=centre_id, starts_at__in=starts)
    return where


def _seats_change(
    claim: Sequence[tuple[int, dt.datetime]], release: Sequence[tuple[int, dt.datetime]]
) -> None:
    """Take a seat in each ``claim`` block and give one back in each ``release``
    block; raises SlotFull (the caller's transaction rolls back) when a claimed
    block has no seat left.

    On PostgreSQL the rows are first locked in one ordered statement (``SELECT ...
    ORDER BY centre, start FOR UPDATE``: the lock order every booking, move and
    cancellation shares, so overlapping ones queue instead of deadlocking). The
    conditional UPDATEs after it wait for nobody, so the hot rows are held for two
    or three statements and the commit, not a round trip per block (measured in
    bench/booking.py: a seven-block loop of round trips queued bookings behind each
    other's round trips; the p99 of the worst case fell from 16 s to 3.6 s). SQLite
    needs no lock: its IMMEDIATE transaction already holds the database's.
    """
    claim, release = sorted(set(claim)), sorted(set(release))
    if not claim and not release:
        return
    if connection.features.has_select_for_update:
        list(
            SeatBlock.objects.select_for_update()
            .filter(_blocks_where([*claim, *release]))
            .order_by("centre_id", "starts_at")
            .values_list("pk", flat=True)
        )
    if release:
        given = SeatBlock.objects.filter(_blocks_where(release), booked__gt=0).update(
            booked=F("booked") - 1
        )
        if given != len(release):
            # The books were already wrong: say so, but do not refuse the
            # candidate's cancellation for it.
            logger.error(
                "seat blocks %s: %d had no booking to release",
                release,
                len(release) - given,
            )
    if claim:
        taken = SeatBlock.objects.filter(
            _blocks_where(claim), booked__lt=F("seats")
        ).update(booked=F("booked") + 1)
        if taken != len(claim):
            raise SlotFull()


def _block_keys(
    centre_id: int, starts_at: dt.datetime, ends_at: dt.datetime
) -> list[tuple[int, dt.datetime]]:
    return [(centre_id, b) for b in hours.blocks(starts_at, ends_at)]


# --- checks --------------------------------------------------------------------------


def _utc(moment: dt.datetime) -> dt.datetime:
    """The start as UTC; refused without an offset or beyond the booking horizon."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise BookingError("time", _("The start time needs a time zone."))
    horizon = selectors.HORIZON_DAYS
    try:
        moment = moment.astimezone(dt.UTC)
        too_far = moment > clock_now() + dt.timedelta(days=horizon)
    except OverflowError:
        too_far = True
    if too_far:
        raise BookingError(
            "window",
            _("Appointments can be booked at most %(days)s days ahead.")
            % {"days": horizon},
        )
    return moment


def _centre(centre_id: int) -> TestCentre:
    centre = (
        TestCentre.objects.prefetch_related("opening_hours")
        .filter(pk=centre_id)
        .first()
    )
    if centre is None:
        raise BookingError("centre", _("There is no such test centre."))
    return centre


def _check_opening(
    centre: TestCentre, starts_at: dt.datetime, ends_at: dt.datetime
) -> None:
    problem = selectors.opening_problem(centre, starts_at, ends_at)
    if problem is not None:
        raise BookingError(*problem)


def _check_same_day(centre: TestCentre, local_day: dt.date) -> None:
    """The program's same-day rule: a candidate books from the centre's next day on
    unless the program allows the same day (program data, [scheduling])."""
    if current_program().scheduling.same_day_booking:
        return
    if local_day == selectors.centre_local_today(centre):
        raise BookingError(
            "same_day",
            _("Seats cannot be booked for the same day. Choose %(day)s or later.")
            % {"day": (local_day + dt.timedelta(days=1)).isoformat()},
        )


def _check_window(lines: Sequence[Any], local_day: dt.date) -> None:
    """ASE: a purchased test must be taken by its "Must Take Test By" date."""
    late = [line for line in lines if local_day > line.must_take_by]
    if late:
        first = min(line.must_take_by for line in late)
        names = ", ".join(sorted(line.test for line in late))
        raise BookingError(
            "window",
            _("%(tests)s must be taken by %(day)s; choose a date on or before it.")
            % {"tests": names, "day": first.isoformat()},
        )


def _check_overlap(
    technician_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    exclude_id: int | None = None,
) -> None:
    other = selectors.overlapping_live(
        technician_id, starts_at, ends_at, exclude_id=exclude_id
    )
    if other is not None:
        raise BookingError(
            "overlap",
            _("You already have an appointment at %(centre)s at %(when)s.")
            % {
                "centre": other.centre.name,
                "when": f"{other.local_start():%Y-%m-%d %H:%M}",
            },
        )


def _lock_technician(technician_id: int) -> None:
    # Serialises one candidate's own booking changes (two tabs, a double click).
    if not Technician.objects.select_for_update().filter(pk=technician_id).exists():
        raise BookingError("lines", _("There is no such candidate."))


def _lock_appointment(appointment_id: int) -> Appointment:
    """The appointment, locked, after its candidate's row (the one lock order of
    every service here: technician, appointment, seat blocks)."""
    technician_id = (
        Appointment.objects.filter(pk=appointment_id)
        .values_list("technician_id", flat=True)
        .first()
    )
    if technician_id is None:
        raise BookingError("state", _("There is no such appointment."))
    _lock_technician(technician_id)
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("centre", "technician", "technician__user")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        raise BookingError("state", _("There is no such appointment."))
    return appointment


def _check_changeable(appointment: Appointment, expected_sequence: int | None) -> None:
    if expected_sequence is not None and expected_sequence != appointment.sequence:
        raise BookingError(
            "stale",
            _(
                "This appointment changed since the page was loaded; look at it again"
                " before changing it."
            ),
        )
    if appointment.status != AppointmentStatus.BOOKED:
        raise BookingError(
            "state",
            _("This appointment is %(status)s and cannot be changed.")
            % {"status": appointment.get_status_display()},
        )
    deadline = selectors.change_deadline(appointment)
    if clock_now() >= deadline:
        raise BookingError(
            "deadline",
            _(
                "Appointments cannot be changed or cancelled within %(days)s days of"
                " the test; the last day for changes was %(day)s."
            )
            % {
                "days": selectors.change_cutoff_days(),
                "day": selectors.last_change_day(appointment).isoformat(),
            },
        )


def _new_uid() -> str:
    host = urlsplit(settings.CERTWRIGHT_SITE_URL).hostname or "certwright.localhost"
    return f"{uuid.uuid4()}@{host}"


def _snapshot(appointment: Appointment) -> dict[str, Any]:
    return {
        "centre": appointment.centre_id,
        "starts_at": appointment.starts_at.isoformat(),
        "ends_at": appointment.ends_at.isoformat(),
        "status": appointment.status,
        "sequence": appointment.sequence,
    }


def _event(
    appointment: Appointment,
    *,
    kind: EventKind,
    actor: Actor,
    reason: str,
    before: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    event_record_change(
        kind=kind,
        subject=f"appointment:{appointment.pk}",
        technician_id=appointment.technician_id,
        actor=actor,
        after=_snapshot(appointment),
        before=before,
        extra=extra,
        reason=reason,
    )


def _commerce_refusal(error: ValidationError) -> BookingError:
    return BookingError("lines", " ".join(error.messages))


# --- booking -------------------------------------------------------------------------


def appointment_book(
    *,
    technician_id: int,
    centre_id: int,
    starts_at: dt.datetime,
    order_line_ids: Sequence[int],
    actor: Actor = None,
    walk_in: bool = False,
) -> Appointment:
    """Book a seat at ``centre_id`` from ``starts_at`` for the purchased tests
    ``order_line_ids`` (one or more; they share the appointment).

    The appointment lasts the tests' times added plus 30 minutes. Refused (with a
    BookingError naming the rule, SlotFull when a seat is gone) when the centre is
    closed or the appointment does not fit the opening hours, the time has passed,
    the day is after a test's must-take-by date, a line is not the candidate's to
    book, or the candidate has another appointment then, or the day is the
    centre's today and the program does not allow same-day booking (``walk_in``:
    the centre seats the candidate today, which that rule does not cover). Mails
    the confirmation with the calendar invitation after commit.
    """
    line_ids = sorted(set(order_line_ids))
    if not line_ids:
        raise BookingError("lines", _("Choose at least one purchased test to book."))
    starts_at = _utc(starts_at)
    centre = _centre(centre_id)
    local_day = starts_at.astimezone(centre.tz).date()
    program = current_program()

    def work() -> Appointment:
        _lock_technician(technician_id)
        bookable = {
            line.id: line
            for line in orders.lines_bookable(technician_id=technician_id, day=today())
        }
        missing = [i for i in line_ids if i not in bookable]
        waiting = {
            line.id: line
            for line in orders.lines_waiting(technician_id=technician_id, day=today())
        }
        undeliverable = [waiting[i].reason for i in missing if i in waiting]
        if undeliverable:
            # Bought before the program stopped selling what it cannot deliver: say
            # why, rather than book a sitting that would end at the proctor's desk.
            raise BookingError(
                "lines",
                " ".join(
                    [
                        *undeliverable,
                        _(
                            "It can be booked once the program publishes one; your"
                            " purchase stays paid until its take-by date, and the"
                            " program can refund it."
                        ),
                    ]
                ),
            )
        if missing:
            raise BookingError(
                "lines",
                _(
                    "A chosen test can no longer be booked (already booked, refunded"
                    " or expired). Reload the page and choose again."
                ),
            )
        lines = [bookable[i] for i in line_ids]
        minutes = {
            line.id: selectors.sitting_minutes(
                program=program, test=line.test, kind=line.kind, day=local_day
            )
            for line in lines
        }
        ends_at = starts_at + dt.timedelta(
            minutes=selectors.CHECK_IN_MINUTES + sum(minutes.values())
        )
        _check_opening(centre, starts_at, ends_at)
        if not walk_in:
            _check_same_day(centre, local_day)
        _check_window(lines, local_day)
        _check_overlap(technician_id, starts_at, ends_at)
        appointment = Appointment.objects.create(
            technician_id=technician_id,
            centre_id=centre.pk,
            starts_at=starts_at,
            ends_at=ends_at,
            uid=_new_uid(),
        )
        AppointmentTest.objects.bulk_create(
            AppointmentTest(
                appointment=appointment,
                order_line_id=line.id,
                test=line.test,
                kind=line.kind,
                minutes=minutes[line.id],
                must_take_by=line.must_take_by,
            )
            for line in lines
        )
        for line in lines:
            orders.line_mark_booked(
                line_id=line.id, appointment_id=appointment.pk, actor=actor
            )
        appointment.centre = centre
        _event(
            appointment,
            kind=EventKind.APPOINTMENT_BOOKED,
            actor=actor,
            reason=f"{', '.join(line.test for line in lines)} booked at {centre.code}"
            f" for {appointment.local_start():%Y-%m-%d %H:%M}",
            extra={"order_lines": line_ids},
        )
        appointment_mail(appointment, template="appointment_booked")
        # Seats last: the hot rows stay locked only from here to the commit.
        keys = _block_keys(centre.pk, starts_at, ends_at)
        _blocks_ensure(centre, [s for _c, s in keys])
        _seats_change(claim=keys, release=())
        return appointment

    try:
        return _atomic_with_retry(work)
    except IntegrityError as error:
        # The partial unique index on live lines: a concurrent booking of the same
        # line got there first.
        logger.info("booking refused by a constraint: %s", error)
        raise BookingError(
            "lines", _("A chosen test was booked meanwhile. Reload the page.")
        ) from None
    except BookingError:
        raise
    except ValidationError as error:  # commerce refused a line change
        raise _commerce_refusal(error) from None


def appointment_reschedule(
    *,
    appointment_id: int,
    starts_at: dt.datetime,
    centre_id: int | None = None,
    expected_sequence: int | None = None,
    actor: Actor = None,
) -> Appointment:
    """Move a booked appointment to ``starts_at`` (at ``centre_id``, or the same
    centre), keeping its tests, its UID and its order lines.

    Allowed until the change deadline (see ``selectors.change_deadline``); the new
    time must satisfy every booking rule. The old seats are released and the new ones
    taken in the same transaction, so a move into a full slot leaves the appointment
    where it was. ``expected_sequence`` (from the form) refuses a stale form. Raises
    the SEQUENCE and mails the updated invitation.
    """
    starts_at = _utc(starts_at)
    program = current_program()

    def work() -> Appointment:
        appointment = _lock_appointment(appointment_id)
        _check_changeable(appointment, expected_sequence)
        centre = (
            appointment.centre
            if centre_id is None or centre_id == appointment.centre_id
            else _centre(centre_id)
        )
        local_day = starts_at.astimezone(centre.tz).date()
        tests = list(selectors.live_tests_of(appointment.pk))
        for test in tests:
            test.minutes = selectors.sitting_minutes(
                program=program, test=test.test, kind=test.kind, day=local_day
            )
        ends_at = starts_at + dt.timedelta(
            minutes=selectors.CHECK_IN_MINUTES + sum(t.minutes for t in tests)
        )
        if (centre.pk, starts_at, ends_at) == (
            appointment.centre_id,
            appointment.starts_at,
            appointment.ends_at,
        ):
            raise BookingError("time", _("The appointment is already at that time."))
        _check_opening(centre, starts_at, ends_at)
        _check_same_day(centre, local_day)
        _check_window(tests, local_day)
        _check_overlap(appointment.technician_id, starts_at, ends_at, appointment.pk)
        before = _snapshot(appointment)
        old = _block_keys(
            appointment.centre_id, appointment.starts_at, appointment.ends_at
        )
        new = _block_keys(centre.pk, starts_at, ends_at)
        kept = set(old) & set(new)
        AppointmentTest.objects.bulk_update(tests, ["minutes"])
        appointment.centre = centre
        appointment.starts_at = starts_at
        appointment.ends_at = ends_at
        appointment.sequence += 1
        appointment.updated_at = clock_now()
        # A new day deserves a new reminder.
        appointment.reminder_sent_at = None
        appointment.save(
            update_fields=[
                "centre",
                "starts_at",
                "ends_at",
                "sequence",
                "updated_at",
                "reminder_sent_at",
            ]
        )
        _event(
            appointment,
            kind=EventKind.APPOINTMENT_RESCHEDULED,
            actor=actor,
            before=before,
            reason=f"moved to {centre.code} {appointment.local_start():%Y-%m-%d %H:%M}",
        )
        appointment_mail(appointment, template="appointment_rescheduled")
        # Seats last (see appointment_book); the old ones go back in the same
        # ordered pass, so a move into a full slot rolls back and keeps them.
        _blocks_ensure(centre, [s for _c, s in new])
        _seats_change(
            claim=[k for k in new if k not in kept],
            release=[k for k in old if k not in kept],
        )
        return appointment

    return _atomic_with_retry(work)


def appointment_cancel(
    *,
    appointment_id: int,
    expected_sequence: int | None = None,
    actor: Actor = None,
    reason: str = "",
) -> Appointment:
    """Cancel a booked appointment until its change deadline: its seats are freed
    and its order lines released (the candidate may book them again, or cancel the
    purchase in the shop for a refund). Mails the cancellation (METHOD CANCEL, a
    higher SEQUENCE)."""

    def work() -> Appointment:
        appointment = _lock_appointment(appointment_id)
        _check_changeable(appointment, expected_sequence)
        before = _snapshot(appointment)
        tests = list(selectors.live_tests_of(appointment.pk))
        at = clock_now()
        for test in tests:
            orders.line_release(line_id=test.order_line_id, actor=actor)
        AppointmentTest.objects.filter(pk__in=[t.pk for t in tests]).update(
            released_at=at
        )
        appointment.status = AppointmentStatus.CANCELLED
        appointment.sequence += 1
        appointment.cancelled_at = at
        appointment.updated_at = at
        appointment.save(
            update_fields=["status", "sequence", "cancelled_at", "updated_at"]
        )
        _event(
            appointment,
            kind=EventKind.APPOINTMENT_CANCELLED,
            actor=actor,
            before=before,
            reason=reason or "cancelled",
            extra={"order_lines": [t.order_line_id for t in tests]},
        )
        appointment_mail(appointment, template="appointment_cancelled")
        _seats_change(
            claim=(),
            release=_block_keys(
                appointment.centre_id, appointment.starts_at, appointment.ends_at
            ),
        )
        return appointment

    try:
        return _atomic_with_retry(work)
    except BookingError:
        raise
    except ValidationError as error:
        raise _commerce_refusal(error) from None


# --- at the centre -------------------------------------------------------------------


def _centre_transition(
    *,
    appointment_id: int,
    allowed_from: Sequence[str],
    to: str,
    kind: EventKind,
    actor: Actor,
    after_start: bool,
    reason: str,
) -> tuple[Appointment, bool]:
    """Move an appointment to ``to`` from one of ``allowed_from``; (appointment,
    changed). Asking again for the state it is already in changes nothing."""
    appointment = _lock_appointment(appointment_id)
    if appointment.status == to:
        return appointment, False
    if appointment.status not in allowed_from:
        raise BookingError(
            "state",
            _("This appointment is %(status)s.")
            % {"status": appointment.get_status_display()},
        )
    if after_start and clock_now() < appointment.starts_at:
        raise BookingError(
            "time", _("That can only be recorded once the appointment has started.")
        )
    before = _snapshot(appointment)
    appointment.status = to
    appointment.updated_at = clock_now()
    appointment.save(update_fields=["status", "updated_at"])
    _event(appointment, kind=kind, actor=actor, before=before, reason=reason)
    return appointment, True


def appointment_check_in(*, appointment_id: int, actor: Actor = None) -> Appointment:
    """The candidate arrived (recorded by the centre's staff, on the day)."""
    with transaction.atomic():
        appointment = _lock_appointment(appointment_id)
        local_day = appointment.local_start().date()
        if selectors.centre_local_today(appointment.centre) != local_day:
            raise BookingError(
                "time", _("Check-in is recorded on the day of the appointment.")
            )
        appointment, _changed = _centre_transition(
            appointment_id=appointment_id,
            allowed_from=[AppointmentStatus.BOOKED],
            to=AppointmentStatus.CHECKED_IN,
            kind=EventKind.APPOINTMENT_CHECKED_IN,
            actor=actor,
            after_start=False,
            reason="checked in",
        )
    return appointment


def appointment_complete(
    *, appointment_id: int, actor: Actor = None, sat: bool = False
) -> Appointment:
    """The sitting is over: the order lines are taken (results are recorded by the
    exam delivery or the results import, not here). Recorded once the appointment
    has started; earlier only with ``sat``, when the exam delivery has finished
    every test of it (a candidate checked in and started before the booked time)."""
    with transaction.atomic():
        appointment, changed = _centre_transition(
            appointment_id=appointment_id,
            allowed_from=[AppointmentStatus.CHECKED_IN],
            to=AppointmentStatus.COMPLETED,
            kind=EventKind.APPOINTMENT_COMPLETED,
            actor=actor,
            after_start=not sat,
            reason="completed",
        )
        if changed:
            for test in selectors.live_tests_of(appointment.pk):
                orders.line_mark_taken(line_id=test.order_line_id, actor=actor)
    return appointment


def appointment_mark_no_show(
    *, appointment_id: int, actor: Actor = None
) -> Appointment:
    """The candidate did not come (recorded by the centre's staff after the start).

    ASE: a missed appointment is scored "No Show" and its fees are forfeited. Each
    test becomes a no_show result fact (kind as bought, dated the centre's local day
    of the appointment) and its order line is forfeited. Marking it again changes
    nothing.
    """
    with transaction.atomic():
        appointment, changed = _centre_transition(
            appointment_id=appointment_id,
            allowed_from=[AppointmentStatus.BOOKED],
            to=AppointmentStatus.NO_SHOW,
            kind=EventKind.APPOINTMENT_NO_SHOW,
            actor=actor,
            after_start=True,
            reason="no show",
        )
        if changed:
            # The local day, but never after the program's today: result_record
            # refuses a future date, and a centre east of UTC can be a day ahead.
            day = min(appointment.local_start().date(), today())
            for test in selectors.live_tests_of(appointment.pk):
                result_record(
                    technician_id=appointment.technician_id,
                    test=test.test,
                    date=day,
                    kind=test.kind,
                    outcome="no_show",
                    source="scheduling",
                    actor=actor,
                    external_id=f"appointment:{appointment.pk}:{test.order_line_id}",
                )
                orders.line_forfeit(line_id=test.order_line_id, actor=actor)
    return appointment


# --- reminders -----------------------------------------------------------------------


def appointment_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Send the day-before reminder for every booked appointment that starts
    tomorrow in its centre's local calendar; returns how many were sent.

    Each appointment is claimed with a conditional UPDATE of ``reminder_sent_at``
    (only while it is unset), inside the transaction that queues the e-mail, so
    overlapping or repeated runs send each reminder once.
    """
    moment = now or clock_now()
    # Coarse window in UTC (every zone's "tomorrow" lies in it), then the exact
    # local-day test per centre.
    candidates = (
        Appointment.objects.filter(
            status=AppointmentStatus.BOOKED,
            reminder_sent_at__isnull=True,
            starts_at__gt=moment,
            starts_at__lt=moment + dt.timedelta(days=3),
        )
        .select_related("centre", "technician", "technician__user")
        .order_by("starts_at", "id")
    )
    sent = 0
    for appointment in candidates:
        tomorrow = selectors.centre_local_today(
            appointment.centre, now=moment
        ) + dt.timedelta(days=1)
        if appointment.local_start().date() != tomorrow:
            continue
        with transaction.atomic():
            claimed = Appointment.objects.filter(
                pk=appointment.pk,
                status=AppointmentStatus.BOOKED,
                reminder_sent_at__isnull=True,
                sequence=appointment.sequence,
            ).update(reminder_sent_at=moment)
            if not claimed:
                continue
            appointment.reminder_sent_at = moment
            _event(
                appointment,
                kind=EventKind.APPOINTMENT_REMINDED,
                actor="reminders",
                reason="day-before reminder sent",
            )
            appointment_mail(appointment, template="appointment_reminder", invite=False)
        sent += 1
    return sent


# --- centres -------------------------------------------------------------------------


def centre_changed(
    *,
    centre_id: int,
    changed: Sequence[str],
    actor: Actor = None,
    created: bool = False,
) -> None:
    """Record a change to a centre's settings (the admin saves the rows; this writes
    the audit event and applies a new seat count to the future seat blocks)."""
    if not changed and not created:
        return
    with transaction.atomic():
        centre = TestCentre.objects.get(pk=centre_id)
        event_record(
            kind=EventKind.CENTRE_CREATED if created else EventKind.CENTRE_CHANGED,
            subject=f"centre:{centre.code}",
            actor=actor,
            data={"changed": list(changed)},
            reason=f"{centre.code}: {', '.join(changed) or 'created'}",
        )
        if "seats" in changed and not created:
            centre_seats_sync(centre_id=centre.pk, actor=actor)


def centre_delete(*, centre_id: int, actor: Actor = None) -> None:
    """Delete a centre that never had an appointment (a mistaken entry), with its
    hours, closures and seat blocks; one with appointments is refused (mark it
    inactive instead), since they are the history of who sat where."""
    with transaction.atomic():
        centre = TestCentre.objects.select_for_update().filter(pk=centre_id).first()
        if centre is None:
            return
        if Appointment.objects.filter(centre_id=centre.pk).exists():
            raise BookingError(
                "centre",
                f"{centre.code} has appointments and is kept: untick "
                "'active' to stop bookings there instead.",
            )
        code, name = centre.code, centre.name
        centre.delete()
        event_record(
            kind=EventKind.CENTRE_DELETED,
            subject=f"centre:{code}",
            actor=actor,
            data={"before": {"code": code, "name": name}},
            reason=f"{code}: deleted",
        )


def centre_seats_sync(*, centre_id: int, actor: Actor = None) -> int:
    """Apply a centre's seat count to its future seat blocks; returns how many changed.

    Never below what is booked in a block: fewer seats stop new bookings there but do
    not cancel anyone.
    """
    with transaction.atomic():
        centre = TestCentre.objects.select_for_update().get(pk=centre_id)
        changed = (
            SeatBlock.objects.filter(centre_id=centre.pk, starts_at__gte=clock_now())
            .exclude(seats=Greatest(Value(centre.seats), F("booked")))
            .update(seats=Greatest(Value(centre.seats), F("booked")))
        )
        if changed:
            event_record(
                kind=EventKind.CENTRE_SEATS_SYNCED,
                subject=f"centre:{centre.code}",
                actor=actor,
                data={"seats": centre.seats, "blocks": changed},
                reason=f"{centre.code} now has {centre.seats} seats",
            )
    return changed
