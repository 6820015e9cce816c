"""The time limit bounds the search: a form found by then comes back flagged as not
proven optimal, and no form at all is a clear error."""

import random

import pytest

from certwright.assembly import AssemblyTimeout, FormSpec, assemble
from tests.assembly.pools import A1_AREAS, synthetic_pool

from .pools import form_problems, op


def test_a_form_found_in_time_is_returned_not_optimal():
    """Even difficulties, an odd target: no exact fit, and proving it takes long."""
    # given: 35 items with even b sum to an even number; the target needs a sum of 1.
    # HiGHS finds a form in ~0.1 s and has not proven it best after 30 s.
    rng = random.Random(1)
    pool = [op(i, "A", difficulty=2.0 * rng.randint(-3, 3)) for i in range(1, 801)]
    spec = FormSpec({"A": 35}, pretest=0, target_difficulty=1 / 35, time_limit=1.0)
    # when
    form = assemble(pool, spec)
    # then
    assert form.optimal is False
    assert form_problems(pool, spec, form) == []


def test_no_form_in_time_is_an_error():
    """A time limit too short for any form raises AssemblyTimeout saying so."""
    # given
    pool = synthetic_pool(2000, seed=4)
    spec = FormSpec(A1_AREAS, pretest=10, target_difficulty=0.5, time_limit=1e-6)
    # when / then
    with pytest.raises(
        AssemblyTimeout, match="No form was found within the time limit"
    ):
        assemble(pool, spec)
