"""Staff admin for centres and appointments.

Program staff see every centre; a centre admin (Django staff listed in a centre's
``admins``) sees only their centre(s), its hours, closures, seats and appointments.
Appointments are read-only here: they change only through the services (booking,
the check-in and no-show actions below), so every change has its audit event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from certwright.core.roles import user_is_program_staff
from certwright.scheduling import selectors, services
from certwright.scheduling.models import (
    Appointment,
    AppointmentTest,
    Closure,
    OpeningHours,
    SeatBlock,
    TestCentre,
)


def _centres(request: HttpRequest) -> QuerySet[TestCentre]:
    return selectors.centres_administered(request.user)


def centre_time(value: dt.datetime | None, centre: TestCentre) -> str:
    """``value`` on the centre's clock with its zone ("2026-03-10 09:00 CDT
    (America/Chicago)"): an appointment is made for a time in the centre's zone, and
    the admin's own zone (UTC) says nothing to a proctor or a candidate."""
    if value is None:
        return "-"
    local = value.astimezone(centre.tz)
    return f"{local:%Y-%m-%d %H:%M} {local:%Z} ({centre.time_zone})"


class OpeningHoursInline(admin.TabularInline[OpeningHours, TestCentre]):
    model = OpeningHours
    extra = 0


class ClosureInline(admin.TabularInline[Closure, TestCentre]):
    model = Closure
    extra = 0


@admin.register(TestCentre)
class TestCentreAdmin(admin.ModelAdmin[TestCentre]):
    list_display = ["code", "name", "city", "region", "time_zone", "seats", "active"]
    list_filter = ["active", "country", "region"]
    search_fields = ["code", "name", "city", "postal_code"]
    filter_horizontal = ["admins"]
    inlines = [OpeningHoursInline, ClosureInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "active", "seats", "time_zone"]}),
        (
            _("Address"),
            {
                "fields": [
                    "address_line1",
                    "address_line2",
                    "city",
                    "region",
                    "postal_code",
                    "country",
                ]
            },
        ),
        (_("Staff"), {"fields": ["admins"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[TestCentre]:
        return super().get_queryset(request).filter(pk__in=_centres(request))

    def get_readonly_fields(
        self, request: HttpRequest, obj: TestCentre | None = None
    ) -> list[str]:
        # A centre admin runs the centre; who runs it is program staff's decision.
        if user_is_program_staff(request.user):
            return []
        return ["code", "admins"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return user_is_program_staff(request.user) and super().has_add_permission(
            request
        )

    def has_delete_permission(
        self, request: HttpRequest, obj: TestCentre | None = None
    ) -> bool:
        return user_is_program_staff(request.user) and super().has_delete_permission(
            request, obj
        )

    def delete_model(self, request: HttpRequest, obj: TestCentre) -> None:
        self.delete_queryset(request, TestCentre.objects.filter(pk=obj.pk))

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[TestCentre]
    ) -> None:
        # Through the service: it refuses a centre with appointments and writes
        # the audit event.
        for centre in queryset:
            try:
                services.centre_delete(
                    centre_id=centre.pk, actor=selectors.request_actor(request)
                )
            except services.BookingError as error:
                self.message_user(request, error.message, messages.ERROR)

    def save_model(
        self, request: HttpRequest, obj: TestCentre, form: ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        # Kept on the instance (admin objects are shared between requests).
        obj._audit_changed = list(form.changed_data)  # type: ignore[attr-defined]

    def save_formset(
        self,
        request: HttpRequest,
        form: ModelForm[Any],
        formset: BaseInlineFormSet[Any, Any, Any],
        change: bool,
    ) -> None:
        super().save_formset(request, form, formset, change)
        if formset.has_changed():
            changed = getattr(form.instance, "_audit_changed", [])
            changed.append(str(formset.model._meta.verbose_name_plural))
            form.instance._audit_changed = changed

    def save_related(
        self, request: HttpRequest, form: ModelForm[Any], formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        services.centre_changed(
            centre_id=form.instance.pk,
            changed=getattr(form.instance, "_audit_changed", []),
            actor=selectors.request_actor(request),
            created=not change,
        )


class AppointmentTestInline(admin.TabularInline[AppointmentTest, Appointment]):
    model = AppointmentTest
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "test",
        "kind",
        "minutes",
        "order_line_id",
        "must_take_by",
        "released_at",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin[Appointment]):
    list_display = ["starts_local", "centre", "technician", "status", "sequence"]
    list_filter = ["status", "centre"]
    search_fields = ["technician__name", "technician__certification_id", "uid"]
    date_hierarchy = "starts_at"
    list_select_related = ["centre", "technician"]
    inlines = [AppointmentTestInline]
    actions = ["check_in", "mark_no_show"]
    fields = readonly_fields = (
        "technician",
        "centre",
        "starts_local",
        "ends_local",
        "status",
        "uid",
        "sequence",
        "booked_at",
        "updated_at",
        "cancelled_at",
        "reminder_sent_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Appointment]:
        return super().get_queryset(request).filter(centre__in=_centres(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: Appointment | None = None
    ) -> bool:
        return False

    @admin.display(description=_("starts (centre's time)"), ordering="starts_at")
    def starts_local(self, obj: Appointment) -> str:
        return centre_time(obj.starts_at, obj.centre)

    @admin.display(description=_("ends (centre's time)"), ordering="ends_at")
    def ends_local(self, obj: Appointment) -> str:
        return centre_time(obj.ends_at, obj.centre)

    def _each(
        self, request: HttpRequest, queryset: QuerySet[Appointment], action: Any
    ) -> None:
        done = 0
        for appointment in queryset:
            try:
                action(
                    appointment_id=appointment.pk,
                    actor=selectors.request_actor(request),
                )
            except services.BookingError as error:
                self.message_user(
                    request, f"{appointment}: {error.message}", messages.ERROR
                )
            else:
                done += 1
        if done:
            self.message_user(request, _("%d recorded.") % done, messages.SUCCESS)

    @admin.action(description=_("Record check-in"), permissions=["view"])
    def check_in(self, request: HttpRequest, queryset: QuerySet[Appointment]) -> None:
        self._each(request, queryset, services.appointment_check_in)

    @admin.action(
        description=_("Record no-show (forfeits the fees)"), permissions=["view"]
    )
    def mark_no_show(
        self, request: HttpRequest, queryset: QuerySet[Appointment]
    ) -> None:
        self._each(request, queryset, services.appointment_mark_no_show)


@admin.register(SeatBlock)
class SeatBlockAdmin(admin.ModelAdmin[SeatBlock]):
    """Read-only: seat counts change only by booking and cancelling."""

    list_display = ["centre", "starts_local", "booked", "seats"]
    list_filter = ["centre"]
    list_select_related = ["centre"]
    date_hierarchy = "starts_at"
    readonly_fields = ["centre", "starts_local", "booked", "seats"]

    @admin.display(description=_("starts (centre's time)"), ordering="starts_at")
    def starts_local(self, obj: SeatBlock) -> str:
        return centre_time(obj.starts_at, obj.centre)

    def get_queryset(self, request: HttpRequest) -> QuerySet[SeatBlock]:
        return super().get_queryset(request).filter(centre__in=_centres(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: SeatBlock | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: SeatBlock | None = None
    ) -> bool:
        return False
