"""Shops in the admin, read-only: employment is proposed, confirmed and ended by the
shop and the technician (``shops.services``), recognition is derived from the
program's rules (``shop_recognition_check``); staff look, and see the history."""

from __future__ import annotations

from django.contrib import admin

from certwright.core.admin_mixins import ReadOnlyMixin
from certwright.shops.models import Employment, RecognitionPeriod, ShopProfile


@admin.register(ShopProfile)
class ShopProfileAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("organization", "city", "zip_code", "areas", "updated_at")
    search_fields = ("organization__name", "organization__code", "city", "zip_code")


@admin.register(Employment)
class EmploymentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "shop", "technician", "state", "proposed_by", "proposed_at", "confirmed_at",
        "ended_at", "show_name",
    )  # fmt: skip
    list_filter = ("proposed_by",)
    raw_id_fields = ("technician",)
    search_fields = ("shop__name", "shop__code", "technician__certification_id")


@admin.register(RecognitionPeriod)
class RecognitionPeriodAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("shop", "level", "since", "until", "certified", "technicians")
    list_filter = ("level",)
    date_hierarchy = "since"
    search_fields = ("shop__name", "shop__code")
