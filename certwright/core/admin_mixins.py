"""What admin pages of several apps share."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


class ReadOnlyMixin:
    """An admin that shows rows and changes none: for rows that a service writes
    (with its audit event) or that are derived, where an edit in the admin would
    bypass the one function that changes them. Django then shows each row without a
    Save button."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
