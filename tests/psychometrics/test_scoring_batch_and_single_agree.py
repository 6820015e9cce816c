"""Batch scoring and the one-candidate scorer give the same result, always."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from certwright.psychometrics import NOT_SEEN, OMIT, FormKey, score_attempt, score_batch


@st.composite
def forms_and_answers(draw):
    n_items = draw(st.integers(1, 40))
    n_options = draw(st.integers(2, 5))
    n_areas = draw(st.integers(1, 6))
    key = draw(
        st.lists(st.integers(0, n_options - 1), min_size=n_items, max_size=n_items)
    )
    scored = draw(st.lists(st.booleans(), min_size=n_items, max_size=n_items))
    if not any(scored):
        scored[draw(st.integers(0, n_items - 1))] = True
    area = draw(
        st.lists(st.integers(0, n_areas - 1), min_size=n_items, max_size=n_items)
    )
    n_scored = sum(scored)
    cut = draw(st.integers(0, n_scored))
    with_scale = draw(st.booleans())
    scale = (
        tuple(
            sorted(
                draw(
                    st.lists(
                        st.integers(100, 900),
                        min_size=n_scored + 1,
                        max_size=n_scored + 1,
                    )
                )
            )
        )
        if with_scale
        else None
    )
    form = FormKey(
        tuple(key), tuple(scored), tuple(area), n_areas, cut, scale, n_options
    )
    codes = st.one_of(st.integers(0, n_options - 1), st.sampled_from([OMIT, NOT_SEEN]))
    rows = draw(st.integers(1, 30))
    choices = draw(hnp.arrays(np.uint8, (rows, n_items), elements=codes))
    return form, choices


def as_answers(row):
    return [None if c == OMIT else int(c) for c in row]


@given(forms_and_answers())
def test_every_row_scores_the_same_both_ways(case):
    """Raw, area raw, pass/fail and scaled score agree exactly, row by row."""
    # given
    form, choices = case
    # when
    batch = score_batch(choices, form)
    # then
    for i, row in enumerate(choices):
        one = score_attempt(as_answers(row), form)
        assert one.raw == int(batch.raw[i])
        assert one.area_raw == tuple(int(v) for v in batch.area_raw[i])
        assert one.passed == bool(batch.passed[i])
        assert one.scaled == (None if batch.scaled is None else int(batch.scaled[i]))


def test_a_small_form_by_hand():
    """Two areas, one pretest item; the pretest answer never counts."""
    # given: positions 0–1 area 0, 2–3 area 1, 4 pretest; key A B C D A
    form = FormKey(
        key=(0, 1, 2, 3, 0),
        scored=(True, True, True, True, False),
        area=(0, 0, 1, 1, 0),
        n_areas=2,
        cut=3,
        scale=(200, 300, 400, 500, 600),
    )
    choices = np.array(
        [
            [0, 1, 2, 3, 0],  # all right
            [0, 1, 2, OMIT, 0],  # 3 right: pass
            [0, 0, 2, 2, 0],  # 2 right: fail
            [1, 0, 0, 0, 0],  # only the pretest right
        ],
        dtype=np.uint8,
    )
    # when
    result = score_batch(choices, form)
    # then
    assert result.raw.tolist() == [4, 3, 2, 0]
    assert result.area_raw.tolist() == [[2, 2], [2, 1], [1, 1], [0, 0]]
    assert result.passed.tolist() == [True, True, False, False]
    assert result.scaled is not None
    assert result.scaled.tolist() == [600, 500, 400, 200]
    assert score_attempt([0, 1, 2, None, 0], form).scaled == 500


def test_blocks_of_rows_join_up_exactly():
    """Across the internal block boundaries every examinee keeps their own score."""
    # given: more rows than two blocks, random answers, areas interleaved
    rng = np.random.default_rng(7)
    n_items = 75
    key = rng.integers(0, 4, n_items)
    scored = np.arange(n_items) < 60
    area = rng.integers(0, 6, n_items)
    form = FormKey(
        tuple(key.tolist()), tuple(scored.tolist()), tuple(area.tolist()), 6, 40
    )
    choices = rng.integers(0, 4, (2 * 8192 + 77, n_items)).astype(np.uint8)
    # when
    result = score_batch(choices, form)
    # then
    right = (choices == key) & scored
    expected = np.stack([(right & (area == k)).sum(axis=1) for k in range(6)], axis=1)
    assert (result.area_raw == expected).all()
    assert (result.raw == right.sum(axis=1)).all()
    assert result.scaled is None


def test_int8_choices_with_minus_one_are_omits():
    """An int8 matrix using −1 for an omit scores like the uint8 one."""
    # given
    form = FormKey((0, 1), (True, True), (0, 0), 1, 1)
    # when
    result = score_batch(np.array([[0, -1], [-1, 1]], dtype=np.int8), form)
    # then
    assert result.raw.tolist() == [1, 1]
