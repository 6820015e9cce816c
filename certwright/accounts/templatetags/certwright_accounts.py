"""Template helpers for the account pages: ``{% load certwright_accounts %}``."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from certwright.core.roles import user_is_program_staff as _user_is_program_staff
from certwright.core.roles import user_needs_mfa as _user_needs_mfa

register = template.Library()


@register.simple_tag
def login_failure_limit() -> int:
    """How many wrong passwords in a row pause sign-in (django-axes)."""
    return int(settings.AXES_FAILURE_LIMIT)


@register.simple_tag
def user_needs_mfa(user: Any) -> bool:
    return _user_needs_mfa(user)


@register.simple_tag
def user_is_program_staff(user: Any) -> bool:
    """Program staff (a superuser or the role; see ``roles.user_is_program_staff``):
    they see the review queue."""
    return bool(user.is_authenticated) and _user_is_program_staff(user)
