"""``{{ cents|money:currency }}`` and ``{{ bp|percent }}`` for the shop pages."""

from __future__ import annotations

from django import template

from certwright.commerce.pricing import money as _money

register = template.Library()


@register.filter
def money(cents: int | None, currency: str = "USD") -> str:
    if cents is None:
        return ""
    return _money(int(cents), currency or "USD")


@register.filter
def percent(basis_points: int | None) -> str:
    """725 -> "7.25 %"."""
    if basis_points is None:
        return ""
    return f"{basis_points / 100:.2f} %"
