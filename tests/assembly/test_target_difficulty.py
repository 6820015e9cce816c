"""With a target difficulty, the scored items' mean IRT b lands on the target."""

import statistics

import pytest

from certwright.assembly import FormSpec, assemble
from certwright.assembly.solver import DIFFICULTY_STEP
from tests.assembly.pools import A1_AREAS, synthetic_pool

from .pools import form_problems, op

POOL = synthetic_pool(2000, seed=13)
B = {i.id: i.difficulty for i in POOL if i.difficulty is not None}


@pytest.mark.parametrize("target", [-0.5, 0.0, 0.8])
def test_mean_scored_difficulty_meets_the_target(target):
    """Within one step (0.01 logit) of the target, every constraint still met."""
    # given
    spec = FormSpec(A1_AREAS, pretest=10, max_exposure=4, target_difficulty=target)
    # when
    form = assemble(POOL, spec)
    # then
    assert form_problems(POOL, spec, form) == []
    mean = statistics.fmean(B[i] for i in form.scored)
    assert abs(mean - target) <= DIFFICULTY_STEP + 1e-9


def test_without_a_target_the_mean_is_left_to_chance():
    """The same pool without a target gives a mean well away from a far target."""
    # when
    form = assemble(POOL, FormSpec(A1_AREAS, pretest=10, max_exposure=4))
    # then
    assert abs(statistics.fmean(B[i] for i in form.scored) - 0.8) > 0.3


def test_an_unreachable_target_gets_as_close_as_the_pool_allows():
    """A target past the hardest items picks the hardest items."""
    # given
    pool = [op(i, "A", difficulty=i / 10) for i in range(1, 11)]
    # when
    form = assemble(pool, FormSpec({"A": 3}, pretest=0, target_difficulty=5.0))
    # then
    assert form.scored == (8, 9, 10)


def test_difficulty_outweighs_a_little_exposure():
    """Hitting the target is worth using an item that is on another form already."""
    # given: fresh items average 0.0; using item 3 (on one form) reaches 0.5 exactly
    pool = [op(1, "A", difficulty=0.0), op(2, "A", difficulty=0.0)]
    pool += [op(3, "A", difficulty=1.0, exposure=1)]
    # when
    form = assemble(pool, FormSpec({"A": 2}, pretest=0, target_difficulty=0.5))
    # then
    assert 3 in form.scored
