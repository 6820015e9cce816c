"""The synthetic generator is seeded, covers the blueprint, marks its items as
synthetic, and its simulated answers follow the items' generating parameters."""

from __future__ import annotations

from collections import Counter

import numpy as np

from certwright.core.program import current_program
from certwright.itembank.synthetic import synthetic_items, synthetic_responses
from tests.support.itembank import DAY


def test_same_seed_same_items_covering_the_blueprint() -> None:
    """Two runs with seed 7 agree; seed 8 differs; every area has operational and
    pretest items in the blueprint's proportions; codes and stems say synthetic."""
    # given
    program = current_program()
    # when
    first, again, other = (
        synthetic_items(program=program, test="A1", count=400, seed=s, day=DAY)
        for s in (7, 7, 8)
    )
    # then
    assert first.items == again.items
    assert first.items != other.items
    operational = Counter(i.area for i in first.items if i.status == "operational")
    pretest = Counter(i.area for i in first.items if i.status == "pretest")
    assert sum(pretest.values()) == 60
    assert operational == {"A": 136, "B": 45, "C": 30, "D": 61, "E": 68}
    assert set(pretest) == set(operational)
    assert all(i.code.startswith("SYN7-A1-") for i in first.items)
    assert all(i.stem.startswith("[Synthetic A1") for i in first.items)
    assert all(len(set(i.options)) == 4 for i in first.items)


def test_simulated_answers_follow_difficulty() -> None:
    """An easy item (b = -2) is answered right far more often than a hard one
    (b = +2); wrong answers never hit the key; the same seed gives the same
    answers."""
    # given
    params = [(1.0, -2.0, 0), (1.0, 2.0, 3)]
    # when
    theta, choices = synthetic_responses(params, examinees=4000, seed=3)
    _theta2, choices2 = synthetic_responses(params, examinees=4000, seed=3)
    # then
    assert choices.shape == (4000, 2)
    assert choices.dtype == np.int8
    assert np.array_equal(choices, choices2)
    right = (choices == np.array([0, 3])).mean(axis=0)
    assert right[0] > 0.8
    assert right[1] < 0.2
    assert set(np.unique(choices)) <= {0, 1, 2, 3}
    assert abs(float(theta.mean())) < 0.1
