"""Personal certification IDs: ``CW-`` + 8 random characters + 1 check character.

The characters are Crockford's base32 (no I, L, O or U), so an ID read aloud or typed
from a wall certificate survives the usual mistakes: input is upper-cased, ``O`` is read
as ``0`` and ``I``/``L`` as ``1``, spaces and dashes are ignored. The check character
(Luhn mod 32) catches every single wrong character and most swapped neighbours before
a lookup ever runs.

ASE gives company accounts IDs beginning with ``9`` and forbids them on a candidate's
form; ours never begin with ``9`` even without the prefix, so the two cannot be taken
for each other.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "CW-"
BODY_LENGTH = 8
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_N = len(ALPHABET)


def check_character(body: str) -> str:
    """The Luhn mod 32 check character for ``body`` (already normalised)."""
    total = 0
    factor = 2
    for ch in reversed(body):
        addend = factor * _VALUE[ch]
        total += addend // _N + addend % _N
        factor = 1 if factor == 2 else 2
    return ALPHABET[(_N - total % _N) % _N]


def certification_id_new() -> str:
    """A fresh random ID (uniqueness is the caller's to check: 32^8 ≈ 10^12 values)."""
    first = secrets.choice(ALPHABET.replace("9", ""))
    body = first + "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH - 1))
    return PREFIX + body + check_character(body)


def certification_id_normalize(text: str) -> str | None:
    """The canonical form of a typed ID, or None when it cannot be one of ours."""
    raw = "".join(text.split()).upper().replace("-", "")
    if len(raw) == BODY_LENGTH + 3 and raw.startswith("CW"):
        raw = raw[2:]
    raw = raw.translate(_READ_AS)
    if len(raw) != BODY_LENGTH + 1 or any(ch not in _VALUE for ch in raw):
        return None
    body, check = raw[:BODY_LENGTH], raw[BODY_LENGTH]
    if body[0] == "9" or check_character(body) != check:
        return None
    return PREFIX + body + check
