"""The admin of experience records: the review queue, approving through the service.

The technician admin (a technician's facts and derived state side by side) is
registered by ``certwright.credentials.admin``: it shows what credentials derives.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from certwright.candidates.models import ExperienceRecord
from certwright.candidates.services import experience_record_approve


@admin.register(ExperienceRecord)
class ExperienceRecordAdmin(admin.ModelAdmin):
    """The experience review queue: staff approve documented experience here."""

    list_display = ("technician", "kind", "employer", "start", "end", "full_time",
                    "approved", "approved_at")  # fmt: skip
    list_filter = ("approved", "kind", "full_time")
    search_fields = ("technician__certification_id", "technician__name", "employer")
    list_select_related = ("technician",)
    actions = ("approve_selected",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # added on the technician's page, through the service

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Approve selected experience records")
    def approve_selected(
        self, request: HttpRequest, queryset: QuerySet[ExperienceRecord]
    ) -> None:
        # The one approval the review page and the API make too: its checks (a
        # withdrawn record is refused), its recompute and its e-mails.
        withdrawn = list(queryset.filter(withdrawn_at__isnull=False))
        if withdrawn:
            self.message_user(
                request,
                "Nothing was approved: the candidate withdrew "
                + ", ".join(f"{r.technician} {r}" for r in withdrawn)
                + ". Unselect withdrawn records and try again.",
                messages.ERROR,
            )
            return
        ids = list(queryset.filter(approved=False).values_list("id", flat=True))
        try:
            with transaction.atomic():
                for record_id in ids:
                    experience_record_approve(record_id=record_id, actor=request.user)  # type: ignore[arg-type]
        except ValidationError as error:
            self.message_user(
                request,
                "Nothing was approved: " + " ".join(error.messages),
                messages.ERROR,
            )
            return
        self.message_user(request, f"Approved {len(ids)} experience records.")
