"""Staff admin for attempts, accommodations and incidents.

Attempts and incidents are read-only here: they change only through the services
(the player, the proctor's controls), so every change has its audit event. An
accommodation is approved by saving a new one, which goes through
``accommodation_approve``; "revoke" is an action.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from certwright.core.roles import user_is_program_staff as is_program_staff
from certwright.delivery import accommodations
from certwright.delivery.errors import DeliveryError
from certwright.delivery.models import Accommodation, Attempt, Incident
from certwright.scheduling.selectors import request_actor


class _ProgramStaffOnly:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_program_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_program_staff(request.user)


class _ReadOnly(_ProgramStaffOnly):
    """Shown, never changed here: the services are the only writers."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]  # type: ignore[attr-defined]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Attempt)
class AttemptAdmin(_ReadOnly, admin.ModelAdmin[Attempt]):
    list_display = [
        "id",
        "technician",
        "test",
        "kind",
        "status",
        "started_at",
        "submitted_at",
        "raw_score",
        "scaled_score",
        "passed",
    ]
    list_filter = ["status", "kind", "test"]
    search_fields = ["technician__name", "technician__certification_id"]
    date_hierarchy = "created_at"


class AccommodationForm(ModelForm[Accommodation]):
    """Checks the service's rules before saving, so a refusal shows on its field
    instead of failing the save."""

    class Meta:
        model = Accommodation
        fields = ["technician", "test", "extra_percent", "extra_minutes", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if any(self.has_error(f) for f in ("test", "extra_percent", "extra_minutes")):
            return data
        try:
            accommodations.accommodation_check(
                test=data.get("test") or "",
                extra_percent=data.get("extra_percent"),
                extra_minutes=data.get("extra_minutes"),
            )
        except DeliveryError as error:
            field = "test"
            if error.code == "minutes":
                given = data.get("extra_minutes") is not None
                field = "extra_minutes" if given else "extra_percent"
            self.add_error(field, error.messages)
        return data


@admin.register(Accommodation)
class AccommodationAdmin(_ProgramStaffOnly, admin.ModelAdmin[Accommodation]):
    list_display = [
        "technician",
        "test",
        "extra_percent",
        "extra_minutes",
        "approved_at",
        "revoked_at",
    ]
    list_filter = ["test"]
    search_fields = ["technician__name", "technician__certification_id"]
    autocomplete_fields = ["technician"]
    form = AccommodationForm
    fields = ["technician", "test", "extra_percent", "extra_minutes", "note"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_program_staff(request.user)

    def has_change_permission(
        self, request: HttpRequest, obj: Accommodation | None = None
    ) -> bool:
        # An approved accommodation is never edited: revoke it and approve another.
        return obj is None and is_program_staff(request.user)

    def has_delete_permission(
        self, request: HttpRequest, obj: Accommodation | None = None
    ) -> bool:
        return False

    def save_model(
        self,
        request: HttpRequest,
        obj: Accommodation,
        form: ModelForm[Accommodation],
        change: bool,
    ) -> None:
        saved = accommodations.accommodation_approve(
            technician_id=obj.technician_id,
            test=obj.test,
            extra_percent=obj.extra_percent,
            extra_minutes=obj.extra_minutes,
            note=obj.note,
            actor=request_actor(request),
        )
        obj.pk = saved.pk

    @admin.action(description=_("Revoke the selected accommodations"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Accommodation]) -> None:
        for accommodation in queryset:
            accommodations.accommodation_revoke(
                accommodation_id=accommodation.pk, actor=request_actor(request)
            )
        messages.success(request, _("Revoked."))


@admin.register(Incident)
class IncidentAdmin(_ReadOnly, admin.ModelAdmin[Incident]):
    list_display = ["created_at", "technician", "attempt", "note", "created_by_label"]
    search_fields = ["technician__name", "note"]
