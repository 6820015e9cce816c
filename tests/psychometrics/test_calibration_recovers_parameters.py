"""MML calibration recovers the parameters that generated the data.

Sizes are modest so the tests stay fast; the bounds are about 1.5× the RMSE the
reference measured at these sizes (2PL, J = 60: 0.045 / 0.054 at N = 5,000), and a
fixed seed makes each run the same.
"""

import numpy as np
import pytest

from certwright.psychometrics import MISSING, calibrate, simulate


def rmse(x, y):
    return float(np.sqrt(np.mean((np.asarray(x) - np.asarray(y)) ** 2)))


@pytest.fixture(scope="module")
def two_pl():
    a, b = simulate.item_params(40, 21)
    theta = simulate.abilities(5000, 22)
    return a, b, simulate.responses(theta, a, b, 23)


def test_2pl_recovers_a_and_b(two_pl):
    """N = 5,000, J = 40: RMSE(a) ≤ 0.07, RMSE(b) ≤ 0.08, converged below 1e-4."""
    # given
    a, b, scored = two_pl
    # when
    fit = calibrate(scored)
    # then
    assert fit.converged
    assert fit.max_change < 1e-4
    assert 3 < fit.iterations < 200
    assert rmse(fit.a, a) <= 0.07
    assert rmse(fit.b, b) <= 0.08
    assert fit.population_mean == 0.0
    assert fit.population_sd == 1.0


def test_standard_errors_match_the_actual_errors(two_pl):
    """The mean SE is within ±40 % of the RMSE against the true values."""
    # given
    a, b, scored = two_pl
    # when
    fit = calibrate(scored)
    # then
    assert 0.6 < fit.se_a.mean() / rmse(fit.a, a) < 1.4
    assert 0.6 < fit.se_b.mean() / rmse(fit.b, b) < 1.4


def test_rasch_recovers_b_and_the_group_sd():
    """Rasch on a group with SD 1.3: b within RMSE 0.06 and the SD within 0.05."""
    # given
    _, b = simulate.item_params(30, 31, model="rasch")
    scored = simulate.responses(
        simulate.abilities(5000, 32, sd=1.3), np.ones(30), b, 33
    )
    # when
    fit = calibrate(scored, model="rasch")
    # then
    assert fit.converged
    assert (fit.a == 1.0).all()
    assert rmse(fit.b, b) <= 0.06
    assert fit.population_sd == pytest.approx(1.3, abs=0.05)


def test_rasch_score_groups_give_the_same_answer_as_every_examinee():
    """Complete Rasch data (collapsed to score groups) = the per-examinee path.

    A row with nothing presented adds nothing to the likelihood but forces the
    per-examinee path; with the latent distribution held at N(0, 1) both must agree.
    """
    # given
    _, b = simulate.item_params(20, 41, model="rasch")
    scored = simulate.responses(simulate.abilities(2000, 42), np.ones(20), b, 43)
    padded = np.vstack([scored, np.full((1, 20), MISSING, dtype=np.int8)])
    # when
    grouped = calibrate(scored, model="rasch", latent="standard", tol=1e-8)
    per_examinee = calibrate(padded, model="rasch", latent="standard", tol=1e-8)
    # then
    np.testing.assert_allclose(grouped.b, per_examinee.b, atol=1e-7)
    np.testing.assert_allclose(grouped.se_b, per_examinee.se_b, rtol=1e-6)
    assert grouped.log_likelihood == pytest.approx(per_examinee.log_likelihood)


def test_iteration_cap_is_reported_as_not_converged(two_pl):
    """Stopping at max_iter says so, with the last change."""
    # given
    _, _, scored = two_pl
    # when
    fit = calibrate(scored, max_iter=2, standard_errors=False)
    # then
    assert not fit.converged
    assert fit.iterations == 2
    assert fit.max_change > 1e-4
    assert len(fit.history) == 2
    assert (fit.se_a == 0).all()
