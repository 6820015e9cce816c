"""``{% load certwright_verification %}``: the public lookups per day, for the staff
home page (the page belongs to the portal; the count is this app's)."""

from __future__ import annotations

import datetime as dt

from django import template

from certwright.verification.selectors import lookups_per_day

register = template.Library()


@register.simple_tag
def verification_lookups(days: int = 7) -> list[tuple[dt.date, int]]:
    return lookups_per_day(days=days)
