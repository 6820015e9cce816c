"""Seeded synthetic item parameters and responses for tests and benchmarks.

Every function takes a ``seed`` (an int or a ``numpy.random.Generator``), so the same
seed gives the same data on any machine. Defaults follow the reference's design:
a ~ lognormal(0, 0.25), b ~ N(0, 1), θ ~ N(0, 1).

* :func:`item_params` — 2PL (or Rasch, a = 1) parameters.
* :func:`abilities` — θ for a group, with its own mean and SD (e.g. a NEAT group
  shifted by +0.3).
* :func:`responses` — right/wrong (int8) from θ and parameters, in chunks so memory
  stays bounded at any N.
* :func:`planned_missing` — blank out (MISSING) a block of columns for all but a
  random share of examinees: pretest items seeded into live forms.
* :func:`choices` — option-level responses from right/wrong ones: a right answer is
  the key; a wrong one picks a distractor, weaker examinees leaning more to the most
  attractive one, and a few leave the item blank (OMIT).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

from .responses import MISSING, NOT_SEEN, OMIT, as_scored

__all__ = ["abilities", "choices", "item_params", "planned_missing", "responses"]

Seed = int | np.random.Generator

_CHUNK = 1 << 15


def _rng(seed: Seed) -> np.random.Generator:
    return (
        seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    )


def item_params(
    n_items: int,
    seed: Seed,
    *,
    model: str = "2pl",
    a_log_sd: float = 0.25,
    b_mean: float = 0.0,
    b_sd: float = 1.0,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(a, b) for ``n_items`` items; Rasch items have a = 1."""
    if n_items < 1:
        raise ValueError("n_items must be at least 1")
    rng = _rng(seed)
    if model == "rasch":
        a = np.ones(n_items)
    elif model == "2pl":
        a = rng.lognormal(0.0, a_log_sd, n_items)
    else:
        raise ValueError(f"unknown model {model!r}: use 'rasch' or '2pl'")
    return a, rng.normal(b_mean, b_sd, n_items)


def abilities(
    n: int, seed: Seed, *, mean: float = 0.0, sd: float = 1.0
) -> NDArray[np.float64]:
    """θ for ``n`` examinees drawn from N(mean, sd²)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    return _rng(seed).normal(mean, sd, n)


def responses(
    theta: ArrayLike, a: ArrayLike, b: ArrayLike, seed: Seed
) -> NDArray[np.int8]:
    """Right (1) / wrong (0) responses drawn from the 2PL, examinees × items."""
    t = np.asarray(theta, dtype=np.float64)
    a_arr = np.asarray(a, dtype=np.float64)
    b_arr = np.asarray(b, dtype=np.float64)
    if t.ndim != 1 or a_arr.shape != b_arr.shape or a_arr.ndim != 1:
        raise ValueError("theta, a and b must be 1-D, with a and b of equal length")
    rng = _rng(seed)
    out = np.empty((t.size, a_arr.size), dtype=np.int8)
    for start in range(0, t.size, _CHUNK):
        block = t[start : start + _CHUNK]
        p = expit(a_arr[None, :] * (block[:, None] - b_arr[None, :]))
        out[start : start + _CHUNK] = rng.random(p.shape) < p
    return out


def planned_missing(
    scored: ArrayLike,
    columns: ArrayLike,
    seed: Seed,
    *,
    share: float | tuple[float, float] = (0.10, 0.15),
) -> NDArray[np.int8]:
    """A copy of ``scored`` where each of ``columns`` is seen by a random share only.

    ``share`` is a fraction, or a (low, high) range from which each column draws its
    own fraction. Unseen cells become MISSING (−1).
    """
    x = as_scored(scored).copy()
    rng = _rng(seed)
    cols = np.asarray(columns, dtype=np.intp)
    low, high = share if isinstance(share, tuple) else (share, share)
    if not 0 < low <= high <= 1:
        raise ValueError("share must be a fraction in (0, 1] (or a (low, high) range)")
    for col in cols:
        fraction = rng.uniform(low, high)
        x[rng.random(x.shape[0]) >= fraction, col] = MISSING
    return x


def choices(
    scored: ArrayLike,
    key: ArrayLike,
    seed: Seed,
    *,
    n_options: int = 4,
    omit_rate: float = 0.01,
) -> NDArray[np.uint8]:
    """Option-level responses (uint8 choices) consistent with right/wrong ones.

    Right → the key. Wrong → OMIT with probability ``omit_rate``, else a distractor:
    each item's distractors get random attractiveness weights and examinees with a
    lower total lean further towards the most attractive one (so distractor
    point-biserials come out negative, as they should). MISSING → NOT_SEEN.
    """
    x = as_scored(scored)
    n, n_items = x.shape
    k = np.asarray(key)
    if k.shape != (n_items,) or (k < 0).any() or (k >= n_options).any():
        raise ValueError(f"key must hold one option in 0..{n_options - 1} per item")
    rng = _rng(seed)
    # Column c of `others[item]` is the c-th distractor of the item.
    others = np.array(
        [[o for o in range(n_options) if o != kk] for kk in k], dtype=np.uint8
    )
    attract = rng.dirichlet(np.full(n_options - 1, 2.0), size=n_items)  # (items, D)
    order = np.argsort(-attract, axis=1)  # most attractive distractor first
    seen_right = np.where(x == MISSING, 0, x).sum(axis=1)
    seen = np.maximum((x != MISSING).sum(axis=1), 1)
    weakness = 1.0 - seen_right / seen  # 0 (all right) .. 1 (all wrong)
    out = np.empty((n, n_items), dtype=np.uint8)
    for start in range(0, n, _CHUNK):
        block = x[start : start + _CHUNK]
        w = weakness[start : start + _CHUNK, None, None]
        # Weaker examinees double the weight of the item's most attractive distractor.
        boost = np.zeros_like(attract)
        boost[np.arange(n_items), order[:, 0]] = 1.0
        probs = attract[None, :, :] * (1.0 + w * boost[None, :, :])
        probs /= probs.sum(axis=2, keepdims=True)
        u = rng.random(block.shape)[:, :, None]
        pick = (u > np.cumsum(probs, axis=2)).sum(axis=2)
        pick = np.minimum(pick, n_options - 2)
        wrong_choice = others[np.arange(n_items)[None, :], pick]
        chunk = np.where(block == 1, k.astype(np.uint8)[None, :], wrong_choice)
        chunk[(block == 0) & (rng.random(block.shape) < omit_rate)] = OMIT
        chunk[block == MISSING] = NOT_SEEN
        out[start : start + _CHUNK] = chunk
    return out
