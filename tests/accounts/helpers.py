"""Helpers for the accounts tests: signing in as a browser does, reading links out
of mail, computing TOTP codes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time
from typing import Any

from django.core import mail
from django.test import Client, TestCase

PASSWORD = "Correct-horse-battery-9"


def sign_in(client: Client, email: str, password: str = PASSWORD, **extra: Any) -> Any:
    """Sign in through allauth's form, as a browser does (axes, rate limits and
    the 2FA stage all apply; ``client.login`` would skip them)."""
    return client.post(
        "/accounts/login/", {"login": email, "password": password}, **extra
    )


def post_committed(client: Client, path: str, data: dict[str, Any]) -> Any:
    """POST as a browser does and let the request's transaction "commit": the
    test's own transaction never does, so the after-commit callbacks (sending the
    mail the request queued) run here, as they would at the end of a real request."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(path, data)


def link_in_mail(pattern: str, *, index: int = -1) -> str:
    """The first URL path in the ``index``-th mail sent that matches ``pattern``."""
    body = str(mail.outbox[index].body)
    paths = re.findall(r"https?://testserver(/\S*)", body)
    found = [p for p in paths if pattern in p]
    assert found, body
    return found[0]


def totp_code(secret: str, at: float | None = None) -> str:
    """RFC 6238: what an authenticator app shows for ``secret`` (30 s, 6 digits)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**6:06d}"
