"""Successive seeds give different forms from one pool; a seed, always the same."""

import random

from certwright.assembly import FormSpec, assemble
from tests.assembly.pools import A1_AREAS, synthetic_pool

POOL = synthetic_pool(2000, seed=21)


def form(seed: int, pool=POOL) -> tuple[int, ...]:
    result = assemble(pool, FormSpec(A1_AREAS, pretest=10, max_exposure=4, seed=seed))
    return result.scored + result.pretest


def test_different_seeds_give_different_forms():
    """Five seeds give five different forms, any two sharing under a quarter."""
    # given
    seeds = range(5)
    # when
    forms = [form(s) for s in seeds]
    # then
    assert len(set(forms)) == 5
    for a in forms:
        for b in forms:
            if a is not b:
                assert len(set(a) & set(b)) < 15


def test_the_same_seed_gives_the_same_form():
    """The same seed and pool give the same form, whatever order the pool is in."""
    # given
    shuffled = list(POOL)
    random.Random(0).shuffle(shuffled)
    # when
    first, again, reordered = form(3), form(3), form(3, shuffled)
    # then
    assert first == again == reordered
