"""Ability estimates, curves and the raw-score → θ conversion through the TCC."""

import numpy as np
import pytest

from certwright.psychometrics import MISSING, eap, icc, mle, raw_to_theta, simulate, tcc
from certwright.psychometrics.irt import test_information as information
from certwright.psychometrics.irt import theta_for_true_score


@pytest.fixture(scope="module")
def data():
    a, b = simulate.item_params(60, 61)
    theta = simulate.abilities(4000, 62)
    return a, b, theta, simulate.responses(theta, a, b, 63)


def test_eap_tracks_the_true_ability(data):
    """EAP on 60 items correlates above 0.93 with θ; its SD is about 1/√information."""
    # given
    a, b, theta, scored = data
    # when
    estimate, sd = eap(scored, a, b)
    # then
    assert np.corrcoef(estimate, theta)[0, 1] > 0.93
    middle = np.abs(estimate) < 1
    expected = 1 / np.sqrt(information(estimate[middle], a, b) + 1)  # + prior
    np.testing.assert_allclose(sd[middle], expected, rtol=0.1)


def test_eap_ignores_items_not_presented(data):
    """Blanking items as MISSING equals scoring only the presented ones."""
    # given
    a, b, _, scored = data
    blanked = scored[:50].copy()
    blanked[:, 30:] = MISSING
    # when / then
    np.testing.assert_allclose(
        eap(blanked, a, b)[0], eap(scored[:50, :30], a[:30], b[:30])[0], atol=1e-12
    )


def test_mle_solves_the_likelihood_equation(data):
    """At the ML estimate Σ a (x − P) = 0; perfect scores get the bound and SE inf."""
    # given
    a, b, _, scored = data
    rows = np.vstack(
        [scored[:20], np.ones((1, 60), np.int8), np.zeros((1, 60), np.int8)]
    )
    # when
    theta, se = mle(rows, a, b)
    # then
    p = icc(theta[:20], a, b)
    np.testing.assert_allclose(((rows[:20] - p) * a).sum(axis=1), 0, atol=1e-7)
    np.testing.assert_allclose(se[:20], 1 / np.sqrt(information(theta[:20], a, b)))
    assert theta[20] == 6.0
    assert theta[21] == -6.0
    assert np.isinf(se[20:]).all()


def test_tcc_inverse_round_trips_and_raw_to_theta_increases(data):
    """theta_for_true_score inverts the TCC; the raw → θ table rises with the score."""
    # given
    a, b, _, _ = data
    scores = np.array([0.5, 10.0, 30.0, 59.5])
    # when
    theta = theta_for_true_score(scores, a, b)
    table = raw_to_theta(a, b)
    # then
    np.testing.assert_allclose(tcc(theta, a, b), scores, atol=1e-9)
    assert table.shape == (61,)
    assert (np.diff(table) > 0).all()
    assert tcc(table[[0, 60]], a, b) == pytest.approx([0.3, 59.7])
