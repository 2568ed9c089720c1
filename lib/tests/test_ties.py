"""The smallest Hessian eigenvalue over tied singular vectors (landscape.theory.paper_a.ties)."""

import numpy as np
import pytest
from landscape.theory.paper_a.lemma1 import critical_point, problem_with_spectrum
from landscape.theory.paper_a.lemma2 import saddle_bound
from landscape.theory.paper_a.ties import _ry, _rz, tie_rotations
from landscape.theory.paper_a.ties import tie_circle


@pytest.fixture(scope="module")
def triple():
    return problem_with_spectrum([2.0, 2.0, 2.0, 1.0, 0.5], 5, 2, 5, 0.5, np.random.default_rng(12))


def test_tie_rotations_bounds_random_rotations(triple):
    """The certified maximum is above lambda_min at random rotations (a wrong certificate fails)."""
    block = np.arange(3)
    rng = np.random.default_rng(7)
    for support in [(0,), (0, 3), (1, 4), ()]:
        t = tie_rotations(triple, support, n=24)
        assert t.fit_residual < 1e-12 and t.symmetry_residual < 1e-12
        for _ in range(20):
            a, b, c = rng.uniform(0, 2 * np.pi, 3)
            P, Q = triple.P[:, :triple.rank_Y].copy(), triple.Q[:, :triple.rank_Y].copy()
            O = _rz(a) @ _ry(b) @ _rz(c)
            P[:, block], Q[:, block] = P[:, block] @ O, Q[:, block] @ O
            pt = critical_point(triple, support, basis=(P, Q))
            lam = np.linalg.eigvalsh(triple.hessian(pt.W1, pt.W2))[0]
            assert lam <= t.upper + 1e-10
        if support:
            assert t.upper <= saddle_bound(triple) and t.margin < 2.0


def test_tie_rotations_constant_when_the_block_is_unused(triple):
    t = tie_rotations(triple, (3, 4))
    assert t.used == 0 and t.grid_low == t.grid_high == t.upper


def test_tie_circle_bounds():
    p = problem_with_spectrum([2.2, 2, 2, 0.5], 4, 2, 4, 0.125, np.random.default_rng(5))
    t = tie_circle(p, (1,), n=64)
    assert t.fit_residual < 1e-12
    assert t.lower <= t.low <= t.lam_min.min() + 1e-12 and t.lam_min.max() - 1e-12 <= t.high <= t.upper
    fine = np.linspace(0, np.pi, 1001)
    from landscape.theory.paper_a.ties import _lam_min, _tied_pair
    vals = [_lam_min(p, (1,), _tied_pair(p), a) for a in fine]
    assert t.lower <= min(vals) and max(vals) <= t.upper
    assert t.low <= min(vals) + 1e-12 and min(vals) - t.low < 1e-4      # refined below the grid
    assert max(vals) <= t.high + 1e-12 and t.high - max(vals) < 1e-4
    with pytest.raises(ValueError):
        tie_circle(problem_with_spectrum([3.0, 2.0, 1.0], 3, 2, 3, 0.1, np.random.default_rng(1)), (0,))
