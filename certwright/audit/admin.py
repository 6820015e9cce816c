from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from certwright.audit.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The audit trail, read-only: events are appended by services, never edited."""

    list_display = (
        "occurred_at",
        "kind",
        "subject",
        "technician",
        "actor_label",
        "reason",
    )
    # No date_hierarchy and no filter by actor: both run a DISTINCT over the whole
    # log, which holds an event per derived change (millions at full size).
    list_filter = ("kind", ("occurred_at", admin.DateFieldListFilter))
    search_fields = ("subject", "reason", "technician__certification_id", "actor_label")
    list_select_related = ("technician",)
    raw_id_fields = ("technician", "actor")
    # The full count over millions of events is a slow COUNT(*) on PostgreSQL.
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
