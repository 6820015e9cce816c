"""Response codes and the checks every entry point runs on its input.

Two matrices travel through this package, both examinees × items:

* **choices** (``uint8``): the option each examinee chose, ``0`` for A, ``1`` for B
  and so on; :data:`OMIT` (255) when the item was shown and left unanswered (it
  scores as wrong); :data:`NOT_SEEN` (254) when the item was not on the examinee's
  form at all (a pretest item given to a subset: it is *missing*, not wrong).
  Signed input may use ``-1`` for OMIT and ``-2`` for NOT_SEEN: viewed as ``uint8``
  they are the same bytes.
* **scored** (``int8``): ``1`` right, ``0`` wrong (omits included), :data:`MISSING`
  (``-1``) not presented. :func:`dichotomize` turns choices into this.

NaN is never a response code: float input is refused with a message naming the codes,
so a missing value cannot silently become "wrong" (or "right").
"""

from __future__ import annotations

from typing import cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

OMIT = 255
NOT_SEEN = 254
MISSING = -1

__all__ = [
    "MISSING",
    "NOT_SEEN",
    "OMIT",
    "as_choices",
    "as_key",
    "as_mask",
    "as_scored",
    "dichotomize",
]


def _integer_matrix(values: ArrayLike, what: str) -> NDArray[np.integer]:
    array = np.asarray(values)
    if array.ndim != 2:
        raise ValueError(
            f"{what} must be a 2-D matrix (examinees × items), got {array.ndim} "
            f"dimension(s) with shape {array.shape}"
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{what} is empty (shape {array.shape})")
    if array.dtype == np.bool_:
        return array.view(np.uint8)
    if not np.issubdtype(array.dtype, np.integer):
        nan = np.issubdtype(array.dtype, np.floating) and bool(np.isnan(array).any())
        raise ValueError(
            f"{what} must hold integers, got {array.dtype}"
            + (" containing NaN" if nan else "")
            + "; mark an unanswered item with OMIT (-1 / 255) and an item not on "
            "the examinee's form with NOT_SEEN (-2 / 254), or MISSING (-1) in a "
            "scored matrix"
        )
    return array


def as_choices(choices: ArrayLike, n_options: int = 4) -> NDArray[np.uint8]:
    """``choices`` as a checked ``uint8`` matrix: each cell an option, OMIT or NOT_SEEN.

    ``uint8`` input is returned as is (no copy); ``int8`` is viewed as ``uint8``.
    """
    if not 2 <= n_options <= 26:
        raise ValueError(f"n_options must be between 2 and 26, got {n_options}")
    array = _integer_matrix(choices, "choices")
    if array.dtype == np.uint8:
        out = cast("NDArray[np.uint8]", array)
    elif array.dtype == np.int8:
        out = array.view(np.uint8)
    else:
        low, high = int(array.min()), int(array.max())
        if low < -2 or high > OMIT:
            raise ValueError(
                f"choices must be option indices 0..{n_options - 1}, OMIT or NOT_SEEN; "
                f"found values from {low} to {high}"
            )
        out = array.astype(np.uint8)  # -1 -> 255 (OMIT), -2 -> 254 (NOT_SEEN)
    bad = (out >= n_options) & (out < NOT_SEEN)
    if bad.any():
        row, col = (int(v) for v in np.argwhere(bad)[0])
        raise ValueError(
            f"choices hold {int(bad.sum())} value(s) outside 0..{n_options - 1}, OMIT "
            f"and NOT_SEEN; first at examinee {row}, item {col}: {int(out[row, col])}"
        )
    return out


def as_scored(scored: ArrayLike) -> NDArray[np.int8]:
    """``scored`` as an ``int8`` matrix of 1, 0 and MISSING (-1), checked."""
    array = _integer_matrix(scored, "scored responses")
    if array.dtype != np.int8:
        low, high = int(array.min()), int(array.max())
        if low < MISSING or high > 1:
            raise ValueError(
                "scored responses must be 1 (right), 0 (wrong) or -1 (not presented); "
                f"found values from {low} to {high}"
            )
        return array.astype(np.int8)
    checked = cast("NDArray[np.int8]", array)
    bad = (checked < MISSING) | (checked > 1)
    if bad.any():
        row, col = (int(v) for v in np.argwhere(bad)[0])
        raise ValueError(
            "scored responses must be 1 (right), 0 (wrong) or -1 (not presented); "
            f"examinee {row}, item {col} holds {int(checked[row, col])}"
        )
    return checked


def as_key(key: ArrayLike, n_items: int, n_options: int = 4) -> NDArray[np.uint8]:
    """The answer key as a ``uint8`` vector of option indices, one per item."""
    array = np.asarray(key)
    if array.ndim != 1 or array.shape[0] != n_items:
        raise ValueError(
            f"the key must have one entry per item ({n_items}), got shape {array.shape}"
        )
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(
            f"the key must hold option indices (integers), got {array.dtype}"
        )
    outside = (array < 0) | (array >= n_options)
    if outside.any():
        item = int(np.flatnonzero(outside)[0])
        raise ValueError(
            f"key out of range: item {item} has key {int(array[item])}, options are "
            f"0..{n_options - 1}"
        )
    return array.astype(np.uint8)


def as_mask(mask: ArrayLike | None, n_items: int, what: str) -> NDArray[np.bool_]:
    """A boolean per-item mask (all True when ``mask`` is None)."""
    if mask is None:
        return np.ones(n_items, dtype=bool)
    array = np.asarray(mask)
    if array.ndim != 1 or array.shape[0] != n_items:
        raise ValueError(
            f"{what} must have one entry per item ({n_items}), got shape {array.shape}"
        )
    if array.dtype != np.bool_:
        raise ValueError(f"{what} must be booleans, got {array.dtype}")
    return array


def dichotomize(
    choices: ArrayLike, key: ArrayLike, n_options: int = 4
) -> NDArray[np.int8]:
    """Choices → scored: 1 for the key, 0 for another option or OMIT, -1 NOT_SEEN."""
    checked = as_choices(choices, n_options)
    key_u8 = as_key(key, checked.shape[1], n_options)
    scored = (checked == key_u8).view(np.int8).copy()
    scored[checked == NOT_SEEN] = MISSING
    return scored
