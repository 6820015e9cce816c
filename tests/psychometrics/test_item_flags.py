"""Item flags point at the items a program should look at again, in plain words."""

import numpy as np
import pytest

from certwright.psychometrics import FlagRules, item_analysis, simulate


@pytest.fixture(scope="module")
def form():
    """3,000 examinees, 30 items: 0 very easy, 1 very hard, 2 weakly discriminating."""
    a, b = simulate.item_params(30, 1)
    a[:3], b[:3] = (1.0, 1.0, 0.05), (-4.0, 4.0, 0.0)
    scored = simulate.responses(simulate.abilities(3000, 2), a, b, 3)
    key = np.random.default_rng(4).integers(0, 4, 30)
    return simulate.choices(scored, key, 5), key


def codes(analysis, item):
    return {f.code for f in analysis.flags_for(item)}


def test_easy_hard_and_weak_items_are_flagged(form):
    """p above 0.90 → easy; below 0.15 → hard; rpb under 0.20 → weak."""
    # given
    choices, key = form
    # when
    analysis = item_analysis(choices, key)
    # then
    assert "easy" in codes(analysis, 0)
    assert "hard" in codes(analysis, 1)
    assert "low-discrimination" in codes(analysis, 2)
    hard = next(f for f in analysis.flags_for(1) if f.code == "hard")
    assert hard.value == pytest.approx(analysis.p[1])
    assert "Check the key" in hard.reason


def test_a_wrong_key_shows_as_negative_discrimination_and_positive_distractor(form):
    """Item 10 keyed to a distractor: rpb < 0 ("check the key"), real key positive."""
    # given
    choices, key = form
    wrong_key = key.copy()
    wrong_key[10] = (key[10] + 1) % 4
    # when
    analysis = item_analysis(choices, wrong_key)
    # then
    negative = [
        f for f in analysis.flags_for(10) if f.code == "negative-discrimination"
    ]
    assert len(negative) == 1
    assert "Check the key" in negative[0].reason
    positive = [f for f in analysis.flags_for(10) if f.code == "distractor-positive"]
    assert [f.option for f in positive] == [int(key[10])]


def test_well_behaved_items_carry_no_flags(form):
    """A typical item (p 0.3–0.8, rpb ≥ 0.3) is not flagged."""
    # given
    choices, key = form
    # when
    analysis = item_analysis(choices, key, rules=FlagRules(distractor_min_share=0.0))
    # then
    typical = [
        j for j in range(3, 30) if 0.3 < analysis.p[j] < 0.8 and analysis.rpb[j] > 0.3
    ]
    assert len(typical) > 10
    assert all(not analysis.flags_for(j) for j in typical)


def test_pretest_item_seen_by_few_is_marked_unstable():
    """An item shown to fewer examinees than ``min_seen`` says so."""
    # given
    a, b = simulate.item_params(10, 1)
    scored = simulate.planned_missing(
        simulate.responses(simulate.abilities(500, 2), a, b, 3), [9], 4, share=0.1
    )
    choices = simulate.choices(scored, np.zeros(10, dtype=int), 5)
    in_total = np.arange(10) < 9
    # when
    analysis = item_analysis(choices, np.zeros(10, dtype=int), in_total=in_total)
    # then
    few = [f for f in analysis.flags_for(9) if f.code == "few-responses"]
    assert len(few) == 1
    assert few[0].value == analysis.n_seen[9] < 100
