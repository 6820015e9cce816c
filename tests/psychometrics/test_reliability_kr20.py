"""KR-20 has its known value, equals Cronbach's alpha on 0/1 data, and gives the SEM."""

import numpy as np
import pytest

from certwright.psychometrics import item_analysis, simulate


def test_kr20_known_value_on_a_guttman_pattern():
    """Six examinees on a perfect Guttman scale of four items: KR-20 = 5/6 exactly.

    Totals 0, 1, 2, 3, 4, 4 (mean 7/3, variance 20/9); p = 5/6, 4/6, 3/6, 2/6, so
    Σpq = (5 + 8 + 9 + 8) / 36 = 30/36 and KR-20 = 4/3 · (1 − (30/36)/(20/9)) = 5/6.
    """
    # given: examinee i answers the i easiest items right (key A, wrong = B)
    right = np.array(
        [
            [0, 0, 0, 0],
            [1, 0, 0, 0],
            [1, 1, 0, 0],
            [1, 1, 1, 0],
            [1, 1, 1, 1],
            [1, 1, 1, 1],
        ]
    )
    choices = np.where(right == 1, 0, 1).astype(np.uint8)
    # when
    analysis = item_analysis(choices, [0, 0, 0, 0])
    # then
    assert analysis.kr20 == pytest.approx(5 / 6)
    assert analysis.sem == pytest.approx(np.sqrt(20 / 9) * np.sqrt(1 / 6))


def test_kr20_equals_cronbach_alpha_on_simulated_data():
    """On 0/1 items KR-20 is Cronbach's alpha (population variances throughout)."""
    # given
    a, b = simulate.item_params(30, 1)
    scored = simulate.responses(simulate.abilities(2000, 2), a, b, 3)
    key = np.zeros(30, dtype=int)
    choices = np.where(scored == 1, 0, 2).astype(np.uint8)
    # when
    analysis = item_analysis(choices, key)
    # then
    item_var = scored.var(axis=0).sum()
    total_var = scored.sum(axis=1).var()
    alpha = 30 / 29 * (1 - item_var / total_var)
    assert analysis.kr20 == pytest.approx(alpha, abs=1e-12)
    assert 0.80 < analysis.kr20 < 0.92  # a 30-item 2PL form on N(0, 1)
