"""``{% load certwright_proctor %}``: whether to show the proctor console in the
menu."""

from __future__ import annotations

from typing import Any

from django import template

from certwright.proctoring.selectors import may_proctor

register = template.Library()


@register.simple_tag
def user_may_proctor(user: Any) -> bool:
    """Proctors, centre admins and program staff (by role; the roles are read once
    per request and cached on the user, so this costs no query on a page that asked
    already). Whether they staff a centre is the console's own check."""
    if not getattr(user, "is_authenticated", False):
        return False
    return may_proctor(user)
