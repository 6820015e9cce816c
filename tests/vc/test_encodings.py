"""Multibase, the status list bitstring and did:web: round trips and the rules."""

from __future__ import annotations

import gzip

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certwright.vc import did_web, status_list
from certwright.vc.multibase import (
    MultibaseError,
    base58btc_decode,
    base58btc_encode,
    base64url_decode,
    base64url_encode,
    ed25519_public_from_multikey,
    ed25519_public_multikey,
)


@given(st.binary(max_size=200))
def test_base58btc_round_trips(data: bytes) -> None:
    assert base58btc_decode(base58btc_encode(data)) == data


@given(st.binary(max_size=200))
def test_base64url_round_trips_without_padding(data: bytes) -> None:
    text = base64url_encode(data)
    assert text.startswith("u")
    assert not set(text) & set("=+/")
    assert base64url_decode(text) == data


@given(st.binary(min_size=32, max_size=32))
def test_public_multikeys_start_z6mk_and_round_trip(raw: bytes) -> None:
    text = ed25519_public_multikey(raw)
    assert text.startswith("z6Mk")
    assert ed25519_public_from_multikey(text) == raw


def test_wrong_prefixes_are_clear_errors() -> None:
    with pytest.raises(MultibaseError, match="'z'"):
        base58btc_decode("u123")
    with pytest.raises(MultibaseError, match="'u'"):
        base64url_decode("zabc")
    with pytest.raises(MultibaseError, match="public key"):
        ed25519_public_from_multikey(base58btc_encode(b"\x80\x26" + bytes(32)))


@given(
    st.sets(
        st.integers(min_value=0, max_value=status_list.MIN_ENTRIES - 1), max_size=50
    )
)
def test_status_list_round_trips_the_set_bits(indexes: set[int]) -> None:
    # Given a fresh list with some bits set
    bits = status_list.new_bitstring()
    for i in indexes:
        status_list.set_bit(bits, i)
    # When encoded and decoded
    back = status_list.decode(status_list.encode(bits))
    # Then exactly those bits are set
    assert len(back) * 8 == status_list.MIN_ENTRIES
    assert {
        i for i in range(len(back) * 8) if back[i // 8] and status_list.get_bit(back, i)
    } == indexes


def test_bit_order_is_most_significant_first() -> None:
    # Given entries 0 and 9
    bits = status_list.new_bitstring()
    status_list.set_bit(bits, 0)
    status_list.set_bit(bits, 9)
    # Then the first byte is 0b1000_0000 and the second 0b0100_0000
    assert bits[0] == 0x80
    assert bits[1] == 0x40
    # And the encoding is gzip under multibase 'u'
    assert (
        gzip.decompress(base64url_decode(status_list.encode(bits)))[:2] == b"\x80\x40"
    )
    status_list.set_bit(bits, 9, False)
    assert bits[1] == 0


def test_status_list_refuses_small_lists_bad_indexes_and_bad_data() -> None:
    with pytest.raises(status_list.StatusListError, match="at least"):
        status_list.new_bitstring(1024)
    with pytest.raises(status_list.StatusListError, match="outside"):
        status_list.get_bit(status_list.new_bitstring(), status_list.MIN_ENTRIES)
    with pytest.raises(status_list.StatusListError, match="GZIP"):
        status_list.decode(base64url_encode(b"not gzip"))


@pytest.mark.parametrize(
    ("url", "did", "doc"),
    [
        (
            "https://certs.example.org",
            "did:web:certs.example.org",
            "https://certs.example.org/.well-known/did.json",
        ),
        (
            "http://localhost:8000/",
            "did:web:localhost%3A8000",
            "https://localhost:8000/.well-known/did.json",
        ),
        (
            "https://example.org/issuers/ase",
            "did:web:example.org:issuers:ase",
            "https://example.org/issuers/ase/did.json",
        ),
    ],
)
def test_did_web_from_site_url_and_back(url: str, did: str, doc: str) -> None:
    assert did_web.did_from_url(url) == did
    assert did_web.url_from_did(did) == doc


def test_did_web_refuses_non_http_urls() -> None:
    with pytest.raises(did_web.DidWebError):
        did_web.did_from_url("ftp://example.org")
