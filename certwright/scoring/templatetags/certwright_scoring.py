from __future__ import annotations

from typing import Any

from django import template

from certwright.scoring.selectors import can_analyse as _can_analyse

register = template.Library()


@register.simple_tag
def can_analyse(user: Any) -> bool:
    """Whether ``user`` may open the psychometrics pages (for the navigation)."""
    return bool(user.is_authenticated) and _can_analyse(user)


@register.filter
def percent(value: Any, digits: int = 0) -> str:
    """0.734 → '73%' (an empty string for None)."""
    if value is None or value == "":
        return ""
    return f"{float(value) * 100:.{digits}f}%"


@register.filter
def fixed(value: Any, digits: int = 2) -> str:
    """A number with ``digits`` decimals; '–' for None (not computable)."""
    if value is None or value == "" or isinstance(value, bool):
        return "–"
    return f"{float(value):.{int(digits)}f}"
