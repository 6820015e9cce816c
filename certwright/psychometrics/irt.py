"""Item response theory: Rasch and 2PL calibration by marginal maximum likelihood.

Models (θ is ability, logistic metric, no 1.7 scaling constant):

* **2PL** — P(right | θ) = 1 / (1 + exp(−a(θ − b))), a the discrimination, b the
  difficulty.
* **Rasch** — the 2PL with every a = 1.

Calibration is Bock–Aitkin EM on a fixed quadrature (Gauss–Hermite for N(0, 1) by
default, 41 nodes). The E-step is one matrix product per chunk of examinees,
responses (n × J) @ logits (J × Q), then a softmax over the Q nodes; the M-step's
sufficient statistics are responses.T @ posterior, again one product. Each item is
then fitted to its expected counts by Newton's method on (slope a, intercept d = −ab),
all items at once with closed-form 2 × 2 solves. The response matrix is never
expanded to an examinees × items × nodes tensor.

* **Missing responses.** Cells coded MISSING (−1, "not presented") drop out of the
  likelihood: a pretest item seen by 10 % of candidates is estimated from those 10 %.
* **Scale.** Without anchors the scale is set by θ ~ N(0, 1) in the calibration group
  (for Rasch, whose a are all 1, the group's SD is estimated instead). With
  **anchors** (item → fixed (a, b) on the operational scale) only the other items are
  estimated, and the group's mean and SD on that scale are estimated with them
  (fixed-parameter calibration with the prior updated every cycle: Kim, 2006,
  *JEM* 43(4)). That is how pretest items join the bank's scale.
* **Rasch with complete data** collapses examinees to raw-score groups (the raw score
  is sufficient), so each cycle costs the same at any N.
* **Convergence**: the largest change of any a, b (and of the group's mean and SD
  when estimated) between cycles below ``tol`` (1e-4), or ``max_iter`` cycles.
* **Standard errors** from the cross-product of each examinee's score vector at the
  estimate (the empirical "XPD" information), inverted in full; they treat the group's
  mean and SD and the anchors as known.

Ability: :func:`eap` (posterior mean and SD) and :func:`mle`; curves: :func:`icc`,
:func:`tcc`, :func:`test_information`; raw score → θ through the test characteristic
curve: :func:`theta_for_true_score`, :func:`raw_to_theta`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit, log_expit

from .responses import MISSING, as_scored

__all__ = [
    "Calibration",
    "calibrate",
    "eap",
    "icc",
    "mle",
    "quadrature",
    "raw_to_theta",
    "tcc",
    "test_information",
    "theta_for_true_score",
]

Model = Literal["rasch", "2pl"]
Floats = NDArray[np.float64]

_CHUNK = 1 << 14  # examinees per E-step block: the n × Q posterior stays in cache


def quadrature(
    points: int = 41, kind: Literal["hermite", "legendre"] = "hermite"
) -> tuple[Floats, Floats]:
    """Nodes and weights (summing to 1) for integrating over θ ~ N(0, 1).

    ``hermite``: Gauss–Hermite. ``legendre``: Gauss–Legendre on [−4.5, 4.5] weighted
    by the normal density (girth's default grid, for like-for-like comparisons).
    """
    if points < 5:
        raise ValueError(f"quadrature needs at least 5 points, got {points}")
    if kind == "hermite":
        nodes, weights = np.polynomial.hermite_e.hermegauss(points)
    elif kind == "legendre":
        nodes, weights = np.polynomial.legendre.leggauss(points)
        nodes = nodes * 4.5
        weights = weights * np.exp(-0.5 * nodes * nodes)
    else:
        raise ValueError(f"unknown quadrature {kind!r}: use 'hermite' or 'legendre'")
    return nodes.astype(np.float64), (weights / weights.sum()).astype(np.float64)


def _params(a: ArrayLike, b: ArrayLike) -> tuple[Floats, Floats]:
    a_arr = np.atleast_1d(np.asarray(a, dtype=np.float64))
    b_arr = np.atleast_1d(np.asarray(b, dtype=np.float64))
    if a_arr.ndim != 1 or b_arr.ndim != 1:
        raise ValueError("item parameters a and b must be 1-D (one value per item)")
    if a_arr.shape[0] == 1 and b_arr.shape[0] > 1:
        a_arr = np.full(b_arr.shape, a_arr[0])
    if a_arr.shape != b_arr.shape:
        raise ValueError(
            f"a and b must have one value per item each, got {a_arr.shape} and "
            f"{b_arr.shape}"
        )
    if not (np.isfinite(a_arr).all() and np.isfinite(b_arr).all()):
        raise ValueError("item parameters must be finite numbers (found NaN or inf)")
    return a_arr, b_arr


def icc(theta: ArrayLike, a: ArrayLike, b: ArrayLike) -> Floats:
    """P(right) for each θ (rows) and item (columns)."""
    a_arr, b_arr = _params(a, b)
    t = np.atleast_1d(np.asarray(theta, dtype=np.float64))
    return np.asarray(expit(a_arr[None, :] * (t[:, None] - b_arr[None, :])))


def tcc(theta: ArrayLike, a: ArrayLike, b: ArrayLike) -> Floats:
    """Expected raw score (test characteristic curve) at each θ."""
    return icc(theta, a, b).sum(axis=1)


def test_information(theta: ArrayLike, a: ArrayLike, b: ArrayLike) -> Floats:
    """Fisher information of the test at each θ: Σ a² P (1 − P)."""
    p = icc(theta, a, b)
    a_arr, _ = _params(a, b)
    return np.asarray((a_arr[None, :] ** 2 * p * (1 - p)).sum(axis=1))


def theta_for_true_score(
    score: ArrayLike,
    a: ArrayLike,
    b: ArrayLike,
    *,
    bounds: tuple[float, float] = (-20, 20),
) -> Floats:
    """θ whose expected raw score is ``score`` (inverse TCC), for 0 < score < J."""
    a_arr, b_arr = _params(a, b)
    if (a_arr <= 0).any():
        raise ValueError("the TCC can be inverted only when every a is positive")
    s = np.atleast_1d(np.asarray(score, dtype=np.float64))
    if not np.isfinite(s).all() or (s <= 0).any() or (s >= a_arr.size).any():
        raise ValueError(
            f"true scores must lie strictly between 0 and {a_arr.size} "
            "(the 2PL's TCC never reaches its ends)"
        )
    low = np.full(s.shape, float(bounds[0]))
    high = np.full(s.shape, float(bounds[1]))
    for _ in range(64):  # bisection: TCC is increasing, 64 halvings reach 1e-17
        mid = 0.5 * (low + high)
        above = tcc(mid, a_arr, b_arr) > s
        high = np.where(above, mid, high)
        low = np.where(above, low, mid)
    return 0.5 * (low + high)


def raw_to_theta(a: ArrayLike, b: ArrayLike, *, extreme: float = 0.3) -> Floats:
    """θ for each raw score 0..J through the inverse TCC.

    The TCC never reaches 0 or J, so the extreme scores use 0 + ``extreme`` and
    J − ``extreme`` (0.3 as in Winsteps' EXTRSCORE default).
    """
    a_arr, _ = _params(a, b)
    n = a_arr.size
    if not 0 < extreme < 1:
        raise ValueError("extreme must be between 0 and 1")
    scores = np.arange(n + 1, dtype=np.float64)
    scores[0], scores[-1] = extreme, n - extreme
    return theta_for_true_score(scores, a, b)


@dataclass(frozen=True, slots=True)
class Calibration:
    """Estimated item parameters with their standard errors and convergence."""

    model: Model
    a: Floats
    b: Floats
    se_a: Floats  # 0 where a is not estimated (Rasch, anchors)
    se_b: Floats  # 0 for anchors
    estimated: NDArray[np.bool_]  # False for anchor items
    n_responses: NDArray[np.int64]
    population_mean: float
    population_sd: float
    iterations: int
    converged: bool
    max_change: float
    log_likelihood: float
    history: tuple[float, ...] = field(default=(), repr=False)  # max change per cycle


@dataclass(slots=True)
class _Data:
    """Responses as floats for the products, with optional per-row weights."""

    right: Floats  # 1.0 where right
    shown: Floats | None  # 1.0 where presented; None when every cell is
    weights: Floats | None  # row weights (Rasch score groups); None = 1

    def chunks(self) -> Iterator[tuple[Floats, Floats | None, Floats | None]]:
        n = self.right.shape[0]
        for start in range(0, n, _CHUNK):
            stop = start + _CHUNK
            yield (
                self.right[start:stop],
                None if self.shown is None else self.shown[start:stop],
                None if self.weights is None else self.weights[start:stop],
            )


@dataclass(slots=True)
class _Expected:
    right: Floats  # (J, Q) expected right answers at each node
    shown: Floats  # (J, Q) expected examinees shown the item at each node
    nodes: Floats  # (Q,) expected examinees at each node
    log_likelihood: float


def _posterior(
    right: Floats,
    shown: Floats | None,
    logits: Floats,
    log_wrong: Floats,
    log_prior: Floats,
) -> tuple[Floats, Floats]:
    """Each row's posterior over the nodes, and its log marginal likelihood."""
    log_like = right @ logits
    if shown is None:
        log_like += log_wrong.sum(axis=0) + log_prior
    else:
        log_like += shown @ log_wrong
        log_like += log_prior
    top = log_like.max(axis=1, keepdims=True)
    log_like -= top
    np.exp(log_like, out=log_like)
    total = log_like.sum(axis=1, keepdims=True)
    log_like /= total
    return log_like, (top + np.log(total))[:, 0]


def _e_step(
    data: _Data, a: Floats, d: Floats, theta: Floats, weights: Floats
) -> _Expected:
    logits = a[:, None] * theta[None, :] + d[:, None]
    log_wrong = log_expit(-logits)
    log_prior = np.log(weights)
    n_items, n_nodes = logits.shape
    exp_right = np.zeros((n_items, n_nodes))
    exp_shown = np.zeros((n_items, n_nodes))
    exp_nodes = np.zeros(n_nodes)
    log_likelihood = 0.0
    for right, shown, w in data.chunks():
        post, row_ll = _posterior(right, shown, logits, log_wrong, log_prior)
        if w is not None:
            post *= w[:, None]
            log_likelihood += float(row_ll @ w)
        else:
            log_likelihood += float(row_ll.sum())
        exp_right += right.T @ post
        node_counts = post.sum(axis=0)
        exp_nodes += node_counts
        if shown is not None:
            exp_shown += shown.T @ post
        else:
            exp_shown += node_counts[None, :]
    return _Expected(exp_right, exp_shown, exp_nodes, log_likelihood)


def _m_step(
    r: Floats, n: Floats, theta: Floats, a: Floats, d: Floats, fit_slope: bool
) -> tuple[Floats, Floats]:
    """Newton on each item's expected-count logistic fit over the nodes, all at once."""
    a, d = a.copy(), d.copy()
    t2 = theta * theta
    for _ in range(25):
        p = expit(a[:, None] * theta[None, :] + d[:, None])
        residual = r - n * p
        w = n * p * (1.0 - p)
        g_d = residual.sum(axis=1)
        h_dd = w.sum(axis=1)
        if fit_slope:
            g_a = residual @ theta
            h_aa = w @ t2
            h_ad = w @ theta
            det = h_aa * h_dd - h_ad * h_ad
            step_a = (h_dd * g_a - h_ad * g_d) / det
            step_d = (h_aa * g_d - h_ad * g_a) / det
        else:
            step_a = np.zeros_like(a)
            step_d = g_d / h_dd
        # A step of more than one logit is a sign of a far start: take part of it.
        scale = np.minimum(1.0, 1.0 / np.maximum(np.abs(step_a), np.abs(step_d)))
        a += scale * step_a
        d += scale * step_d
        if max(float(np.abs(step_a).max()), float(np.abs(step_d).max())) < 1e-10:
            break
    return a, d


def _check_anchors(
    anchors: Mapping[int, tuple[float, float]] | None, n_items: int, model: Model
) -> dict[int, tuple[float, float]]:
    out: dict[int, tuple[float, float]] = {}
    for item, pair in (anchors or {}).items():
        if not 0 <= item < n_items:
            raise ValueError(f"anchor item {item} is outside 0..{n_items - 1}")
        a_value, b_value = (float(v) for v in pair)
        if not (math.isfinite(a_value) and math.isfinite(b_value)) or a_value <= 0:
            raise ValueError(
                f"anchor item {item} needs a finite a > 0 and a finite b, got "
                f"({a_value}, {b_value})"
            )
        if model == "rasch" and a_value != 1.0:
            raise ValueError(
                f"anchor item {item}: a Rasch anchor has a = 1, got {a_value}"
            )
        out[item] = (a_value, b_value)
    return out


def calibrate(
    scored: ArrayLike,
    *,
    model: Model = "2pl",
    anchors: Mapping[int, tuple[float, float]] | None = None,
    latent: Literal["standard", "estimate"] = "estimate",
    points: int = 41,
    quadrature_kind: Literal["hermite", "legendre"] = "hermite",
    tol: float = 1e-4,
    max_iter: int = 500,
    standard_errors: bool = True,
) -> Calibration:
    """Calibrate items by marginal maximum likelihood (Bock–Aitkin EM).

    ``scored``: examinees × items of 1 (right), 0 (wrong), −1 (not presented).
    ``anchors``: item index → (a, b) held fixed (for Rasch, a = 1); the other items
    are estimated on the anchors' scale. ``latent``: "estimate" estimates whatever
    the data identify of the group's θ distribution (its mean and SD with anchors,
    its SD for Rasch); "standard" holds it at N(0, 1).
    """
    if model not in ("rasch", "2pl"):
        raise ValueError(f"unknown model {model!r}: use 'rasch' or '2pl'")
    if latent not in ("standard", "estimate"):
        raise ValueError(f"latent must be 'standard' or 'estimate', got {latent!r}")
    if not (tol > 0 and max_iter >= 1):
        raise ValueError("tol must be positive and max_iter at least 1")
    x = as_scored(scored)
    n_items = x.shape[1]
    fixed = _check_anchors(anchors, n_items, model)
    free = np.ones(n_items, dtype=bool)
    free[list(fixed)] = False
    if not free.any():
        raise ValueError("every item is an anchor: there is nothing to calibrate")

    shown_mask = x != MISSING
    n_responses = shown_mask.sum(axis=0).astype(np.int64)
    n_right = (x == 1).sum(axis=0)
    stuck = free & ((n_right == 0) | (n_right == n_responses))
    if stuck.any():
        items = ", ".join(str(int(i)) for i in np.flatnonzero(stuck)[:10])
        raise ValueError(
            f"item(s) {items}: every examinee shown the item answered it the same way "
            "(all right, all wrong, or nobody saw it), so its parameters cannot be "
            "estimated; drop it or collect more responses"
        )

    complete = bool(shown_mask.all())
    grouped = model == "rasch" and complete
    if grouped:
        # The raw score is sufficient: one row per score group, weighted by its size,
        # holding the group's mean response pattern (the likelihood is linear in x).
        raw = x.sum(axis=1, dtype=np.int64)
        order = np.argsort(raw, kind="stable")
        _, starts, counts = np.unique(raw[order], return_index=True, return_counts=True)
        sums = np.add.reduceat(x[order], starts, axis=0, dtype=np.int64)
        data = _Data(sums / counts[:, None], None, counts.astype(np.float64))
    else:
        right = (x == 1).astype(np.float64)
        data = _Data(right, None if complete else shown_mask.astype(np.float64), None)

    z, weights = quadrature(points, quadrature_kind)
    p0 = np.clip(n_right / np.maximum(n_responses, 1), 1e-3, 1 - 1e-3)
    a = np.ones(n_items)
    d = math.sqrt(4.0 / 3.0) * np.log(p0 / (1 - p0))
    for item, (a_value, b_value) in fixed.items():
        a[item], d[item] = a_value, -a_value * b_value
    fit_mean = latent == "estimate" and bool(fixed)
    fit_sd = latent == "estimate" and (bool(fixed) or model == "rasch")
    mean, sd = 0.0, 1.0

    history: list[float] = []
    converged = False
    change = math.inf
    expected: _Expected | None = None
    iteration = 0
    for iteration in range(1, max_iter + 1):  # noqa: B007 - reported after the loop
        theta = mean + sd * z
        expected = _e_step(data, a, d, theta, weights)
        new_a, new_d = _m_step(
            expected.right[free],
            expected.shown[free],
            theta,
            a[free],
            d[free],
            fit_slope=model == "2pl",
        )
        change = float(
            max(
                np.abs(new_a - a[free]).max(),
                np.abs(-new_d / new_a + d[free] / a[free]).max(),
            )
        )
        a[free], d[free] = new_a, new_d
        if fit_mean or fit_sd:
            total = expected.nodes.sum()
            new_mean = float(expected.nodes @ theta / total) if fit_mean else 0.0
            new_sd = (
                math.sqrt(float(expected.nodes @ (theta - new_mean) ** 2 / total))
                if fit_sd
                else 1.0
            )
            change = max(change, abs(new_mean - mean), abs(new_sd - sd))
            mean, sd = new_mean, new_sd
        history.append(change)
        if change < tol:
            converged = True
            break
    assert expected is not None

    b = -d / a
    se_a = np.zeros(n_items)
    se_b = np.zeros(n_items)
    if standard_errors and grouped:
        se_b[free] = _rasch_standard_errors(x, data, d, mean + sd * z, weights, free)
    elif standard_errors:
        se_a[free], se_b[free] = _standard_errors(
            data, a, d, mean + sd * z, weights, free, model == "2pl"
        )
    return Calibration(
        model=model,
        a=a,
        b=b,
        se_a=se_a,
        se_b=se_b,
        estimated=free,
        n_responses=n_responses,
        population_mean=mean,
        population_sd=sd,
        iterations=iteration,
        converged=converged,
        max_change=change,
        log_likelihood=expected.log_likelihood,
        history=tuple(history),
    )


def _invert(info: Floats) -> Floats:
    try:
        return np.asarray(np.linalg.inv(info))
    except np.linalg.LinAlgError:
        return np.asarray(np.linalg.pinv(info))


def _rasch_standard_errors(
    x: NDArray[np.int8],
    groups: _Data,
    d: Floats,
    theta: Floats,
    weights: Floats,
    free: NDArray[np.bool_],
) -> Floats:
    """The cross-product SEs of b from score groups: the same sums, without N rows.

    Each examinee's score vector is x_i − e_g (e_g: the expected responses of their
    score group), so Σ s_i s_iᵀ = XᵀX − Σ_g (R_g e_gᵀ + e_g R_gᵀ) + Σ_g n_g e_g e_gᵀ
    with R_g the group's response totals. XᵀX is exact in float32 (counts < 2²⁴).
    """
    counts = groups.weights
    assert counts is not None
    logits = theta[None, :] + d[:, None]
    post, _ = _posterior(
        groups.right, None, logits, log_expit(-logits), np.log(weights)
    )
    expected = post @ expit(logits).T  # (G, J)
    totals = groups.right * counts[:, None]  # (G, J)
    as_float = x.astype(np.float32)
    cross = (as_float.T @ as_float).astype(np.float64)
    info = (
        cross
        - totals.T @ expected
        - expected.T @ totals
        + (expected * counts[:, None]).T @ expected
    )
    return np.sqrt(np.abs(np.diag(_invert(info[np.ix_(free, free)]))))


def _standard_errors(
    data: _Data,
    a: Floats,
    d: Floats,
    theta: Floats,
    weights: Floats,
    free: NDArray[np.bool_],
    fit_slope: bool,
) -> tuple[Floats, Floats]:
    """SEs of the free items' a and b from the empirical cross-product information."""
    logits = a[:, None] * theta[None, :] + d[:, None]
    p = expit(logits)
    log_wrong = log_expit(-logits)
    log_prior = np.log(weights)
    n_free = int(free.sum())
    size = 2 * n_free if fit_slope else n_free
    info = np.zeros((size, size))
    p_free = p[free].T  # (Q, F)
    for right, shown, _ in data.chunks():
        post, _ = _posterior(right, shown, logits, log_wrong, log_prior)
        resid_d = right[:, free] - post @ p_free
        if shown is not None:
            resid_d *= shown[:, free]
        if fit_slope:
            resid_a = right[:, free] * (post @ theta)[:, None] - post @ (
                theta[:, None] * p_free
            )
            if shown is not None:
                resid_a *= shown[:, free]
            scores = np.hstack([resid_a, resid_d])
        else:
            scores = resid_d
        info += scores.T @ scores
    cov = _invert(info)
    a_free, d_free = a[free], d[free]
    if not fit_slope:
        return np.zeros(n_free), np.sqrt(np.abs(np.diag(cov)))
    var_a = np.diag(cov)[:n_free]
    var_d = np.diag(cov)[n_free:]
    cov_ad = np.diag(cov[:n_free, n_free:])
    # b = −d / a: gradient (d / a², −1 / a)
    g_a, g_d = d_free / a_free**2, -1.0 / a_free
    var_b = g_a**2 * var_a + g_d**2 * var_d + 2 * g_a * g_d * cov_ad
    return np.sqrt(np.abs(var_a)), np.sqrt(np.abs(var_b))


def _scored_with_params(
    scored: ArrayLike, a: ArrayLike, b: ArrayLike
) -> tuple[NDArray[np.int8], Floats, Floats]:
    a_arr, b_arr = _params(a, b)
    x = as_scored(scored)
    if x.shape[1] != a_arr.size:
        raise ValueError(
            f"responses have {x.shape[1]} items but {a_arr.size} parameters"
        )
    return x, a_arr, b_arr


def eap(
    scored: ArrayLike,
    a: ArrayLike,
    b: ArrayLike,
    *,
    mean: float = 0.0,
    sd: float = 1.0,
    points: int = 41,
) -> tuple[Floats, Floats]:
    """Expected a posteriori θ and posterior SD per examinee, prior N(mean, sd²)."""
    x, a_arr, b_arr = _scored_with_params(scored, a, b)
    if not sd > 0:
        raise ValueError("the prior SD must be positive")
    z, weights = quadrature(points)
    theta = mean + sd * z
    logits = a_arr[:, None] * (theta[None, :] - b_arr[:, None])
    log_wrong = log_expit(-logits)
    log_prior = np.log(weights)
    estimate = np.empty(x.shape[0])
    spread = np.empty(x.shape[0])
    for start in range(0, x.shape[0], _CHUNK):
        block = x[start : start + _CHUNK]
        shown = (
            None if (block != MISSING).all() else (block != MISSING).astype(np.float64)
        )
        post, _ = _posterior(
            (block == 1).astype(np.float64), shown, logits, log_wrong, log_prior
        )
        m = post @ theta
        estimate[start : start + _CHUNK] = m
        spread[start : start + _CHUNK] = np.sqrt(
            np.maximum(post @ (theta * theta) - m * m, 0)
        )
    return estimate, spread


def mle(
    scored: ArrayLike,
    a: ArrayLike,
    b: ArrayLike,
    *,
    bounds: tuple[float, float] = (-6.0, 6.0),
) -> tuple[Floats, Floats]:
    """Maximum-likelihood θ and its SE (1/√information) for each examinee.

    A perfect or zero score has no finite estimate: it gets the bound, with SE inf.
    """
    x, a_arr, b_arr = _scored_with_params(scored, a, b)
    right = (x == 1).astype(np.float64)
    shown = (x != MISSING).astype(np.float64)
    n_right = right.sum(axis=1)
    n_shown = shown.sum(axis=1)
    theta = np.zeros(x.shape[0])
    for _ in range(100):
        p = expit(a_arr[None, :] * (theta[:, None] - b_arr[None, :]))
        grad = ((right - p) * shown) @ a_arr
        info = (p * (1 - p) * shown) @ (a_arr * a_arr)
        step = np.clip(grad / np.maximum(info, 1e-12), -1.0, 1.0)
        theta = np.clip(theta + step, *bounds)
        if float(np.abs(step).max(initial=0.0)) < 1e-10:
            break
    p = expit(a_arr[None, :] * (theta[:, None] - b_arr[None, :]))
    info = (p * (1 - p) * shown) @ (a_arr * a_arr)
    with np.errstate(divide="ignore"):
        se = 1.0 / np.sqrt(info)
    extreme = (n_right == 0) | (n_right == n_shown)
    theta = np.where(
        n_right == 0, bounds[0], np.where(n_right == n_shown, bounds[1], theta)
    )
    se = np.where(extreme, np.inf, se)
    return theta, se
