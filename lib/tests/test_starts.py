"""Many starts of a local method (landscape.optim.starts)."""

import numpy as np
from landscape.models.deep import DeepLinearNetwork
from landscape.theory.paper_b import rank_constrained_minimum
from landscape.models.losses import Quadratic


def test_runs_from_starts_and_derivative_free_search():
    from landscape.optim.starts import derivative_free_search, runs_from_starts

    rng = np.random.default_rng(8)
    X, Y = rng.standard_normal((3, 12)), rng.standard_normal((3, 12))
    net = DeepLinearNetwork((3, 2, 3, 3), Quadratic(X, Y))
    optimum = rank_constrained_minimum(X, Y, 2)
    recs = runs_from_starts(net, range(3), optimum, keep=True)
    assert all(r.reached and r.gap <= 1e-8 and np.isnan(r.lam_min) for r in recs)
    assert all(abs(r.value - net.value(r.Ms)) < 1e-12 for r in recs)
    none = runs_from_starts(net, [0], optimum, maxiter=1)        # cannot reach in 1 step
    assert not none[0].reached and np.isfinite(none[0].lam_min)
    found = derivative_free_search(lambda x: np.sum((x - 1.0) ** 2), 3, range(2))
    assert all(abs(v) < 1e-10 and np.allclose(x, 1.0, atol=1e-5) for _, x, v in found)
