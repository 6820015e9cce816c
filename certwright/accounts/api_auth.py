"""Authentication for the REST API: a browser session or an API token.

``certwright.interface.api`` mounts the routers that need a signed-in user with
``auth=SessionOrToken``; an operation can name it too. Inside, ``request.auth`` and
``request.user`` are both the signed-in user, whichever way they came.

The token is tried first, on purpose: ninja's session auth (``django_auth``) checks
CSRF before it even looks for a session cookie, so a token client's POST (which has
neither a cookie nor a CSRF token) would be refused with 403 if the session came
first; ``Session`` below also answers 401, not 403, to a visitor with no session. A
request that carries ``Authorization: Bearer ...`` is judged by that token alone: a
wrong or revoked token is 401 even when a session cookie rides along. Session
requests that change something need Django's CSRF token (the ``X-CSRFToken``
header, which base.html gives every htmx request).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from certwright.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = api_token_authenticate(token)
        if user is None:
            # Refuse outright rather than fall through to the session.
            raise AuthenticationError(message="Invalid or revoked API token.")
        request.user = user
        return user


class Session(SessionAuth):
    """ninja's session auth (``django_auth``: the session cookie plus Django's CSRF
    check on unsafe methods), except that a request with no signed-in session is
    simply not authenticated (401) instead of failing the CSRF check (403)."""

    def __call__(self, request: HttpRequest) -> Any | None:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


class SessionOnly(Session):
    """A signed-in browser session, never a token: for operations a leaked token
    must not be able to perform (minting more tokens)."""

    def __call__(self, request: HttpRequest) -> Any | None:
        if request.headers.get("Authorization"):
            raise AuthenticationError(
                message="This needs a signed-in browser session, not an API token."
            )
        return super().__call__(request)


SessionOrToken = [TokenAuth(), Session()]
