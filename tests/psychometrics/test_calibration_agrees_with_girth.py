"""Our MML estimates agree with girth's on the same simulated data.

girth (the reference implementation) solves each item's b from the marginal
proportion right and a by a bounded line search, stopping when no a moves by 1e-3;
we solve the full MML equations by Newton to 1e-6 here. Both are MML on the same
41-point Gauss–Legendre grid over [−4.5, 4.5], so the differences are those of the
algorithms, not of the data: measured at most 0.002 (2PL) and 0.007 (Rasch) on these
seeds. The bound 0.02 is the issue's agreement target; it leaves room for girth's
looser stopping rule without hiding a real disagreement (sampling error at N = 3,000
is about 0.05, so a wrong model or a bug would show up well above it).
"""

import numpy as np
import pytest

from certwright.psychometrics import calibrate, simulate

girth = pytest.importorskip("girth")


def test_2pl_agrees_with_girth_twopl_mml():
    """max |Δa| and max |Δb| ≤ 0.02 against girth.twopl_mml (converged settings)."""
    # given
    a, b = simulate.item_params(20, 11)
    scored = simulate.responses(simulate.abilities(3000, 12), a, b, 13)
    # when
    ours = calibrate(
        scored, quadrature_kind="legendre", tol=1e-6, standard_errors=False
    )
    theirs = girth.twopl_mml(
        scored.T.astype(int), options={"max_iteration": 200, "quadrature_n": 41}
    )
    # then
    assert ours.converged
    assert np.abs(ours.a - theirs["Discrimination"]).max() <= 0.02
    assert np.abs(ours.b - theirs["Difficulty"]).max() <= 0.02


def test_rasch_agrees_with_girth_rasch_mml():
    """Rasch with θ ~ N(0, 1) held fixed (as girth does): max |Δb| ≤ 0.02."""
    # given
    _, b = simulate.item_params(20, 14, model="rasch")
    scored = simulate.responses(simulate.abilities(3000, 15), np.ones(20), b, 16)
    # when
    ours = calibrate(
        scored, model="rasch", latent="standard", quadrature_kind="legendre", tol=1e-6
    )
    theirs = girth.rasch_mml(scored.T.astype(int), options={"quadrature_n": 41})
    # then
    assert np.abs(ours.b - theirs["Difficulty"]).max() <= 0.02
