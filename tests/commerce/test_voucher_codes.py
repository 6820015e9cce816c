"""Voucher codes are unguessable, typable, and carry a check character."""

from __future__ import annotations

import re

from certwright.commerce.vouchers import voucher_code_new, voucher_code_normalize


def test_a_new_code_has_four_groups_and_validates():
    code = voucher_code_new()
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", code)
    assert voucher_code_normalize(code) == code


def test_codes_are_random():
    assert len({voucher_code_new() for _ in range(200)}) == 200


def test_typing_slips_are_forgiven():
    """Lower case, spaces, no dashes, O for 0 and I/L for 1 read as the code."""
    code = voucher_code_new()
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert voucher_code_normalize(typed) == code


def test_a_wrong_character_or_length_is_refused():
    code = voucher_code_new()
    swapped = code[:-1] + ("0" if code[-1] != "0" else "2")
    assert voucher_code_normalize(swapped) is None
    assert voucher_code_normalize(code[:-2]) is None
    assert voucher_code_normalize("") is None
    assert voucher_code_normalize("!!!!-!!!!-!!!!-!!!!") is None
