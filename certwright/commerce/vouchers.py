"""Voucher codes: ``XXXX-XXXX-XXXX-XXXX``, 15 random characters and a check character.

The characters are Crockford's base32 (as certification IDs, ``candidates.ids``), so a
code read over the phone or typed from paper survives the usual mistakes: case, ``O``
for ``0``, ``I``/``L`` for ``1``, spaces and dashes. 15 random characters are 75 bits:
guessing a live code is hopeless, and the Luhn mod 32 check character refuses a typo
before any lookup.
"""

from __future__ import annotations

import secrets

from certwright.candidates.ids import ALPHABET, check_character

BODY_LENGTH = 15
GROUP = 4
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _format(raw: str) -> str:
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def voucher_code_new() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return _format(body + check_character(body))


def voucher_code_normalize(text: str) -> str | None:
    """The canonical form of a typed code, or None when it cannot be a voucher code."""
    raw = "".join(text.split()).upper().replace("-", "").translate(_READ_AS)
    if len(raw) != BODY_LENGTH + 1 or any(ch not in ALPHABET for ch in raw):
        return None
    body, check = raw[:BODY_LENGTH], raw[BODY_LENGTH]
    if check_character(body) != check:
        return None
    return _format(raw)
