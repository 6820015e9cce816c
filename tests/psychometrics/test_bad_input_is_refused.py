"""Bad input is refused with a ValueError that says what is wrong."""

import math

import numpy as np
import pytest

from certwright.psychometrics import (
    FormKey,
    ThetaScale,
    as_choices,
    calibrate,
    eap,
    equate_form,
    item_analysis,
    link,
    score_attempt,
    score_batch,
    simulate,
)
from certwright.psychometrics.irt import theta_for_true_score

A, B = simulate.item_params(10, 1)
SCORED = simulate.responses(simulate.abilities(300, 2), A, B, 3)
CHOICES = np.where(SCORED == 1, 0, 1).astype(np.uint8)
KEY = np.zeros(10, dtype=int)
FORM = FormKey((0, 1, 2), (True, True, False), (0, 1, 0), 2, 1)

CASES = [
    ("choices 1-D", lambda: item_analysis(CHOICES[0], KEY), r"2-D matrix"),
    ("choices empty", lambda: item_analysis(CHOICES[:0], KEY), r"empty"),
    (
        "NaN choices",
        lambda: item_analysis(np.full((3, 3), math.nan), [0, 0, 0]),
        r"NaN",
    ),
    ("float choices", lambda: as_choices(np.ones((2, 2))), r"integers, got float64"),
    ("choice 7", lambda: as_choices([[0, 7]]), r"outside 0\.\.3.*item 1: 7"),
    ("negative -3", lambda: as_choices([[0, -3]]), r"from -3"),
    (
        "key length",
        lambda: item_analysis(CHOICES, KEY[:9]),
        r"one entry per item \(10\)",
    ),
    (
        "key 4",
        lambda: item_analysis(CHOICES, [4] + [0] * 9),
        r"key out of range: item 0 has key 4",
    ),
    ("key float", lambda: item_analysis(CHOICES, KEY * 1.0), r"option indices"),
    (
        "all same",
        lambda: item_analysis(np.zeros((5, 4), np.uint8), [0] * 4),
        r"same total",
    ),
    (
        "unseen item in total",
        lambda: item_analysis(np.array([[0, 0], [0, 254], [1, 1]], np.uint8), [0, 0]),
        r"item 1 counts toward the total but was not presented",
    ),
    (
        "in_total ints",
        lambda: item_analysis(CHOICES, KEY, in_total=[1] * 10),
        r"booleans",
    ),
    (
        "scored 2",
        lambda: calibrate(np.full((3, 3), 2)),
        r"1 \(right\), 0 \(wrong\) or -1",
    ),
    ("scored NaN", lambda: calibrate(np.where(SCORED == 1, 1.0, math.nan)), r"NaN"),
    (
        "item all right",
        lambda: calibrate(np.hstack([SCORED, np.ones((300, 1), np.int8)])),
        r"item\(s\) 10: every examinee shown the item answered it the same way",
    ),
    (
        "model",
        lambda: calibrate(SCORED, model="3pl"),  # type: ignore[arg-type]
        r"unknown model '3pl'",
    ),
    (
        "anchor range",
        lambda: calibrate(SCORED, anchors={12: (1.0, 0.0)}),
        r"anchor item 12 is outside",
    ),
    ("anchor NaN", lambda: calibrate(SCORED, anchors={0: (1.0, math.nan)}), r"finite"),
    (
        "rasch anchor a",
        lambda: calibrate(SCORED, model="rasch", anchors={0: (1.2, 0.0)}),
        r"Rasch anchor has a = 1",
    ),
    (
        "all anchors",
        lambda: calibrate(SCORED, anchors=dict.fromkeys(range(10), (1.0, 0.0))),
        r"nothing to calibrate",
    ),
    ("eap shape", lambda: eap(SCORED, A[:9], B[:9]), r"10 items but 9 parameters"),
    ("params NaN", lambda: eap(SCORED, A, np.full(10, math.nan)), r"finite"),
    (
        "true score 0",
        lambda: theta_for_true_score(0.0, A, B),
        r"strictly between 0 and 10",
    ),
    (
        "link one anchor",
        lambda: link(A[:1], B[:1], A[:1], B[:1]),
        r"at least two anchor",
    ),
    (
        "link method",
        lambda: link(A, B, A, B, method="haebara"),  # type: ignore[arg-type]
        r"unknown linking method",
    ),
    (
        "cut at end",
        lambda: equate_form(A, B, A, B, base_cut=10),
        r"strictly between 0 and 10",
    ),
    ("scale", lambda: ThetaScale(passing=100, low=200), r"low < passing"),
    (
        "form key",
        lambda: FormKey((0, 5), (True, True), (0, 0), 1, 1),
        r"position 1 has key 5",
    ),
    (
        "form area",
        lambda: FormKey((0, 1), (True, True), (0, 3), 2, 1),
        r"area 3, outside 0\.\.1",
    ),
    (
        "form cut",
        lambda: FormKey((0, 1), (True, True), (0, 0), 1, 3),
        r"cut must be a raw score in 0\.\.2",
    ),
    (
        "form scale",
        lambda: FormKey((0, 1), (True, True), (0, 0), 1, 1, (1, 2)),
        r"needs 3 entries",
    ),
    (
        "form lengths",
        lambda: FormKey((0, 1), (True,), (0, 0), 1, 1),
        r"one entry per position",
    ),
    (
        "batch width",
        lambda: score_batch(np.zeros((2, 4), np.uint8), FORM),
        r"examinees × 3",
    ),
    ("batch dtype", lambda: score_batch(np.zeros((2, 3), np.int64), FORM), r"uint8"),
    (
        "batch code",
        lambda: score_batch(np.array([[0, 9, 0]], np.uint8), FORM),
        r"position 1: 9",
    ),
    ("attempt length", lambda: score_attempt([0, 1], FORM), r"expected 3 answers"),
    ("attempt option", lambda: score_attempt([0, 7, 1], FORM), r"position 1: answer 7"),
]


@pytest.mark.parametrize(("case", "call", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_raises_a_clear_value_error(case, call, message):
    """Each malformed input names the problem (shape, code, item, range)."""
    # when / then
    with pytest.raises(ValueError, match=message):
        call()
