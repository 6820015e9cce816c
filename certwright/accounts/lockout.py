"""django-axes glue: which account a failed sign-in was for.

allauth authenticates with ``email=...`` (the login form's field is ``login``;
re-authentication passes ``username`` and ``email``), and axes would otherwise look
for a single configured field name. Lower-casing keeps "Ana@x" and "ana@x" one
account for the failure count. And the page shown during a lock-out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.helpers import get_cool_off, get_failure_limit
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The e-mail address a sign-in attempt was for, lower-cased.

    After a successful sign-in axes asks again with only the username Django knows
    (allauth generates one, like "ana"), to reset the failure count: that is mapped
    back to the account's address, or the count would never reset.
    """
    credentials = credentials or {}
    posted = getattr(request, "POST", None) or {}
    for value in (posted.get("login"), credentials.get("email")):
        if value:
            return str(value).strip().lower()
    name = credentials.get("login") or credentials.get("username")
    if not name:
        return ""
    name = str(name).strip()
    if "@" in name:
        return name.lower()
    email = (
        get_user_model()
        .objects.filter(username=name)
        .values_list("email", flat=True)
        .first()
    )
    return (email or name).lower()


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page shown instead of the sign-in form while an account is locked out:
    429, saying why, for how long, and that a password reset still works."""
    cool_off = get_cool_off(request) or dt.timedelta(0)
    return render(
        request,
        "account/lockout.html",
        {
            "failure_limit": get_failure_limit(request, credentials),
            "cooloff_minutes": max(1, round(cool_off.total_seconds() / 60)),
        },
        status=429,
    )
