"""``{{ value|link_free }}``: someone else's text, never a link in a mail client."""

from __future__ import annotations

from django import template

from certwright.notifications.text import link_free as _link_free

register = template.Library()


@register.filter(is_safe=False)
def link_free(value: object) -> str:
    # Not marked safe: the HTML templates still escape the result.
    return _link_free(value)
