"""Naming recognition levels from the program in force (the levels are data)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def level_name(levels: dict[str, Any], code: str | None) -> str:
    rule = levels.get(code or "")
    return str(rule.name) if rule is not None else (code or "")


@register.simple_tag
def level_estimated(levels: dict[str, Any], code: str | None) -> bool:
    rule = levels.get(code or "")
    return bool(rule is not None and rule.estimated)
