"""Common-item equating of a new form to the base form, and the raw→scaled table.

The scale
---------
Every form of a test reports on the scale of its **base form**: θ as calibrated on
the base form's group, N(0, 1) there. The cut is set once, as a raw score on the base
form (by a modified-Angoff panel), which fixes θ_cut = TCC_base⁻¹(cut). The reported
scaled score is a linear transform of θ with the cut at a fixed value, by default

    scaled = 500 + 100 · (θ − θ_cut),  rounded, kept within 200..800,

so 500 is passing on every form (:class:`ThetaScale` changes the numbers). Each form
carries its own raw→scaled table; a candidate's scaled score is ``table[raw]``. Two
rules make the table honest at the cut whatever the rounding: a raw score at or above
the form's raw cut never shows less than 500, and one below never shows 500 or more.
(A program that only reports pass/fail plus content-area raw scores can ignore the
scaled column: the per-form raw cut is there too.)

Equating a new form
-------------------
1. **Link** the new calibration's θ scale to the base scale through the common
   (anchor) items: θ_base = A · θ_new + B, so a_base = a_new / A and
   b_base = A · b_new + B. :func:`link_mean_sigma` and :func:`link_mean_mean` use the
   anchors' parameter moments; :func:`link_stocking_lord` (the default of :func:`link`)
   finds the A, B that make the anchors' test characteristic curves agree, weighted
   over N(0, 1) on the base scale (Stocking & Lord, 1983). Items calibrated with the
   anchors held fixed (:func:`.irt.calibrate` with ``anchors=``) are already on the
   base scale: use :data:`IDENTITY`.
2. **IRT true-score equating** (Kolen & Brennan, 2014, ch. 6): a new-form raw score x
   has the θ where the new form's TCC equals x; its base-form equivalent is the base
   TCC at that θ. Raw 0 and the maximum map to 0 and the base maximum.
3. **The cut** carries over: the new form's raw cut is the smallest raw score whose
   base equivalent reaches the base cut (equivalently: whose θ reaches θ_cut). Never
   rounded down, so no candidate passes a harder standard's form with less.
4. **The table** is the scale at each raw score's θ (:class:`ThetaScale`), or, for a
   program with an existing base table, that table read at the equated base score by
   linear interpolation (:func:`scale_from_base_table`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import expit

from .irt import _params, quadrature, raw_to_theta, tcc, theta_for_true_score

__all__ = [
    "IDENTITY",
    "FormEquating",
    "Linking",
    "ThetaScale",
    "anchor_displacement",
    "base_form_scale",
    "equate_form",
    "equated_cut",
    "link",
    "link_mean_mean",
    "link_mean_sigma",
    "link_stocking_lord",
    "scale_from_base_table",
    "scale_from_theta",
    "true_score_equate",
]

Floats = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Linking:
    """θ_base = slope · θ_new + intercept."""

    slope: float
    intercept: float
    method: str

    def theta(self, theta_new: ArrayLike) -> Floats:
        return self.slope * np.asarray(theta_new, dtype=np.float64) + self.intercept

    def params(self, a: ArrayLike, b: ArrayLike) -> tuple[Floats, Floats]:
        """New-scale item parameters expressed on the base scale."""
        a_arr, b_arr = _params(a, b)
        return a_arr / self.slope, self.slope * b_arr + self.intercept


IDENTITY = Linking(1.0, 0.0, "identity")


def _anchor_pairs(
    a_new: ArrayLike, b_new: ArrayLike, a_base: ArrayLike, b_base: ArrayLike
) -> tuple[Floats, Floats, Floats, Floats]:
    an, bn = _params(a_new, b_new)
    ab, bb = _params(a_base, b_base)
    if an.shape != ab.shape:
        raise ValueError(
            "the anchors need one new and one base estimate each: got "
            f"{an.size} new and {ab.size} base parameters"
        )
    if an.size < 2:
        raise ValueError("linking needs at least two anchor items")
    return an, bn, ab, bb


def link_mean_sigma(
    a_new: ArrayLike, b_new: ArrayLike, a_base: ArrayLike, b_base: ArrayLike
) -> Linking:
    """A = SD(b_base) / SD(b_new), B = mean(b_base) − A · mean(b_new) (anchors)."""
    _, bn, _, bb = _anchor_pairs(a_new, b_new, a_base, b_base)
    if bn.std() == 0:
        raise ValueError(
            "the anchors' new difficulties are all equal: mean/sigma is undefined"
        )
    slope = float(bb.std() / bn.std())
    return Linking(slope, float(bb.mean() - slope * bn.mean()), "mean-sigma")


def link_mean_mean(
    a_new: ArrayLike, b_new: ArrayLike, a_base: ArrayLike, b_base: ArrayLike
) -> Linking:
    """A = mean(a_new) / mean(a_base), B = mean(b_base) − A · mean(b_new)."""
    an, bn, ab, bb = _anchor_pairs(a_new, b_new, a_base, b_base)
    slope = float(an.mean() / ab.mean())
    if not slope > 0:
        raise ValueError("mean/mean linking needs positive discriminations")
    return Linking(slope, float(bb.mean() - slope * bn.mean()), "mean-mean")


def link_stocking_lord(
    a_new: ArrayLike,
    b_new: ArrayLike,
    a_base: ArrayLike,
    b_base: ArrayLike,
    *,
    points: int = 41,
) -> Linking:
    """A, B minimising Σ_q w_q (TCC_base(θ_q) − TCC_new→base(θ_q))² over the anchors."""
    an, bn, ab, bb = _anchor_pairs(a_new, b_new, a_base, b_base)
    theta, weights = quadrature(points)
    target = tcc(theta, ab, bb)
    start = link_mean_sigma(an, bn, ab, bb)

    def loss(x: Floats) -> tuple[float, Floats]:
        slope, intercept = float(x[0]), float(x[1])
        u = (an[None, :] / slope) * (theta[:, None] - slope * bn[None, :] - intercept)
        p = expit(u)
        gap = target - p.sum(axis=1)  # (Q,)
        dp = p * (1 - p)
        du_dslope = -an[None, :] * (theta[:, None] - intercept) / slope**2
        du_dintercept = -an[None, :] / slope
        grad_slope = -2 * float(weights @ (gap * (dp * du_dslope).sum(axis=1)))
        grad_intercept = -2 * float(weights @ (gap * (dp * du_dintercept).sum(axis=1)))
        return float(weights @ gap**2), np.array([grad_slope, grad_intercept])

    result = minimize(
        loss,
        np.array([start.slope, start.intercept]),
        jac=True,
        method="L-BFGS-B",
        bounds=[(1e-3, None), (None, None)],
        options={"gtol": 1e-12, "ftol": 1e-15, "maxiter": 500},
    )
    if not result.success and not math.isfinite(float(result.fun)):
        raise ValueError(f"Stocking–Lord linking failed: {result.message}")
    return Linking(float(result.x[0]), float(result.x[1]), "stocking-lord")


def link(
    a_new: ArrayLike,
    b_new: ArrayLike,
    a_base: ArrayLike,
    b_base: ArrayLike,
    *,
    method: Literal["stocking-lord", "mean-sigma", "mean-mean"] = "stocking-lord",
) -> Linking:
    """Linking constants from the anchors' (a, b) on the new and the base scale."""
    if method == "stocking-lord":
        return link_stocking_lord(a_new, b_new, a_base, b_base)
    if method == "mean-sigma":
        return link_mean_sigma(a_new, b_new, a_base, b_base)
    if method == "mean-mean":
        return link_mean_mean(a_new, b_new, a_base, b_base)
    raise ValueError(
        f"unknown linking method {method!r}: use 'stocking-lord', 'mean-sigma' or "
        "'mean-mean'"
    )


def anchor_displacement(
    linking: Linking,
    a_new: ArrayLike,
    b_new: ArrayLike,
    a_base: ArrayLike,
    b_base: ArrayLike,
) -> Floats:
    """Each anchor's linked b minus its base b (|Δb| over 0.3–0.5: drop the anchor)."""
    an, bn, _, bb = _anchor_pairs(a_new, b_new, a_base, b_base)
    return linking.params(an, bn)[1] - bb


def true_score_equate(
    a_new: ArrayLike, b_new: ArrayLike, a_base: ArrayLike, b_base: ArrayLike
) -> Floats:
    """Base-form true-score equivalent of each new-form raw score 0..J_new.

    Both forms' parameters must be on the same (base) scale.
    """
    an, bn = _params(a_new, b_new)
    ab, bb = _params(a_base, b_base)
    equated = np.empty(an.size + 1)
    equated[0], equated[-1] = 0.0, float(ab.size)
    if an.size > 1:
        theta = theta_for_true_score(np.arange(1, an.size, dtype=np.float64), an, bn)
        equated[1:-1] = tcc(theta, ab, bb)
    return equated


def equated_cut(equated: ArrayLike, base_cut: float) -> int:
    """The smallest new-form raw score whose base equivalent reaches ``base_cut``."""
    e = np.asarray(equated, dtype=np.float64)
    reached = np.flatnonzero(e >= base_cut - 1e-9)
    if reached.size == 0:
        raise ValueError(
            f"no raw score on the new form reaches the base cut {base_cut}"
        )
    return int(reached[0])


@dataclass(frozen=True, slots=True)
class ThetaScale:
    """Reported scale: ``passing + points_per_logit · (θ − θ_cut)`` within low..high."""

    passing: int = 500
    low: int = 200
    high: int = 800
    points_per_logit: float = 100.0

    def __post_init__(self) -> None:
        if not self.low < self.passing <= self.high or not self.points_per_logit > 0:
            raise ValueError(
                "a scale needs low < passing ≤ high and points_per_logit > 0"
            )


def _honest_at_cut(
    values: Floats, cut: int, passing: int, low: int, high: int
) -> tuple[int, ...]:
    """Round, clip, keep below-cut scores under ``passing`` and the rest at or above."""
    table = np.clip(np.floor(values + 0.5), low, high).astype(np.int64)
    table[:cut] = np.minimum(table[:cut], passing - 1)
    table[cut:] = np.maximum(table[cut:], passing)
    table = np.maximum.accumulate(table)
    return tuple(int(v) for v in table)


def scale_from_theta(
    theta: ArrayLike, cut: int, theta_cut: float, scale: ThetaScale
) -> tuple[int, ...]:
    """Raw→scaled table from each raw score's θ (index = raw score)."""
    t = np.asarray(theta, dtype=np.float64)
    if not 0 <= cut < t.size:
        raise ValueError(f"the cut must be a raw score in 0..{t.size - 1}, got {cut}")
    values = scale.passing + scale.points_per_logit * (t - theta_cut)
    return _honest_at_cut(values, cut, scale.passing, scale.low, scale.high)


def scale_from_base_table(
    equated: ArrayLike, base_table: Sequence[int], cut: int, passing: int
) -> tuple[int, ...]:
    """Raw→scaled for a new form: the base table read at each equated base score."""
    e = np.asarray(equated, dtype=np.float64)
    base = np.asarray(base_table, dtype=np.float64)
    if base.ndim != 1 or base.size < 2 or (np.diff(base) < 0).any():
        raise ValueError(
            "the base table must be a non-decreasing list, one entry per raw"
        )
    if not 0 <= cut < e.size:
        raise ValueError(f"the cut must be a raw score in 0..{e.size - 1}, got {cut}")
    values = np.interp(e, np.arange(base.size), base)
    return _honest_at_cut(values, cut, passing, int(base.min()), int(base.max()))


def _check_cut(cut: int, n_items: int) -> None:
    if not 0 < cut < n_items:
        raise ValueError(
            f"the base cut must be a raw score strictly between 0 and {n_items}, "
            f"got {cut}"
        )


def base_form_scale(
    a: ArrayLike, b: ArrayLike, cut: int, scale: ThetaScale | None = None
) -> tuple[tuple[int, ...], float]:
    """The base form's raw→scaled table and θ_cut, from its items' parameters."""
    a_arr, b_arr = _params(a, b)
    _check_cut(cut, a_arr.size)
    scale = scale or ThetaScale()
    theta_cut = float(theta_for_true_score(float(cut), a_arr, b_arr)[0])
    return scale_from_theta(
        raw_to_theta(a_arr, b_arr), cut, theta_cut, scale
    ), theta_cut


@dataclass(frozen=True, slots=True)
class FormEquating:
    linking: Linking
    a: Floats  # the new form's scored items on the base scale
    b: Floats
    equated: Floats  # base-form equivalent of each new raw score
    theta: Floats  # θ (base scale) of each new raw score
    theta_cut: float
    cut: int  # the new form's raw cut
    scale: tuple[int, ...]  # the new form's raw→scaled table


def equate_form(
    a_new: ArrayLike,
    b_new: ArrayLike,
    a_base: ArrayLike,
    b_base: ArrayLike,
    *,
    base_cut: int,
    linking: Linking = IDENTITY,
    scale: ThetaScale | None = None,
    base_table: Sequence[int] | None = None,
) -> FormEquating:
    """Equate a new form (its scored items' parameters) to the base form.

    ``linking`` takes the new parameters to the base scale (identity when they were
    calibrated with fixed anchors). The table comes from ``scale`` (default
    :class:`ThetaScale`) or, when given, from the base form's ``base_table``.
    """
    if scale is not None and base_table is not None:
        raise ValueError("give either a scale definition or a base table, not both")
    a_on_base, b_on_base = linking.params(a_new, b_new)
    ab, bb = _params(a_base, b_base)
    _check_cut(base_cut, ab.size)
    equated = true_score_equate(a_on_base, b_on_base, ab, bb)
    cut = equated_cut(equated, base_cut)
    theta_cut = float(theta_for_true_score(float(base_cut), ab, bb)[0])
    theta = raw_to_theta(a_on_base, b_on_base)
    if base_table is not None:
        if len(base_table) != ab.size + 1:
            raise ValueError(
                f"the base table needs {ab.size + 1} entries (raw 0..{ab.size}), "
                f"got {len(base_table)}"
            )
        passing = int(base_table[base_cut])
        table = scale_from_base_table(equated, base_table, cut, passing)
    else:
        table = scale_from_theta(theta, cut, theta_cut, scale or ThetaScale())
    return FormEquating(
        linking=linking,
        a=a_on_base,
        b=b_on_base,
        equated=equated,
        theta=theta,
        theta_cut=theta_cut,
        cut=cut,
        scale=table,
    )
