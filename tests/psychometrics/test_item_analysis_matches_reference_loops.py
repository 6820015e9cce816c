"""The vectorised item analysis equals a plain loop over items and options.

The data have omits and pretest columns seen by a subset (NOT_SEEN), which are
analysed against the operational total without being part of it.
"""

import numpy as np

from certwright.psychometrics import NOT_SEEN, OMIT, item_analysis, simulate


def _corr(x, y):
    if x.std() == 0 or y.std() == 0:
        return np.nan
    return float(np.corrcoef(x, y)[0, 1])


def reference(choices, key, in_total, n_options=4):
    right = choices == key
    total = right[:, in_total].sum(axis=1)
    n_items = choices.shape[1]
    codes = [*range(n_options), OMIT]
    p, rpb = np.zeros(n_items), np.zeros(n_items)
    share = np.full((n_items, n_options + 1), np.nan)
    orpb = np.full((n_items, n_options + 1), np.nan)
    mean = np.full((n_items, n_options + 1), np.nan)
    for j in range(n_items):
        seen = choices[:, j] != NOT_SEEN
        x = right[seen, j].astype(float)
        rest = total[seen] - (x if in_total[j] else 0)
        p[j] = x.mean()
        rpb[j] = _corr(x, rest)
        for o, code in enumerate(codes):
            chose = (choices[seen, j] == code).astype(float)
            share[j, o] = chose.mean()
            orpb[j, o] = _corr(chose, rest)
            if chose.any():
                mean[j, o] = total[seen][chose == 1].mean()
    kr_p = right[:, in_total].mean(axis=0)
    k = in_total.sum()
    kr20 = k / (k - 1) * (1 - (kr_p * (1 - kr_p)).sum() / total.var())
    return {
        "p": p,
        "rpb": rpb,
        "share": share,
        "orpb": orpb,
        "mean": mean,
        "kr20": kr20,
    }


def test_vectorised_statistics_equal_the_loop():
    """Every per-item and per-option number matches the loop to 1e-10."""
    # given: 40 operational items, 6 pretest items seen by 20–30 % of 3,000 examinees
    a, b = simulate.item_params(46, 1)
    theta = simulate.abilities(3000, 2)
    scored = simulate.planned_missing(
        simulate.responses(theta, a, b, 3), range(40, 46), 4, share=(0.2, 0.3)
    )
    key = np.random.default_rng(5).integers(0, 4, 46)
    choices = simulate.choices(scored, key, 6, omit_rate=0.05)
    in_total = np.arange(46) < 40
    # when
    got = item_analysis(choices, key, in_total=in_total)
    want = reference(choices, key, in_total)
    # then
    np.testing.assert_allclose(got.p, want["p"], atol=1e-12)
    np.testing.assert_allclose(got.rpb, want["rpb"], atol=1e-10)
    np.testing.assert_allclose(got.option_share, want["share"], atol=1e-12)
    np.testing.assert_allclose(got.option_rpb, want["orpb"], atol=1e-10)
    np.testing.assert_allclose(got.option_mean_total, want["mean"], atol=1e-9)
    assert abs(got.kr20 - want["kr20"]) < 1e-12
    assert (got.n_seen[40:] < 1000).all()
    assert (got.n_seen[:40] == 3000).all()
