"""landscape.studies.corollary1: the Corollary 1 chapter's configurations, relative layer norms
and continued runs (shared with scripts/corollary1_runs.py)."""

import numpy as np
import pytest
from landscape.studies.corollary1 import corollary1_config, relative_layer_norms
from landscape.theory.paper_b import rank_constrained_minimizer


def test_relative_layer_norms_of_balanced_and_unbalanced_points():
    net, _ = corollary1_config(4, "first", 3)
    P = rank_constrained_minimizer(net.loss.X, net.loss.Y, net.narrowest)
    Ms = net.balanced(P)
    np.testing.assert_allclose(relative_layer_norms(net, Ms), np.ones(4), rtol=1e-12)
    Ms[0], Ms[2] = 5.0 * Ms[0], Ms[2] / 5.0               # same product, out of balance
    np.testing.assert_allclose(net.product(Ms), P, atol=1e-10)
    np.testing.assert_allclose(relative_layer_norms(net, Ms), [5.0, 1.0, 0.2, 1.0], rtol=1e-12)
    with pytest.raises(ValueError, match="Ms must be a list of k = 4 matrices"):
        relative_layer_norms(net, Ms[:3])


def test_continue_run_balanced_restart():
    from landscape.studies.corollary1 import COROLLARY1, continue_run, corollary1_config

    net, optimum = corollary1_config(4, "first", 3)
    Ms = net.random_weights(np.random.default_rng(0), scale=0.3)
    Ms[0] = Ms[0] * 30.0                              # far out of balance, same product
    Ms[1] = Ms[1] / 30.0
    r, gap = continue_run(net, Ms, optimum)
    assert r.reached and -1e-9 < gap <= COROLLARY1["tol"]
    plain, _ = continue_run(net, Ms, optimum, balanced=False, maxiter=5)
    assert plain.n_iter <= 5
