"""Item analysis gives the textbook values on a five-examinee form worked by hand.

Key A, B, C. Totals 3, 2, 2, 1, 0 (mean 1.6, variance 1.04). Item 1: right for the
first three, rest scores 2, 1, 1, 1, 0, so r(item, rest) = 0.2 / √(0.24 · 0.4).
"""

import math

import numpy as np
import pytest

from certwright.psychometrics import OMIT, FlagRules, item_analysis

KEY = [0, 1, 2]
CHOICES = np.array(
    [
        [0, 1, 2],
        [0, 1, 3],
        [0, 2, 2],
        [1, 1, OMIT],
        [2, 3, 3],
    ],
    dtype=np.uint8,
)


@pytest.fixture
def analysis():
    return item_analysis(CHOICES, KEY, rules=FlagRules(min_seen=1))


def test_p_values_and_corrected_point_biserials(analysis):
    """p is the share right; rpb correlates the item with the total minus itself."""
    # then
    assert analysis.p.tolist() == pytest.approx([0.6, 0.6, 0.4])
    assert analysis.rpb[0] == pytest.approx(0.2 / math.sqrt(0.24 * 0.4))
    assert analysis.rpb[1] == pytest.approx(0.0, abs=1e-12)
    assert analysis.rpb[2] == pytest.approx(0.12 / math.sqrt(0.24 * 0.56))


def test_total_score_summary_and_kr20(analysis):
    """Mean 1.6, SD √1.04; KR-20 = 3/2 · (1 − 0.72 / 1.04) = 6/13; SEM = √0.56."""
    # then
    assert analysis.total.tolist() == [3, 2, 2, 1, 0]
    assert analysis.mean == pytest.approx(1.6)
    assert analysis.sd == pytest.approx(math.sqrt(1.04))
    assert analysis.kr20 == pytest.approx(6 / 13)
    assert analysis.sem == pytest.approx(math.sqrt(0.56))


def test_option_shares_point_biserials_and_mean_totals(analysis):
    """Each option's share, its correlation with the rest score, its choosers' mean."""
    # then: item 1 (key A) was answered A, A, A, B, C
    share = analysis.option_share[0]
    assert share.tolist() == pytest.approx([0.6, 0.2, 0.2, 0.0, 0.0])
    assert analysis.option_rpb[0, 0] == pytest.approx(analysis.rpb[0])
    assert analysis.option_rpb[0, 1] == pytest.approx(0.0, abs=1e-12)
    assert analysis.option_rpb[0, 2] == pytest.approx(-0.2 / math.sqrt(0.16 * 0.4))
    assert math.isnan(analysis.option_rpb[0, 3])  # nobody chose D
    means = analysis.option_mean_total[0]
    assert means[:3].tolist() == pytest.approx([7 / 3, 1.0, 0.0])
    assert math.isnan(means[3])
    # and the omit column of item 3 holds the examinee who left it blank
    assert analysis.option_share[2, 4] == pytest.approx(0.2)
    assert analysis.option_mean_total[2, 4] == pytest.approx(1.0)


def test_distractor_drawing_stronger_candidates_is_flagged(analysis):
    """Item 2's option C drew a total-2 examinee: rest 2, 1, 2, 0, 0 (variance 0.8)."""
    # when
    codes = {(f.code, f.option) for f in analysis.flags_for(1)}
    # then
    assert ("distractor-positive", 2) in codes
    positive = next(f for f in analysis.flags_for(1) if f.code == "distractor-positive")
    assert positive.value == pytest.approx(0.2 / math.sqrt(0.16 * 0.8))
    assert "Distractor C" in positive.reason
    assert "key" in positive.reason
