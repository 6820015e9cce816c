"""Response codes: omits score wrong, unseen items are missing, signed codes map."""

import numpy as np

from certwright.psychometrics import MISSING, NOT_SEEN, OMIT, as_choices, dichotomize


def test_omit_is_wrong_and_not_seen_is_missing():
    """dichotomize: the key → 1, another option or OMIT → 0, NOT_SEEN → −1."""
    # given
    choices = np.array([[0, 1, OMIT, NOT_SEEN]], dtype=np.uint8)
    # when
    scored = dichotomize(choices, [0, 0, 0, 0])
    # then
    assert scored.tolist() == [[1, 0, 0, MISSING]]
    assert scored.dtype == np.int8


def test_signed_input_uses_minus_one_and_minus_two():
    """int8 −1 / −2 and plain ints −1 / −2 are OMIT / NOT_SEEN."""
    # given
    signed = np.array([[2, -1, -2]], dtype=np.int8)
    plain = [[2, -1, -2]]
    # when / then
    assert as_choices(signed).tolist() == [[2, OMIT, NOT_SEEN]]
    assert as_choices(plain).tolist() == [[2, OMIT, NOT_SEEN]]


def test_uint8_input_is_not_copied():
    """A valid uint8 matrix is used in place (no copy for large batches)."""
    # given
    choices = np.zeros((3, 4), dtype=np.uint8)
    # when / then
    assert as_choices(choices) is choices
