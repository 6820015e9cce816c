"""A technician's last name: the last word of the name unless given, kept apart
from the name, and what the lookup compares."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certwright.candidates.services import technician_create, technician_update
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.verification.selectors import lookup_answer, name_key
from certwright.verification.services import family_name_in

pytestmark = pytest.mark.django_db


def test_the_last_name_starts_as_the_last_word_and_follows_a_new_name() -> None:
    technician = technician_create(name="  Maria  Okafor ")
    assert technician.family_name == "Okafor"
    updated = technician_update(
        technician_id=technician.pk, name="Maria Okafor-Reyes", email=""
    )
    assert updated.family_name == "Okafor-Reyes"


def test_a_given_last_name_is_kept_and_is_what_the_lookup_compares() -> None:
    # Given a technician whose family name is not the last word of the name
    technician = technician_create(
        name="María de la Cruz Ana", family_name="de la Cruz"
    )
    program, on = current_program(), today()
    # When looked up by that family name, typed any way, then she is found
    found = lookup_answer(
        technician.certification_id, "DE LA CRUZ", program=program, on=on
    )
    assert found is not None
    assert found.name == "María de la Cruz Ana"
    # And the last word of her name alone does not match
    assert (
        lookup_answer(technician.certification_id, "Ana", program=program, on=on)
        is None
    )
    # And an e-mail change leaves the family name as it is
    technician_update(
        technician_id=technician.pk, name=technician.name, email="m@example.com"
    )
    technician.refresh_from_db()
    assert technician.family_name == "de la Cruz"


_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéüñ", min_size=1, max_size=8)


@given(words=st.lists(_WORD, min_size=1, max_size=5), data=st.data())
def test_any_run_of_the_names_words_is_found_as_recorded(
    words: list[str], data: st.DataObject
) -> None:
    name = " ".join(w.capitalize() for w in words)
    recorded = name.split()
    i = data.draw(st.integers(0, len(recorded) - 1))
    j = data.draw(st.integers(i + 1, len(recorded)))
    typed = " ".join(recorded[i:j]).upper()
    found = family_name_in(name, typed)
    # What is found names the same words (an earlier run may spell them alike)
    assert found is not None
    assert name_key(found) == name_key(typed)
    assert found in name


def test_a_name_outside_the_recorded_one_is_not_found() -> None:
    assert family_name_in("María de la Cruz", "Smith") is None
    assert family_name_in("María de la Cruz", "Cru") is None
    assert family_name_in("María de la Cruz", "") is None
    assert family_name_in("María de la Cruz", "maria DE") == "María de"
