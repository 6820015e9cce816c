"""Linking recovers the linear transformation between two θ scales.

If θ_base = A·θ_new + B, the anchors' parameters on the new scale are
a_new = A·a_base and b_new = (b_base − B) / A; each method must find A and B.
"""

import numpy as np
import pytest

from certwright.psychometrics import calibrate, link, simulate
from certwright.psychometrics.equating import anchor_displacement

A, B = 1.2, -0.4


@pytest.fixture
def anchors():
    a_base, b_base = simulate.item_params(20, 71)
    return a_base * A, (b_base - B) / A, a_base, b_base


@pytest.mark.parametrize("method", ["stocking-lord", "mean-sigma", "mean-mean"])
def test_exact_parameters_give_the_exact_constants(anchors, method):
    """Error-free anchors: every method returns A = 1.2, B = −0.4."""
    # given
    a_new, b_new, a_base, b_base = anchors
    # when
    linking = link(a_new, b_new, a_base, b_base, method=method)
    # then
    assert linking.slope == pytest.approx(A, abs=1e-6)
    assert linking.intercept == pytest.approx(B, abs=1e-6)
    assert linking.method == method
    a_back, b_back = linking.params(a_new, b_new)
    np.testing.assert_allclose(a_back, a_base, atol=1e-5)
    np.testing.assert_allclose(b_back, b_base, atol=1e-5)
    assert (
        np.abs(anchor_displacement(linking, a_new, b_new, a_base, b_base)).max() < 1e-5
    )


def test_two_groups_sharing_twenty_anchors():
    """NEAT: the new group is abler (mean +0.3, SD 1.1); 20 anchors, 5,000 each.

    Calibrating each group on its own N(0, 1) puts the new form on a scale with
    θ_base = 1.1·θ_new + 0.3; Stocking–Lord recovers it within 0.05.
    """
    # given: base form items 0–39, new form items 20–59; 20–39 are the anchors
    a, b = simulate.item_params(60, 72)
    base = simulate.responses(simulate.abilities(5000, 73), a[:40], b[:40], 74)
    new = simulate.responses(
        simulate.abilities(5000, 75, mean=0.3, sd=1.1), a[20:], b[20:], 76
    )
    base_fit = calibrate(base, standard_errors=False)
    new_fit = calibrate(new, standard_errors=False)
    # when
    linking = link(new_fit.a[:20], new_fit.b[:20], base_fit.a[20:], base_fit.b[20:])
    # then
    assert linking.intercept == pytest.approx(0.3, abs=0.05)
    assert linking.slope == pytest.approx(1.1, abs=0.05)
    _, b_new_on_base = linking.params(new_fit.a, new_fit.b)
    assert np.sqrt(np.mean((b_new_on_base[20:] - b[40:]) ** 2)) < 0.1
