"""The numerical search for critical points (landscape.optim.critical_points)."""

import numpy as np
import pytest
from landscape.theory.paper_a.lemma1 import problem_with_spectrum
from landscape.optim.critical_points import find_critical_points
from landscape.studies.lemma1 import survey


def test_find_critical_points_converges_to_a_critical_point():
    p = problem_with_spectrum([2.0, 1.0], 2, 2, 2, 1.0, np.random.default_rng(5))
    W1, W2 = p.random_weights(np.random.default_rng(6), batch=(4,))
    res = find_critical_points(p, W1, W2, max_iter=100)
    assert res.converged.all() and res.n_iter.max() <= 100
    for a, b in zip(res.W1, res.W2):
        assert p.gradient_norm(a, b) <= res.gtol


def test_search_bad_arguments():
    p = problem_with_spectrum([2.0, 1.0], 2, 2, 2, 1.0, np.random.default_rng(5))
    W1, W2 = p.random_weights(np.random.default_rng(6), batch=(2,))
    with pytest.raises(ValueError, match="W1 must be a 3-D array"):
        find_critical_points(p, W1[0], W2)
    with pytest.raises(ValueError, match="max_iter must be >= 1"):
        find_critical_points(p, W1, W2, max_iter=0)
    with pytest.raises(ValueError, match="gtol must be >= 0"):
        find_critical_points(p, W1, W2, gtol=-1.0)
    with pytest.raises(TypeError, match="Generator"):
        survey(p, 3)
    with pytest.raises(ValueError, match="n_starts must be >= 1"):
        survey(p, np.random.default_rng(0), n_starts=0)
