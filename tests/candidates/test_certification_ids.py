"""Personal certification IDs: ``CW-`` + 8 base32 characters + a check character,
typed back the way people type them, never mistaken for an ASE company ID."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certwright.candidates.ids import (
    ALPHABET,
    PREFIX,
    certification_id_new,
    certification_id_normalize,
)
from certwright.candidates.models import Technician
from certwright.candidates.services import technician_create


def test_a_new_id_has_the_documented_shape():
    """A new ID is ``CW-`` + 9 Crockford base32 characters and validates."""
    # when IDs are made
    ids = [certification_id_new() for _ in range(500)]
    # then each has the shape, none starts with 9, and each validates as itself
    for cid in ids:
        assert cid.startswith(PREFIX)
        body = cid[len(PREFIX) :]
        assert len(body) == 9
        assert set(body) <= set(ALPHABET)
        assert body[0] != "9"
        assert certification_id_normalize(cid) == cid


@given(st.randoms(use_true_random=False))
def test_a_single_mistyped_character_is_caught(rng):
    """Changing any one character of an ID makes it invalid (the check character)."""
    # given an ID and a position and a different character
    cid = certification_id_new()
    body = cid[len(PREFIX) :]
    pos = rng.randrange(len(body))
    wrong = rng.choice([c for c in ALPHABET if c != body[pos]])
    typo = PREFIX + body[:pos] + wrong + body[pos + 1 :]
    # then the typo is not an ID
    assert certification_id_normalize(typo) is None


def test_ids_are_read_the_way_people_type_them():
    """Lower case, spaces, dashes, a missing prefix and O/I/L for 0/1/1 are accepted."""
    # given an ID with a 0 and a 1 in it
    body = "K0M21QXP"
    from certwright.candidates.ids import check_character

    cid = f"CW-{body}{check_character(body)}"
    loose = f"cw {body[:4].lower()} {body[4:].replace('0', 'O').replace('1', 'l')}"
    # when read back
    # then each spelling is the canonical ID
    assert certification_id_normalize(loose + check_character(body)) == cid
    assert certification_id_normalize(body + check_character(body)) == cid
    assert certification_id_normalize(f"  {cid.lower()} ") == cid


@pytest.mark.parametrize("text", ["", "CW-", "9ABCDEFGHJ", "CW-ABCDEFGHU", "hello"])
def test_non_ids_are_refused(text):
    """Empty input, wrong lengths, U (not in the alphabet) and 9-first are refused."""
    assert certification_id_normalize(text) is None


def test_an_id_starting_with_9_is_never_ours():
    """Even with a correct check character, a body starting with 9 is refused: ASE
    company IDs begin with 9."""
    from certwright.candidates.ids import check_character

    body = "9ABCDEFG"
    assert certification_id_normalize(body + check_character(body)) is None


@pytest.mark.django_db
def test_registering_a_technician_assigns_a_unique_id_and_an_event():
    """``technician_create`` assigns an ID and records a technician.created event."""
    from certwright.audit.models import Event, EventKind

    # when two technicians are registered
    a = technician_create(name="Ana Lima", email="ana@example.com", actor="cli")
    b = technician_create(name="Ben Ode")
    # then they have distinct valid IDs and each has its event
    assert a.certification_id != b.certification_id
    assert Technician.objects.count() == 2
    event = Event.objects.get(technician=a, kind=EventKind.TECHNICIAN_CREATED)
    assert (event.actor_label, event.data["after"]["name"]) == ("cli", "Ana Lima")
