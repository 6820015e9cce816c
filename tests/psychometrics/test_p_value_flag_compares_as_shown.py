"""An item whose p-value shows as 0.90 is not flagged "above 0.90"; one that shows
as 0.91 is. Likewise 0.15 is not "below 0.15"."""

import numpy as np

from certwright.psychometrics import item_analysis


def _form(right_on_item_0: int, examinees: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """``examinees`` answer two items keyed 0: item 0 right ``right_on_item_0``
    times; item 1 right for every other examinee (so totals vary)."""
    choices = np.ones((examinees, 2), dtype=int)
    choices[:right_on_item_0, 0] = 0
    choices[::2, 1] = 0
    return choices, np.array([0, 0])


def _codes(right: int) -> set[str]:
    choices, key = _form(right)
    analysis = item_analysis(choices, key)
    return {f.code for f in analysis.flags_for(0)}


def test_a_p_value_shown_as_0_90_is_not_flagged_easy() -> None:
    """452 of 500 right (p = 0.904, shown 0.90): no "easy" flag."""
    # when / then
    assert "easy" not in _codes(452)


def test_a_p_value_shown_as_0_91_is_flagged_easy() -> None:
    """453 of 500 right (p = 0.906, shown 0.91): flagged "easy"."""
    # when / then
    assert "easy" in _codes(453)


def test_a_p_value_shown_as_0_15_is_not_flagged_hard() -> None:
    """73 of 500 right (p = 0.146, shown 0.15): no "hard" flag; 72 (0.144) is."""
    # when / then
    assert "hard" not in _codes(73)
    assert "hard" in _codes(72)
