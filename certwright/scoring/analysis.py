"""Turn a form's response matrix into the JSON a run keeps and the pages read.

The numbers are the psychometrics package's (``certwright.psychometrics``): this
module only chooses what to compute for a form and lays it out. Three reports:

* :func:`analysis_report` — classical item analysis (p, corrected point-biserial,
  options, KR-20, SEM, flags), the score distribution, and for the item
  characteristic curves the proportion right in score groups beside a 2PL fitted to
  the same group.
* :func:`calibration_report` — Rasch or 2PL parameters on the bank's scale: the
  form's scored items that already carry bank parameters are anchors (held fixed),
  the others (pretest items, new operational ones) are estimated.
* :func:`equating_report` — a new form's raw cut and raw→scaled table from the
  base form's, by IRT true-score equating through common items.

Every float is rounded for storage and NaN becomes None (JSON has no NaN).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from certwright.psychometrics import calibrate, dichotomize, eap, equate_form, link
from certwright.psychometrics.ctt import item_analysis, option_label
from certwright.psychometrics.equating import IDENTITY, Linking, anchor_displacement
from certwright.psychometrics.responses import NOT_SEEN, OMIT
from certwright.scoring.selectors import Column, ResponseMatrix

Progress = Callable[[int, str], None]
Model = Literal["rasch", "2pl"]
MAX_GROUPS = 10
MIN_PER_GROUP = 20
DRIFT = 0.3  # |Δb| in logits beyond which an anchor has drifted (docs/psychometrics.md)


def _quiet(_percent: int, _stage: str) -> None:
    return None


def num(value: Any, digits: int = 4) -> float | None:
    """A JSON-safe rounded float (None for NaN or infinity)."""
    number = float(value)
    return round(number, digits) if math.isfinite(number) else None


def _nums(values: Sequence[Any] | NDArray[Any], digits: int = 4) -> list[float | None]:
    return [num(v, digits) for v in values]


# --- item analysis -----------------------------------------------------------------


def _score_groups(total: NDArray[np.int64]) -> NDArray[np.int64]:
    """Each examinee's score group 0..K-1: K equal-sized groups by total score."""
    n = total.size
    k = max(2, min(MAX_GROUPS, n // MIN_PER_GROUP))
    order = np.argsort(total, kind="stable")
    group = np.empty(n, dtype=np.int64)
    group[order] = (np.arange(n) * k) // n
    return group


def _group_counts(
    choices: NDArray[np.uint8], group: NDArray[np.int64], k: int, codes: Sequence[int]
) -> NDArray[np.float64]:
    """counts[code, g, item] of examinees in group g who chose code on item."""
    out = np.zeros((len(codes), k, choices.shape[1]))
    chunk = 1 << 15
    for start in range(0, choices.shape[0], chunk):
        block = choices[start : start + chunk]
        onehot = np.zeros((block.shape[0], k))
        onehot[np.arange(block.shape[0]), group[start : start + chunk]] = 1.0
        for index, code in enumerate(codes):
            out[index] += onehot.T @ (block == code).astype(np.float64)
    return out


@dataclass(frozen=True, slots=True)
class _Fit:
    a: NDArray[np.float64]  # per column, NaN where not fitted
    b: NDArray[np.float64]
    se_a: NDArray[np.float64]
    se_b: NDArray[np.float64]
    theta: NDArray[np.float64] | None  # per examinee (EAP)
    summary: dict[str, Any]


def _fit_2pl(scored: NDArray[np.int8]) -> _Fit:
    """A 2PL fitted to this group (its own θ scale, N(0, 1)) for the item curves.
    Items everyone got right (or wrong) cannot be fitted and are left out."""
    n_items = scored.shape[1]
    shown = (scored != -1).sum(axis=0)
    right = (scored == 1).sum(axis=0)
    ok = (right > 0) & (right < shown)
    nan = np.full(n_items, np.nan)
    summary: dict[str, Any] = {
        "model": "2pl",
        "excluded": [int(i) + 1 for i in np.flatnonzero(~ok)],
    }
    if ok.sum() < 2:
        summary["error"] = "fewer than two items can be fitted"
        return _Fit(nan, nan.copy(), nan.copy(), nan.copy(), None, summary)
    try:
        fit = calibrate(scored[:, ok], model="2pl")
        theta, _spread = eap(
            scored[:, ok],
            fit.a,
            fit.b,
            mean=fit.population_mean,
            sd=fit.population_sd,
        )
    except ValueError as exc:
        summary["error"] = str(exc)
        return _Fit(nan, nan.copy(), nan.copy(), nan.copy(), None, summary)
    a, b, se_a, se_b = nan.copy(), nan.copy(), nan.copy(), nan.copy()
    a[ok], b[ok], se_a[ok], se_b[ok] = fit.a, fit.b, fit.se_a, fit.se_b
    summary.update(
        converged=fit.converged,
        iterations=fit.iterations,
        error=None,
    )
    return _Fit(a, b, se_a, se_b, theta, summary)


def analysis_report(
    matrix: ResponseMatrix, *, cut_score: int | None, progress: Progress = _quiet
) -> dict[str, Any]:
    """The item analysis of ``matrix`` as JSON (see the module docstring)."""
    if matrix.n < 2:
        raise ValueError(
            f"an item analysis needs at least two sittings; this selection has "
            f"{matrix.n}"
        )
    choices, key, in_total = matrix.choices, matrix.key, matrix.scored
    progress(15, "classical item analysis")
    ia = item_analysis(choices, key, in_total=in_total)
    n_scored = int(in_total.sum())
    progress(35, "2PL fit for the item curves")
    scored = dichotomize(choices, key)
    fit = _fit_2pl(scored)
    progress(75, "score groups and option curves")
    group = _score_groups(ia.total)
    k = int(group.max()) + 1
    codes = [0, 1, 2, 3, OMIT, NOT_SEEN]
    counts = _group_counts(choices, group, k, codes)
    n_group = np.bincount(group, minlength=k).astype(np.float64)
    shown = n_group[:, None] - counts[-1]  # (k, items): examinees shown the item
    with np.errstate(invalid="ignore", divide="ignore"):
        share = counts[:-1] / shown[None, :, :]  # (5 codes, k, items)
        right = np.take_along_axis(
            share[:4], key.astype(np.intp)[None, None, :].repeat(k, axis=1), axis=0
        )[0]
    mean_raw = np.bincount(group, weights=ia.total, minlength=k) / n_group
    theta_g = (
        np.bincount(group, weights=fit.theta, minlength=k) / n_group
        if fit.theta is not None
        else None
    )
    flags_total: dict[str, int] = {}
    items: list[dict[str, Any]] = []
    for j, column in enumerate(matrix.columns):
        flags = [
            {
                "code": f.code,
                "value": num(f.value),
                "reason": f.reason,
                "option": None if f.option is None else option_label(f.option, 4),
            }
            for f in ia.flags_for(j)
        ]
        for f in ia.flags_for(j):
            flags_total[f.code] = flags_total.get(f.code, 0) + 1
        items.append(
            {
                **_column_json(column),
                "n": int(ia.n_seen[j]),
                "p": num(ia.p[j]),
                "rpb": num(ia.rpb[j]),
                "a": num(fit.a[j]),
                "b": num(fit.b[j]),
                "se_a": num(fit.se_a[j]),
                "se_b": num(fit.se_b[j]),
                "options": [
                    {
                        "label": option_label(o, 4),
                        "key": o == column.key,
                        "share": num(ia.option_share[j, o]),
                        "rpb": num(ia.option_rpb[j, o]),
                        "mean_total": num(ia.option_mean_total[j, o], 2),
                    }
                    for o in range(5)
                ],
                "flags": flags,
                "icc": _nums(right[:, j]),
                "trace": [_nums(share[o, :, j]) for o in range(5)],
            }
        )
    progress(90, "storing the results")
    return {
        "n": matrix.n,
        "n_delivered": matrix.n_delivered,
        "n_imported": matrix.n_imported,
        "n_simulated": matrix.n_simulated,
        "n_items": len(matrix.columns),
        "n_scored": n_scored,
        "cut_score": cut_score,
        "mean": num(ia.mean, 3),
        "sd": num(ia.sd, 3),
        "kr20": num(ia.kr20),
        "sem": num(ia.sem, 3),
        "distribution": np.bincount(ia.total, minlength=n_scored + 1).tolist(),
        "groups": [
            {
                "n": int(n_group[g]),
                "mean_raw": num(mean_raw[g], 3),
                "theta": None if theta_g is None else num(theta_g[g]),
            }
            for g in range(k)
        ],
        "calibration": fit.summary,
        "flag_counts": flags_total,
        "items": items,
    }


def _column_json(column: Column) -> dict[str, Any]:
    return {
        "position": column.position,
        "form_item": column.form_item_id,
        "version": column.version_id,
        "item": column.item_id,
        "code": column.code,
        "area": column.area,
        "scored": column.scored,
        "key": column.key_letter,
    }


def analysis_item_stats(results: Mapping[str, Any], run_id: int) -> dict[int, dict]:
    """What an analysis records on each item version (itembank.stats)."""
    return {
        row["version"]: {
            "p": row["p"],
            "rpb": row["rpb"],
            "n": row["n"],
            "a": row["a"],
            "b": row["b"],
            "run": run_id,
        }
        for row in results["items"]
    }


# --- calibration onto the bank's scale ----------------------------------------------


def bank_params(stats: Mapping[str, Any], model: Model) -> tuple[float, float] | None:
    """An item version's bank parameters for ``model``, if it has them."""
    a, b = stats.get("irt_a"), stats.get("irt_b")
    if not isinstance(a, int | float) or not isinstance(b, int | float):
        return None
    if model == "rasch" and (stats.get("irt_model") != "rasch" or a != 1):
        return None
    if model == "2pl" and stats.get("irt_model") not in ("2pl", None):
        return None
    return float(a), float(b)


def calibration_report(
    matrix: ResponseMatrix,
    *,
    model: Model,
    bank: Mapping[int, Mapping[str, Any]],
    progress: Progress = _quiet,
) -> dict[str, Any]:
    """Calibrate the form's items (``bank``: version id → its stats).

    Scored items with bank parameters of ``model`` are anchors; everything else is
    estimated on their scale. Without anchors the calibration defines the scale
    (θ ~ N(0, 1) in this group): the base form's first calibration.
    """
    if matrix.n < 2:
        raise ValueError(f"a calibration needs sittings; this selection has {matrix.n}")
    progress(15, "preparing responses")
    scored = dichotomize(matrix.choices, matrix.key)
    shown = (scored != -1).sum(axis=0)
    right = (scored == 1).sum(axis=0)
    anchors: dict[int, tuple[float, float]] = {}
    for j, column in enumerate(matrix.columns):
        params = bank_params(bank.get(column.version_id, {}), model)
        if column.scored and params is not None:
            anchors[j] = params
    fittable = (right > 0) & (right < shown)
    use = np.array([j in anchors or bool(fittable[j]) for j in range(shown.size)])
    if not (use & ~np.isin(np.arange(use.size), list(anchors))).any():
        raise ValueError(
            "nothing to calibrate: every item is an anchor or was answered the same "
            "way by everyone"
        )
    local = {int(j): i for i, j in enumerate(np.flatnonzero(use))}
    progress(30, f"{model} calibration ({len(anchors)} anchors)")
    fit = calibrate(
        scored[:, use],
        model=model,
        anchors={local[j]: ab for j, ab in anchors.items() if j in local},
    )
    progress(85, "storing the results")
    items = []
    for j, column in enumerate(matrix.columns):
        row: dict[str, Any] = {**_column_json(column), "n": int(shown[j])}
        if j in local:
            i = local[j]
            row.update(
                anchor=j in anchors,
                a=num(fit.a[i]),
                b=num(fit.b[i]),
                se_a=num(fit.se_a[i]),
                se_b=num(fit.se_b[i]),
            )
        else:
            row.update(
                anchor=False,
                a=None,
                b=None,
                se_a=None,
                se_b=None,
                excluded="everyone shown it answered it the same way",
            )
        items.append(row)
    return {
        "n": matrix.n,
        "n_delivered": matrix.n_delivered,
        "n_imported": matrix.n_imported,
        "n_simulated": matrix.n_simulated,
        "model": model,
        "n_anchors": len(anchors),
        "scale": "bank" if anchors else "this group (no anchors: defines the scale)",
        "population_mean": num(fit.population_mean),
        "population_sd": num(fit.population_sd),
        "converged": fit.converged,
        "iterations": fit.iterations,
        "log_likelihood": num(fit.log_likelihood, 2),
        "items": items,
    }


def calibration_item_stats(
    results: Mapping[str, Any], run_id: int
) -> dict[int, dict[str, Any]]:
    """What a calibration records on each estimated item version (not anchors)."""
    return {
        row["version"]: {
            "irt_model": results["model"],
            "irt_a": row["a"],
            "irt_b": row["b"],
            "irt_se_a": row["se_a"],
            "irt_se_b": row["se_b"],
            "irt_n": row["n"],
            "irt_run": run_id,
        }
        for row in results["items"]
        if not row["anchor"] and row["a"] is not None
    }


# --- equating ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BaseForm:
    """The base form's scored items in position order, and its cut and table."""

    columns: tuple[Column, ...]
    cut_score: int
    scale: Sequence[int]
    label: str


def _bank_or_error(
    columns: Sequence[Column],
    bank: Mapping[int, Mapping[str, Any]],
    model: Model,
    what: str,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    params = [bank_params(bank.get(c.version_id, {}), model) for c in columns]
    missing = [c.code for c, p in zip(columns, params, strict=True) if p is None]
    if missing:
        shown = ", ".join(missing[:8]) + (" …" if len(missing) > 8 else "")
        raise ValueError(
            f"{what}: {len(missing)} scored item(s) have no {model} bank parameters "
            f"({shown}); calibrate that form first and record the parameters"
        )
    return (
        np.array([p[0] for p in params if p]),
        np.array([p[1] for p in params if p]),
    )


def bank_model(
    bank: Mapping[int, Mapping[str, Any]], columns: Sequence[Column]
) -> Model:
    """The model the base form's items were calibrated with (Rasch only if all)."""
    models = {bank.get(c.version_id, {}).get("irt_model") for c in columns}
    return "rasch" if models == {"rasch"} else "2pl"


def equating_report(
    new: ResponseMatrix,
    base: BaseForm,
    *,
    bank: Mapping[int, Mapping[str, Any]],
    method: Literal["stocking-lord", "mean-sigma", "mean-mean"],
    min_sittings: int = 100,
    progress: Progress = _quiet,
) -> dict[str, Any]:
    """Equate the new form (``new``: its columns and any field-test sittings) to the
    base form.

    With at least ``min_sittings`` field-test sittings the new form is calibrated on
    its own and linked to the base scale through the common items (``method``);
    otherwise its items' bank parameters are used as they are (pre-equating, no
    linking needed: they are on the bank's scale already).
    """
    model = bank_model(bank, base.columns)
    base_a, base_b = _bank_or_error(
        base.columns, bank, model, f"base form {base.label}"
    )
    new_scored = [c for c in new.columns if c.scored]
    if len(new_scored) < 2:
        raise ValueError("the new form needs at least two scored items")
    base_by_item = {c.item_id: i for i, c in enumerate(base.columns)}
    common = [
        (j, base_by_item[c.item_id])
        for j, c in enumerate(new_scored)
        if c.item_id in base_by_item
    ]
    progress(20, "new form's parameters")
    linking: Linking = IDENTITY
    anchors: list[dict[str, Any]] = []
    if new.n >= min_sittings:
        mode = "field-test"
        if len(common) < 2:
            raise ValueError(
                f"linking needs at least two scored items common to both forms; these "
                f"share {len(common)}"
            )
        scored_cols = np.flatnonzero(new.scored)
        x = dichotomize(new.choices, new.key)[:, scored_cols]
        fit = calibrate(x, model=model)
        new_a, new_b = fit.a, fit.b
        progress(60, f"linking ({method})")
        ja = [j for j, _ in common]
        ba = [i for _, i in common]
        linking = link(new_a[ja], new_b[ja], base_a[ba], base_b[ba], method=method)
        moved = anchor_displacement(
            linking, new_a[ja], new_b[ja], base_a[ba], base_b[ba]
        )
        linked_a, linked_b = linking.params(new_a[ja], new_b[ja])
        for (j, i), d, la, lb in zip(common, moved, linked_a, linked_b, strict=True):
            anchors.append(
                {
                    "code": new_scored[j].code,
                    "base_a": num(base_a[i]),
                    "base_b": num(base_b[i]),
                    "new_a": num(la),
                    "new_b": num(lb),
                    "displacement": num(d),
                    "drift": bool(abs(d) > DRIFT),
                }
            )
    else:
        mode = "bank"
        new_a, new_b = _bank_or_error(new_scored, bank, model, "new form")
        for j, i in common:
            anchors.append(
                {
                    "code": new_scored[j].code,
                    "base_a": num(base_a[i]),
                    "base_b": num(base_b[i]),
                    "new_a": num(new_a[j]),
                    "new_b": num(new_b[j]),
                    "displacement": num(new_b[j] - base_b[i]),
                    "drift": False,
                }
            )
    progress(80, "true-score equating")
    result = equate_form(
        new_a,
        new_b,
        base_a,
        base_b,
        base_cut=base.cut_score,
        linking=linking,
        base_table=list(base.scale),
    )
    return {
        "mode": mode,
        "model": model,
        "n": new.n,
        "n_simulated": new.n_simulated,
        "base_form": base.label,
        "base_cut": base.cut_score,
        "base_scale": list(base.scale),
        "linking": {
            "method": linking.method,
            "slope": num(linking.slope, 5),
            "intercept": num(linking.intercept, 5),
        },
        "anchors": anchors,
        "n_common": len(common),
        "equated": _nums(result.equated, 3),
        "theta": _nums(result.theta, 3),
        "theta_cut": num(result.theta_cut),
        "cut_score": result.cut,
        "scale": list(result.scale),
    }
