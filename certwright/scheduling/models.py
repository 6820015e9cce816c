"""Test centres, their seats in time, and candidates' appointments.

A centre's capacity is stored as ``SeatBlock`` rows: one per centre per fixed block of
time (``BLOCK_MINUTES``), counting the seats booked in it. An appointment occupies
every block from its start up to its end, and a booking only succeeds by raising
``booked`` in each of them with a conditional ``UPDATE`` (see services.py), so two
bookings can never both take the last seat, on SQLite or PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certwright.candidates.models import Technician

# Seats are counted per block of this many minutes; appointments start on the block
# grid (counted from the UTC epoch, which every real UTC offset divides evenly).
BLOCK_MINUTES = 15
BLOCK = dt.timedelta(minutes=BLOCK_MINUTES)
MAX_SEATS = 500


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    """An IANA time zone name such as ``America/Chicago``."""
    if value not in _time_zones():
        raise ValidationError(
            _("%(value)s is not an IANA time zone name (e.g. America/Chicago)."),
            params={"value": value},
            code="time_zone",
        )


class TestCentre(models.Model):
    """A place with seats where candidates sit tests."""

    __test__ = False  # a model, not a test case for pytest to collect

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    address_line1 = models.CharField(_("address"), max_length=200)
    address_line2 = models.CharField(
        _("address (line 2)"), max_length=200, blank=True, default=""
    )
    city = models.CharField(_("city"), max_length=100)
    region = models.CharField(
        _("state or province"), max_length=100, blank=True, default=""
    )
    postal_code = models.CharField(_("postal code"), max_length=20)
    country = models.CharField(
        _("country"), max_length=2, default="US", help_text=_("ISO 3166 code")
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        validators=[validate_time_zone],
        help_text=_("IANA name, e.g. America/Chicago; opening hours are in it."),
    )
    seats = models.PositiveSmallIntegerField(
        _("seats"), validators=[MinValueValidator(1), MaxValueValidator(MAX_SEATS)]
    )
    # An inactive centre is listed nowhere and takes no new bookings; its existing
    # appointments stand.
    active = models.BooleanField(_("taking bookings"), default=True)
    # Centre admins and the proctors working there: they see this centre's day and
    # mark check-ins and no-shows, and nothing of other centres.
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="administered_centres",
        verbose_name=_("centre staff"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("test centre")
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__gte=1), name="sched_centre_has_seats"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def address(self) -> str:
        """The postal address on one line (the calendar invitation's LOCATION)."""
        place = " ".join(p for p in (self.region, self.postal_code) if p)
        parts = [
            self.name,
            self.address_line1,
            self.address_line2,
            self.city,
            place,
            self.country,
        ]
        return ", ".join(p for p in parts if p)


class Weekday(models.IntegerChoices):
    # Python's date.weekday() numbering.
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening interval on a weekday, in the centre's local time.

    A day may have several intervals (a lunch break); an appointment must fit inside
    one of them.
    """

    centre = models.ForeignKey(
        TestCentre, on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["centre_id", "weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")), name="sched_hours_close_after_open"
            ),
            models.UniqueConstraint(
                fields=["centre", "weekday", "opens"], name="sched_hours_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if (
            self.opens is not None
            and self.closes is not None
            and (self.closes <= self.opens)
        ):
            raise ValidationError({"closes": _("A centre closes after it opens.")})


class Closure(models.Model):
    """Days a centre is closed (a holiday, maintenance): ``starts_on`` to ``ends_on``
    inclusive, in the centre's local calendar."""

    centre = models.ForeignKey(
        TestCentre, on_delete=models.CASCADE, related_name="closures"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(
        _("to (inclusive)"), blank=True, help_text=_("Leave empty for one day.")
    )
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        ordering = ["centre_id", "starts_on"]
        verbose_name = _("closure")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="sched_closure_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["centre", "ends_on"], name="sched_closure_centre_end")
        ]

    def __str__(self) -> str:
        if self.ends_on and self.ends_on != self.starts_on:
            return f"{self.starts_on}–{self.ends_on}: {self.reason}"
        return f"{self.starts_on}: {self.reason}"

    def clean(self) -> None:
        if self.ends_on is None and self.starts_on is not None:
            self.ends_on = self.starts_on
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The closure ends before it starts.")})

    def covers(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class SeatBlock(models.Model):
    """The seats of one centre in one block of time, and how many are booked.

    Rows are created on demand by the booking transaction. ``booked`` only changes
    through the conditional updates in services.py; the check constraint is the last
    line of defence should anything else ever try.
    """

    centre = models.ForeignKey(
        TestCentre, on_delete=models.CASCADE, related_name="seat_blocks"
    )
    starts_at = models.DateTimeField()
    seats = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["centre_id", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "starts_at"], name="sched_block_unique"
            ),
            models.CheckConstraint(
                condition=Q(booked__gte=0) & Q(booked__lte=F("seats")),
                name="sched_block_not_overbooked",
            ),
        ]

    def __str__(self) -> str:
        when = f"{self.starts_at:%Y-%m-%d %H:%M}"
        return f"{self.centre_id} {when} {self.booked}/{self.seats}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("booked")
    CANCELLED = "cancelled", _("cancelled")
    CHECKED_IN = "checked_in", _("checked in")
    COMPLETED = "completed", _("completed")
    NO_SHOW = "no_show", _("no show")


# Appointments that hold seats and order lines.
LIVE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


class Appointment(models.Model):
    """A candidate's seat at a centre for one sitting of one or more tests.

    ``uid`` and ``sequence`` are the calendar invitation's UID and SEQUENCE: the UID
    stays for the appointment's life, the sequence goes up with every reschedule and
    with the cancellation, so calendars replace the event instead of adding one.
    """

    technician = models.ForeignKey(
        Technician, on_delete=models.PROTECT, related_name="appointments"
    )
    centre = models.ForeignKey(
        TestCentre, on_delete=models.PROTECT, related_name="appointments"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    uid = models.CharField(max_length=255, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    booked_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Claimed by the reminder sweep with a conditional UPDATE: set means sent (or
    # being sent) and never sent again; a reschedule clears it.
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="sched_appt_ends_after"
            ),
        ]
        indexes = [
            models.Index(fields=["centre", "starts_at"], name="sched_appt_centre_when"),
            models.Index(
                fields=["technician", "starts_at"], name="sched_appt_tech_when"
            ),
            models.Index(fields=["status", "starts_at"], name="sched_appt_status_when"),
        ]

    def __str__(self) -> str:
        # The centre's clock, as the candidate booked it (the admin's titles and
        # messages show this); UTC would put 09:00 in Chicago at "15:00".
        local = self.local_start()
        return f"{local:%Y-%m-%d %H:%M %Z} {self.centre.code} {self.status}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def local_start(self) -> dt.datetime:
        return self.starts_at.astimezone(self.centre.tz)

    def local_end(self) -> dt.datetime:
        return self.ends_at.astimezone(self.centre.tz)


class AppointmentTest(models.Model):
    """One purchased test (a commerce order line) sat in an appointment."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="tests"
    )
    # The commerce.OrderLine's id. Commerce owns the line's state; scheduling keeps
    # the id so that its migrations do not depend on commerce's.
    order_line_id = models.PositiveBigIntegerField()
    test = models.CharField(_("test"), max_length=16)
    # initial or recert, as bought: a no-show is recorded with this kind.
    kind = models.CharField(_("kind"), max_length=10)
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    # Copied from the line when booked: a reschedule must stay inside it too.
    must_take_by = models.DateField(_("must take by"))
    # Set when a cancellation gives the line back; a live line is in one appointment.
    released_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["appointment_id", "test"]
        constraints = [
            # A line may be in only one appointment that still holds it.
            models.UniqueConstraint(
                fields=["order_line_id"],
                condition=Q(released_at__isnull=True),
                name="sched_line_one_live_appt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.test} ({self.kind}, {self.minutes} min)"
