"""Multibase and multikey encodings used by Data Integrity proofs and DID documents.

Only the two bases the specifications use here: base58btc (prefix ``z``) for keys and
signatures, base64url without padding (prefix ``u``) for the status list.
"""

from __future__ import annotations

import base64

import base58

# Multicodec prefixes (varint-encoded) for Ed25519 keys, from the multicodec table:
# ed25519-pub = 0xed, ed25519-priv = 0x1300.
ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"


class MultibaseError(ValueError):
    """A value is not the multibase (or multikey) encoding it should be."""


def base58btc_encode(data: bytes) -> str:
    return "z" + base58.b58encode(data).decode("ascii")


def base58btc_decode(text: str) -> bytes:
    if not text.startswith("z"):
        raise MultibaseError(
            f"expected a base58btc multibase value starting with 'z', got {text[:1]!r}"
        )
    try:
        return base58.b58decode(text[1:].encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise MultibaseError(f"not base58btc: {exc}") from exc


def base64url_encode(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def base64url_decode(text: str) -> bytes:
    if not text.startswith("u"):
        raise MultibaseError(
            f"expected a base64url multibase value starting with 'u', got {text[:1]!r}"
        )
    body = text[1:]
    if any(c in body for c in "+/="):
        raise MultibaseError("base64url multibase allows no '+', '/' or padding")
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (ValueError, UnicodeEncodeError) as exc:
        raise MultibaseError(f"not base64url: {exc}") from exc


def _multikey_encode(prefix: bytes, raw: bytes) -> str:
    if len(raw) != 32:
        raise MultibaseError(f"an Ed25519 key is 32 bytes, got {len(raw)}")
    return base58btc_encode(prefix + raw)


def _multikey_decode(prefix: bytes, text: str, what: str) -> bytes:
    data = base58btc_decode(text)
    if not data.startswith(prefix) or len(data) != len(prefix) + 32:
        raise MultibaseError(f"not an Ed25519 {what} multikey")
    return data[len(prefix) :]


def ed25519_public_multikey(raw: bytes) -> str:
    """``publicKeyMultibase`` of a 32-byte Ed25519 public key (``z6Mk…``)."""
    return _multikey_encode(ED25519_PUB_PREFIX, raw)


def ed25519_public_from_multikey(text: str) -> bytes:
    return _multikey_decode(ED25519_PUB_PREFIX, text, "public key")


def ed25519_private_multikey(raw: bytes) -> str:
    return _multikey_encode(ED25519_PRIV_PREFIX, raw)


def ed25519_private_from_multikey(text: str) -> bytes:
    return _multikey_decode(ED25519_PRIV_PREFIX, text, "private key")
