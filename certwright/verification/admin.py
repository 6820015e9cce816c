"""The lookup counts and opt-outs in the admin, read-only: the counts are written by
each lookup, opt-outs by the technician (``lookup_opt_out_set``)."""

from __future__ import annotations

from django.contrib import admin

from certwright.core.admin_mixins import ReadOnlyMixin
from certwright.verification.models import LookupOptOut, LookupWindow, ShareLink


@admin.register(LookupWindow)
class LookupWindowAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("window_start", "client", "count")
    date_hierarchy = "window_start"
    search_fields = ("client",)


@admin.register(LookupOptOut)
class LookupOptOutAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("technician", "created_at")
    raw_id_fields = ("technician",)


@admin.register(ShareLink)
class ShareLinkAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("technician", "label", "created_at", "revoked_at")
    raw_id_fields = ("technician",)
    search_fields = ("technician__certification_id", "label")
