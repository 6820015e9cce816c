"""Bitstring Status List v1.0: the compressed bitstring carried in ``encodedList``.

Entry *i* is bit *i* counted from the most significant bit of the first byte; a set bit
means the credential at that index is revoked.
"""

from __future__ import annotations

import gzip
import io

from certwright.vc.multibase import MultibaseError, base64url_decode, base64url_encode

# The specification's minimum, so one list's size says nothing about how many
# credentials it holds (herd privacy).
MIN_ENTRIES = 131_072


class StatusListError(ValueError):
    """An encoded list that is not one, or an index outside the list."""


def new_bitstring(entries: int = MIN_ENTRIES) -> bytearray:
    if entries < MIN_ENTRIES or entries % 8:
        raise StatusListError(
            f"a status list holds a multiple of 8 entries, at least {MIN_ENTRIES}"
        )
    return bytearray(entries // 8)


def _check(bits: bytes | bytearray, index: int) -> None:
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(
            f"index {index} is outside the list of {len(bits) * 8} entries"
        )


def get_bit(bits: bytes | bytearray, index: int) -> bool:
    _check(bits, index)
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def set_bit(bits: bytearray, index: int, value: bool = True) -> None:
    _check(bits, index)
    mask = 0x80 >> (index % 8)
    if value:
        bits[index // 8] |= mask
    else:
        bits[index // 8] &= ~mask & 0xFF


def encode(bits: bytes | bytearray) -> str:
    """``encodedList``: multibase base64url (``u``) of the GZIP-compressed bitstring."""
    # mtime=0: the same list always encodes the same way (stable ETags).
    return base64url_encode(gzip.compress(bytes(bits), mtime=0))


def decode(encoded: str, max_bytes: int = 16 * 1024 * 1024) -> bytearray:
    try:
        compressed = base64url_decode(encoded)
    except MultibaseError as exc:
        raise StatusListError(f"encodedList: {exc}") from exc
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(compressed)) as f:
            # Bounded: a small gzip bomb must not fill the memory.
            data = f.read(max_bytes + 1)
    except (OSError, EOFError) as exc:
        raise StatusListError(f"encodedList is not GZIP data: {exc}") from exc
    if len(data) > max_bytes:
        raise StatusListError("encodedList is larger than allowed")
    return bytearray(data)
