"""``{% load certwright_portal %}``: the role menu and the landing page, for the base
template, the front door and the refusal pages (decided in ``portal.navigation``)."""

from __future__ import annotations

from typing import Any

from django import template

from certwright.portal import navigation

register = template.Library()


@register.simple_tag
def role_menu(user: Any) -> list[navigation.MenuLink]:
    """The menu entries of ``user``'s roles."""
    return navigation.menu_for(user)


@register.simple_tag
def landing_url(user: Any) -> str:
    """The page ``user`` lands on after signing in."""
    return navigation.landing_url(user)
