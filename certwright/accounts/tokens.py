"""The format of API tokens: ``cw_<prefix>_<secret>``.

The prefix (8 hex characters) finds the row and is safe to show in lists and logs;
the secret is 256 random bits, so a plain SHA-256 of the whole token is enough to
store (a slow password hash protects guessable secrets, and these are not).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import NamedTuple

SCHEME = "cw"
PREFIX_BYTES = 4
SECRET_BYTES = 32
# Long enough for any token we issue; anything longer is refused before hashing.
MAX_LENGTH = 100
_HEX = frozenset("0123456789abcdef")


class NewToken(NamedTuple):
    prefix: str
    raw: str
    hashed: str


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def token_new() -> NewToken:
    prefix = secrets.token_hex(PREFIX_BYTES)
    raw = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    return NewToken(prefix=prefix, raw=raw, hashed=token_hash(raw))


def token_prefix(raw: str) -> str | None:
    """The prefix of something that looks like one of our tokens, else None."""
    if not raw or len(raw) > MAX_LENGTH:
        return None
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != SCHEME or not parts[2]:
        return None
    prefix = parts[1]
    if len(prefix) != 2 * PREFIX_BYTES or not set(prefix) <= _HEX:
        return None
    return prefix


def token_matches(raw: str, hashed: str) -> bool:
    # Constant time, so response timing says nothing about how close a guess was.
    return hmac.compare_digest(token_hash(raw), hashed)
