"""Two-factor authentication for staff and proctors.

A signed-in user who must use a second factor (``roles.user_needs_mfa``: Django
staff, superusers, proctors, test-centre administrators, program staff) and has no
authenticator app or security key yet is sent to set one up before anything else.
Exempt: allauth's own pages (sign-in, sign-out, the 2FA set-up itself,
re-authentication), the admin's log-out and static files. API requests get a 403 JSON
answer instead of a redirect, since a client cannot follow a set-up page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from certwright.accounts.selectors import user_mfa_enabled
from certwright.core.roles import user_needs_mfa

API_PREFIX = "/api/"


def _static_prefix() -> str:
    url = settings.STATIC_URL or "/static/"
    return url if url.startswith("/") else f"/{url}"


def _exempt(path: str) -> bool:
    if path.startswith(_static_prefix()):
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return False
    module = getattr(match.func, "__module__", "") or ""
    # Every allauth view (account and mfa pages alike) lives in allauth.*; the
    # admin's log-out lets a staff member leave without setting anything up.
    return module.startswith("allauth.") or match.view_name == "admin:logout"


class RequireMfaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        return self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if not user_needs_mfa(user):
            return None
        path = request.path_info
        if path.startswith(API_PREFIX):
            if user_mfa_enabled(user):
                return None
            return JsonResponse(
                {
                    "detail": _(
                        "Two-factor authentication is required for this account: "
                        "set it up on the web before using the API."
                    )
                },
                status=403,
            )
        if _exempt(path) or user_mfa_enabled(user):
            return None
        return HttpResponseRedirect(reverse("mfa_activate_totp"))
