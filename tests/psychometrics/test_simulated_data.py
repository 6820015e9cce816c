"""The synthetic generators are seeded, consistent and shaped like real data."""

import numpy as np

from certwright.psychometrics import MISSING, NOT_SEEN, OMIT, dichotomize, simulate


def test_same_seed_same_data():
    """A seed fixes parameters, abilities and responses."""
    # when
    first = simulate.responses(
        simulate.abilities(100, 1), *simulate.item_params(10, 2), 3
    )
    second = simulate.responses(
        simulate.abilities(100, 1), *simulate.item_params(10, 2), 3
    )
    # then
    assert (first == second).all()
    assert first.dtype == np.int8


def test_planned_missing_shows_each_pretest_item_to_its_share():
    """Each pretest column is seen by 10–15 % of examinees; the rest stay complete."""
    # given
    a, b = simulate.item_params(12, 1)
    scored = simulate.responses(simulate.abilities(20_000, 2), a, b, 3)
    # when
    sparse = simulate.planned_missing(scored, range(10, 12), 4)
    # then
    seen = (sparse != MISSING).mean(axis=0)
    assert (seen[:10] == 1).all()
    assert ((seen[10:] > 0.09) & (seen[10:] < 0.16)).all()


def test_option_choices_agree_with_right_and_wrong():
    """Choices score back to the same 1/0/−1; distractors pull weaker examinees."""
    # given
    a, b = simulate.item_params(20, 1)
    scored = simulate.planned_missing(
        simulate.responses(simulate.abilities(5000, 2), a, b, 3), [19], 4, share=0.5
    )
    key = np.random.default_rng(5).integers(0, 4, 20)
    # when
    choices = simulate.choices(scored, key, 6, omit_rate=0.02)
    # then
    assert (dichotomize(choices, key) == scored).all()
    wrong = scored == 0
    assert 0.01 < ((choices == OMIT) & wrong).sum() / wrong.sum() < 0.03
    assert ((choices == NOT_SEEN) == (scored == MISSING)).all()
    total = (scored == 1).sum(axis=1)
    for j in range(19):
        picked = choices[:, j]
        wrong_mean = total[(picked != key[j]) & (picked < 4)].mean()
        assert wrong_mean < total[picked == key[j]].mean()
