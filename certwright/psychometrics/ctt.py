"""Classical item analysis: p-values, point-biserials, distractors, KR-20 and flags.

:func:`item_analysis` takes a choices matrix (see :mod:`.responses`), the key, and
which items make up the total score (the scored, operational items; pretest items
are analysed against that total but are not part of it). Every statistic of an item
is computed over the examinees who were shown it, so a pretest item seen by a tenth
of the candidates gets its own n.

* **p** — proportion answering correctly (an omit counts as wrong).
* **rpb** — the *corrected* point-biserial: the Pearson correlation between the item
  (1/0) and the rest score, the total without this item. For an item outside the
  total the rest score is the total itself.
* **options** — for every option and for omits: the share choosing it, its option
  point-biserial (choosing it, 1/0, against the same rest score; the key's equals the
  item's rpb), and the mean total score of those who chose it.
* **KR-20** over the items in the total, with the SEM = SD·√(1 − KR-20) in raw points.

Flags carry a code (for a program to translate), the number behind it and a reason in
plain words. The defaults follow the reference bands: p below 0.15 or above 0.90,
rpb below 0.20, negative rpb ("check the key"), a distractor with a positive
point-biserial, a distractor almost nobody chooses.

All sums are matrix products of option indicators with (1, T, T²), taken in chunks of
rows so memory stays bounded; no Python loop runs over examinees or items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .responses import NOT_SEEN, OMIT, as_choices, as_key, as_mask

__all__ = ["Flag", "FlagRules", "ItemAnalysis", "item_analysis", "option_label"]

_CHUNK = 1 << 15


def option_label(option: int, n_options: int) -> str:
    """``A``, ``B``, … for an option index; ``omit`` for the extra column."""
    return "omit" if option == n_options else chr(ord("A") + option)


@dataclass(frozen=True, slots=True)
class FlagRules:
    """Thresholds for flagging items; the defaults are the reference's bands."""

    p_low: float = 0.15  # PACER: p < 0.15
    p_high: float = 0.90  # PACER uses 0.85; 0.90 keeps easy-but-useful items quiet
    rpb_min: float = 0.20  # inits.co / PACER: below 0.20 revise
    distractor_min_share: float = 0.02  # a wrong option nobody picks is not working
    min_seen: int = 100  # below this the statistics are too unstable to act on


@dataclass(frozen=True, slots=True)
class Flag:
    """One reason to look at an item again."""

    item: int
    code: str
    value: float
    reason: str
    option: int | None = None


@dataclass(frozen=True, slots=True)
class ItemAnalysis:
    """Per-item and per-form classical statistics (arrays indexed by item)."""

    n_examinees: int
    n_options: int
    in_total: NDArray[np.bool_]
    n_seen: NDArray[np.int64]
    p: NDArray[np.float64]
    rpb: NDArray[np.float64]
    # (items, n_options + 1): the last column is omits.
    option_share: NDArray[np.float64]
    option_rpb: NDArray[np.float64]
    option_mean_total: NDArray[np.float64]
    total: NDArray[np.int64] = field(repr=False)
    mean: float
    sd: float
    kr20: float
    sem: float
    flags: tuple[Flag, ...]

    def flags_for(self, item: int) -> tuple[Flag, ...]:
        return tuple(f for f in self.flags if f.item == item)

    @property
    def n_items(self) -> int:
        return int(self.p.shape[0])


def _pearson(
    n: NDArray[np.float64],
    sx: NDArray[np.float64],
    sy: NDArray[np.float64],
    syy: NDArray[np.float64],
    sxy: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Correlation of a 0/1 variable x with y from sums (Σx² = Σx for 0/1 x)."""
    cov = n * sxy - sx * sy
    var_x = n * sx - sx * sx
    var_y = n * syy - sy * sy
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = np.sqrt(var_x * var_y)
        r = np.where(denom > 1e-12 * np.maximum(n * n, 1.0), cov / denom, np.nan)
    return np.asarray(r, dtype=np.float64)


def item_analysis(
    choices: ArrayLike,
    key: ArrayLike,
    *,
    in_total: ArrayLike | None = None,
    n_options: int = 4,
    rules: FlagRules | None = None,
) -> ItemAnalysis:
    """Classical item analysis of one form's responses.

    ``choices``: examinees × items of option indices with OMIT / NOT_SEEN codes.
    ``key``: the right option of each item. ``in_total``: items that make the total
    (default: all); every examinee must have been shown them.
    """
    c = as_choices(choices, n_options)
    n_examinees, n_items = c.shape
    k = as_key(key, n_items, n_options)
    total_mask = as_mask(in_total, n_items, "in_total")
    n_total_items = int(total_mask.sum())
    if n_total_items < 2:
        raise ValueError("the total score needs at least two items (in_total)")
    unseen_total = (c[:, total_mask] == NOT_SEEN).sum(axis=0)
    if unseen_total.any():
        item = int(np.flatnonzero(total_mask)[int(np.flatnonzero(unseen_total)[0])])
        raise ValueError(
            f"item {item} counts toward the total but was not presented to "
            f"{int(unseen_total.max())} examinee(s); the total (and KR-20) needs every "
            "examinee to have been shown every item in it"
        )

    total = np.zeros(n_examinees, dtype=np.int64)
    for start in range(0, n_examinees, _CHUNK):
        block = c[start : start + _CHUNK, total_mask]
        total[start : start + _CHUNK] = (block == k[total_mask]).sum(axis=1)
    mean = float(total.mean())
    var_total = float(total.var())
    if var_total == 0.0:
        raise ValueError(
            f"every examinee has the same total score ({int(total[0])}); "
            "reliability and discrimination are undefined"
        )
    centred = total - mean

    # sums[code, item, m] = Σ over examinees choosing `code` of centred**m (m = 0, 1, 2)
    codes = np.array([*range(n_options), OMIT], dtype=np.uint8)
    sums = np.zeros((codes.size, n_items, 3))
    for start in range(0, n_examinees, _CHUNK):
        block = c[start : start + _CHUNK]
        t = centred[start : start + _CHUNK]
        powers = np.stack([np.ones_like(t), t, t * t], axis=1)
        for index, code in enumerate(codes):
            sums[index] += (block == code).T.astype(np.float64) @ powers

    seen = sums.sum(axis=0)  # (items, 3): n_seen, Σ T, Σ T² over those shown the item
    n_seen = seen[:, 0]
    items = np.arange(n_items)
    right = sums[k.astype(np.intp), items]  # the key's row: x = 1
    sx, sxt = right[:, 0], right[:, 1]
    in_t = total_mask.astype(np.float64)
    # rest = T - x for items in the total (x² = x), T otherwise
    sy = seen[:, 1] - in_t * sx
    syy = seen[:, 2] - in_t * (2 * sxt - sx)
    rpb = _pearson(n_seen, sx, sy, syy, sxt - in_t * sx)

    is_key = np.zeros((codes.size, n_items))
    is_key[k.astype(np.intp), items] = 1.0
    so, sot = sums[:, :, 0], sums[:, :, 1]  # (codes, items)
    option_rpb = _pearson(n_seen, so, sy, syy, sot - in_t * is_key * so).T
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n_seen > 0, sx / np.maximum(n_seen, 1), np.nan)
        option_share = np.where(n_seen > 0, so / np.maximum(n_seen, 1), np.nan).T
        option_mean_total = np.where(so > 0, sot / np.maximum(so, 1) + mean, np.nan).T

    p_total = p[total_mask]
    kr20 = (n_total_items / (n_total_items - 1)) * (
        1.0 - float((p_total * (1 - p_total)).sum()) / var_total
    )
    sd = math.sqrt(var_total)
    sem = sd * math.sqrt(max(0.0, 1.0 - kr20))
    rules = rules or FlagRules()
    flags = _flags(
        rules, n_options, k, n_seen.astype(np.int64), p, rpb, option_share, option_rpb
    )
    return ItemAnalysis(
        n_examinees=n_examinees,
        n_options=n_options,
        in_total=total_mask,
        n_seen=n_seen.astype(np.int64),
        p=p,
        rpb=rpb,
        option_share=option_share,
        option_rpb=option_rpb,
        option_mean_total=option_mean_total,
        total=total,
        mean=mean,
        sd=sd,
        kr20=kr20,
        sem=sem,
        flags=tuple(flags),
    )


def _flags(
    rules: FlagRules,
    n_options: int,
    key: NDArray[np.uint8],
    n_seen: NDArray[np.int64],
    p: NDArray[np.float64],
    rpb: NDArray[np.float64],
    option_share: NDArray[np.float64],
    option_rpb: NDArray[np.float64],
) -> list[Flag]:
    flags: list[Flag] = []
    for item in range(p.shape[0]):

        def add(
            code: str,
            value: float,
            reason: str,
            option: int | None = None,
            item: int = item,
        ) -> None:
            flags.append(Flag(item, code, value, reason, option))

        n = int(n_seen[item])
        if n == 0:
            add("not-seen", 0, "No examinee was shown this item.")
            continue
        if n < rules.min_seen:
            add(
                "few-responses",
                n,
                f"Only {n} examinees saw this item (fewer than {rules.min_seen}); "
                "its statistics are too unstable to act on yet.",
            )
        pj, rj = float(p[item]), float(rpb[item])
        if pj in (0.0, 1.0):
            everyone = "right" if pj == 1.0 else "wrong"
            add(
                "no-variance",
                pj,
                f"Every examinee got it {everyone}, so it cannot tell stronger from "
                "weaker candidates.",
            )
        # Compared as shown (two decimals): 0.904 reads "0.90" on every page, and
        # "0.90 is above 0.90" is a contradiction staff cannot act on.
        shown = round(pj, 2)
        if shown < rules.p_low:
            add(
                "hard",
                pj,
                f"Very hard: only {pj:.0%} answered correctly (below "
                f"{rules.p_low:.2f}). Check the key and the wording.",
            )
        elif shown > rules.p_high:
            add(
                "easy",
                pj,
                f"Very easy: {pj:.0%} answered correctly (above "
                f"{rules.p_high:.2f}); it says little about competence.",
            )
        if rj < 0:
            add(
                "negative-discrimination",
                rj,
                f"Negative discrimination (r = {rj:.2f}): candidates with higher "
                "scores miss it more often than weaker ones. Check the key.",
            )
        elif rj < rules.rpb_min:  # False for NaN
            add(
                "low-discrimination",
                rj,
                f"Weak discrimination (r = {rj:.2f}, below {rules.rpb_min:.2f}): "
                "revise the item.",
            )
        for option in range(n_options):
            if option == key[item]:
                continue
            label = option_label(option, n_options)
            r_opt = float(option_rpb[item, option])
            if r_opt > 0:  # False for NaN (nobody chose it)
                add(
                    "distractor-positive",
                    r_opt,
                    f"Distractor {label} draws stronger candidates "
                    f"(r = {r_opt:+.2f}): is {label} also right, or is the key wrong?",
                    option,
                )
            share = float(option_share[item, option])
            if share < rules.distractor_min_share:
                add(
                    "distractor-unused",
                    share,
                    f"Distractor {label} is chosen by {share:.1%} of examinees "
                    f"(below {rules.distractor_min_share:.0%}); it is not working.",
                    option,
                )
    return flags
