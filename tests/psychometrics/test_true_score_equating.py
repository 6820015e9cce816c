"""IRT true-score equating carries the cut to a new form and builds its scale table."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from certwright.psychometrics import (
    ThetaScale,
    base_form_scale,
    equate_form,
    simulate,
    tcc,
)
from certwright.psychometrics.equating import Linking, true_score_equate


@pytest.fixture
def base():
    return simulate.item_params(50, 81)


def test_the_same_form_equates_to_itself(base):
    """Equating a form to itself: e(x) = x, the same cut, the base form's table."""
    # given
    a, b = base
    table, theta_cut = base_form_scale(a, b, 32)
    # when
    result = equate_form(a, b, a, b, base_cut=32)
    # then
    np.testing.assert_allclose(result.equated, np.arange(51), atol=1e-9)
    assert result.cut == 32
    assert result.scale == table
    assert result.theta_cut == pytest.approx(theta_cut)
    assert table[32] == 500
    assert table[31] < 500


def test_a_harder_form_needs_fewer_points():
    """Every item 0.3 harder: each raw score is worth more, so the raw cut drops."""
    # given
    a, b = simulate.item_params(50, 82)
    # when
    result = equate_form(a, b + 0.3, a, b, base_cut=32)
    # then
    assert (result.equated[1:-1] > np.arange(1, 50)).all()
    assert result.cut < 32
    assert result.equated[result.cut] >= 32 > result.equated[result.cut - 1]


def test_linking_is_applied_before_equating():
    """Parameters on another scale plus their linking = the same parameters on base."""
    # given
    a, b = simulate.item_params(40, 83)
    a_base, b_base = simulate.item_params(45, 84)
    linking = Linking(1.1, 0.25, "given")
    a_new_scale, b_new_scale = a * 1.1, (b - 0.25) / 1.1
    # when
    via_linking = equate_form(
        a_new_scale, b_new_scale, a_base, b_base, base_cut=30, linking=linking
    )
    direct = equate_form(a, b, a_base, b_base, base_cut=30)
    # then
    np.testing.assert_allclose(via_linking.equated, direct.equated, atol=1e-9)
    assert via_linking.scale == direct.scale
    assert via_linking.cut == direct.cut


def test_a_base_table_is_read_at_the_equated_scores(base):
    """With a program's own base table, the new table interpolates it at e(x)."""
    # given
    a, b = base
    base_table = [100 + 4 * raw for raw in range(51)]  # passing = table[30] = 220
    a_new, b_new = simulate.item_params(50, 85)
    # when
    result = equate_form(a_new, b_new, a, b, base_cut=30, base_table=base_table)
    # then
    e = result.equated
    expected = np.floor(100 + 4 * e + 0.5)
    assert result.scale[result.cut] >= 220
    assert all(s < 220 for s in result.scale[: result.cut])
    middle = [x for x in range(51) if abs(expected[x] - 220) > 4]
    assert [result.scale[x] for x in middle] == [int(expected[x]) for x in middle]


@given(
    seed=st.integers(0, 10_000),
    n_items=st.integers(5, 75),
    cut_share=st.floats(0.2, 0.9),
    shift=st.floats(-1.0, 1.0),
    points=st.floats(10, 200),
)
def test_the_scaled_cut_maps_back_to_the_equated_raw_cut(
    seed, n_items, cut_share, shift, points
):
    """On every form: scaled ≥ passing exactly when raw ≥ the form's raw cut."""
    # given
    a_base, b_base = simulate.item_params(60, seed)
    a_new, b_new = simulate.item_params(n_items, seed + 1, b_mean=shift)
    base_cut = max(1, min(59, round(60 * cut_share)))
    scale = ThetaScale(passing=300, low=100, high=500, points_per_logit=points)
    # when
    result = equate_form(a_new, b_new, a_base, b_base, base_cut=base_cut, scale=scale)
    # then
    table = np.array(result.scale)
    assert table.shape == (n_items + 1,)
    assert ((table >= 300) == (np.arange(n_items + 1) >= result.cut)).all()
    assert (np.diff(table) >= 0).all()
    assert table.min() >= 100
    assert table.max() <= 500
    # and the raw cut is where the new form's TCC reaches θ_cut
    expected_cut = tcc([result.theta_cut], result.a, result.b)[0]
    assert result.cut == int(np.ceil(expected_cut - 1e-9))


def test_true_score_equating_maps_the_ends_to_the_ends(base):
    """Raw 0 → 0 and the new maximum → the base maximum."""
    # given
    a, b = base
    # when
    e = true_score_equate(a[:30], b[:30], a, b)
    # then
    assert e[0] == 0.0
    assert e[30] == 50.0
    assert (np.diff(e) > 0).all()
