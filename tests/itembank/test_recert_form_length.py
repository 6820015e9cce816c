"""A recertification form follows the program's shorter length: A1 recert is 25
scored questions in 30 minutes, no pretest items, the areas in the blueprint's
proportions."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from certwright.core.program import current_program
from certwright.itembank.form_building import form_assemble, form_plan
from certwright.itembank.services import ItemBankError
from tests.support.itembank import DAY, synthetic_bank


def test_a1_recert_is_25_questions_in_30_minutes(db: Any) -> None:
    """The recert form holds 25 scored items, none unscored, A10 B3 C2 D5 E5."""
    # given
    synthetic_bank(count=120)
    # when
    form = form_assemble(test="A1", kind="recert", day=DAY, seed=1)
    # then
    rows = list(form.items.all())
    assert len(rows) == 25
    assert all(r.scored for r in rows)
    assert form.minutes == 30
    assert Counter(r.area for r in rows) == {"A": 10, "B": 3, "C": 2, "D": 5, "E": 5}


def test_a_test_without_stated_recert_length_uses_the_full_one() -> None:
    """A2's recertification length is not in the program: the recert form has the
    blueprint's scored count, still without pretest items."""
    # when
    plan = form_plan(program=current_program(), test="A2", kind="recert", day=DAY)
    # then
    assert plan.scored == 45
    assert plan.pretest == 0


def test_a_blueprint_without_area_counts_cannot_be_assembled() -> None:
    """B3's areas have no published counts: the refusal says so."""
    # when / then
    with pytest.raises(ItemBankError, match="question count of every content area"):
        form_plan(program=current_program(), test="B3", kind="initial", day=DAY)
