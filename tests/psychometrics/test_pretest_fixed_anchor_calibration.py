"""Pretest items seen by a subset are calibrated onto the operational scale.

The operational items are anchors: their (a, b) from the bank are held fixed and only
the pretest items and the group's θ distribution are estimated. The group here is
abler than the base group (mean +0.4, SD 1.2 on the base scale), which a calibration
that assumes N(0, 1) would fold into the pretest items' b.
"""

import numpy as np
import pytest

from certwright.psychometrics import MISSING, calibrate, simulate

N_OPERATIONAL, N_PRETEST = 40, 8


@pytest.fixture(scope="module")
def seeded_form():
    a, b = simulate.item_params(N_OPERATIONAL + N_PRETEST, 51)
    theta = simulate.abilities(12_000, 52, mean=0.4, sd=1.2)
    scored = simulate.responses(theta, a, b, 53)
    pretest = range(N_OPERATIONAL, N_OPERATIONAL + N_PRETEST)
    scored = simulate.planned_missing(scored, pretest, 54, share=(0.2, 0.3))
    anchors = {j: (float(a[j]), float(b[j])) for j in range(N_OPERATIONAL)}
    return a, b, scored, anchors


def test_pretest_items_land_on_the_bank_scale(seeded_form):
    """Pretest b within RMSE 0.12 of the truth (~3,000 cases each), a within 0.15."""
    # given
    a, b, scored, anchors = seeded_form
    seen = (scored[:, N_OPERATIONAL:] != MISSING).sum(axis=0)
    assert seen.max() < 4000
    # when
    fit = calibrate(scored, anchors=anchors)
    # then
    pre = slice(N_OPERATIONAL, None)
    assert fit.converged
    assert np.sqrt(np.mean((fit.b[pre] - b[pre]) ** 2)) <= 0.12
    assert np.sqrt(np.mean((fit.a[pre] - a[pre]) ** 2)) <= 0.15
    assert fit.n_responses[pre].tolist() == seen.tolist()
    assert (fit.se_b[pre] > 0).all()


def test_anchors_stay_fixed_and_the_group_is_measured(seeded_form):
    """Anchor parameters come back unchanged; the group's mean and SD are estimated."""
    # given
    a, b, scored, anchors = seeded_form
    # when
    fit = calibrate(scored, anchors=anchors)
    # then
    ops = slice(0, N_OPERATIONAL)
    assert fit.a[ops].tolist() == pytest.approx(a[ops].tolist(), abs=1e-12)
    assert fit.b[ops].tolist() == pytest.approx(b[ops].tolist(), abs=1e-12)
    assert not fit.estimated[ops].any()
    assert (fit.se_a[ops] == 0).all()
    assert fit.population_mean == pytest.approx(0.4, abs=0.05)
    assert fit.population_sd == pytest.approx(1.2, abs=0.05)


def test_ignoring_the_anchors_puts_pretest_items_on_the_wrong_scale(seeded_form):
    """Without anchors the abler group makes every item look about 0.4 easier."""
    # given
    _, b, scored, _ = seeded_form
    # when
    free = calibrate(scored, standard_errors=False)
    # then
    shift = float(np.mean(free.b[:N_OPERATIONAL] - b[:N_OPERATIONAL]))
    assert shift < -0.25
