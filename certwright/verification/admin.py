"""The lookup counts and opt-outs in the admin, read-only: the counts are written by
each lookup, opt-outs by the technician (``lookup_opt_out_set``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from certwright.verification.models import LookupOptOut, LookupWindow, ShareLink


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LookupWindow)
class LookupWindowAdmin(_ReadOnly):
    list_display = ("window_start", "client", "count")
    date_hierarchy = "window_start"
    search_fields = ("client",)


@admin.register(LookupOptOut)
class LookupOptOutAdmin(_ReadOnly):
    list_display = ("technician", "created_at")
    raw_id_fields = ("technician",)


@admin.register(ShareLink)
class ShareLinkAdmin(_ReadOnly):
    list_display = ("technician", "label", "created_at", "revoked_at")
    raw_id_fields = ("technician",)
    search_fields = ("technician__certification_id", "label")
