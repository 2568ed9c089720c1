"""landscape.theory.paper_a.lemma1: Lemma 1's set C (every element critical and balanced, counts,
ties, rank-deficient targets), problem_with_spectrum, and identify (weights back to C)."""

import numpy as np
import pytest
from hypothesis import given, settings

from landscape.theory.paper_a.lemma1 import (count_critical_points, critical_point,
    critical_points, is_global_support, singular_value_blocks)
from landscape.theory.paper_a.lemma2 import saddle_bound
from landscape.models.shallow import ShallowProblem

from conftest import flat, problems, spectrum_problem, spectra


@settings(max_examples=25, deadline=None)
@given(problems(max_dim=4, mu=0.5))
def test_every_element_of_C_is_critical_balanced_and_g_equals_f(case):
    p, rng = case
    scale = max(1.0, float(p.lam[0]) * float(p.sigma[0]) ** 2)
    pts = critical_points(p, rng=rng)
    assert len(pts) == count_critical_points(p.rank_Y, p.d1)
    f = p.with_mu(0.0)
    for c in pts:
        grad = flat(p.gradient(c.W1, c.W2))
        assert np.abs(grad).max() <= 1e-9 * scale, (c.support, np.abs(grad).max())
        np.testing.assert_allclose(c.W2.T @ c.W2, c.W1 @ p.XXt @ c.W1.T, atol=1e-9 * max(1.0, p.lam[0]))  # (11)
        assert c.value == pytest.approx(f.value(c.W1, c.W2), rel=1e-12, abs=1e-12)
        assert np.abs(flat(f.gradient(c.W1, c.W2))).max() <= 1e-9 * scale  # Theorem 2(ii)


def test_count_matches_binomial_sums():
    assert count_critical_points(0, 3) == 1
    assert count_critical_points(3, 5) == 8
    assert count_critical_points(4, 2) == 1 + 4 + 6
    assert count_critical_points(10, 15) == 1024


def test_balanced_minimizer_is_the_global_element_with_identity_rotation():
    p = spectrum_problem([4.0, 3.0, 1.0], d0=4, d2=3, d1=2, mu=0.2, seed=1)
    W1, W2 = p.balanced_minimizer()
    c = critical_point(p, (0, 1))
    assert c.is_global
    np.testing.assert_allclose(c.W1, W1, atol=1e-14)
    np.testing.assert_allclose(c.W2, W2, atol=1e-14)


def test_repeated_singular_values_at_the_cut():
    """lambda = (3, 2, 2), d1 = 2: two global supports, and (17) as printed fails."""
    p = spectrum_problem([3.0, 2.0, 2.0], d0=3, d2=3, d1=2, mu=1.0, seed=5, x_scale=4.0)
    assert [b.tolist() for b in singular_value_blocks(p.lam)] == [[0], [1, 2]]
    globals_ = [c.support for c in critical_points(p) if c.is_global]
    assert globals_ == [(0, 1), (0, 2)]
    assert not is_global_support(p, (1, 2))
    saddle = critical_point(p, (1, 2))
    lam_min = np.linalg.eigvalsh(p.hessian(saddle.W1, saddle.W2))[0]
    assert lam_min <= saddle_bound(p) < 0
    # the literal reading with lambda_r' = 0 claims more curvature than there is
    assert lam_min > saddle_bound(p, literal=True)


def test_random_rotations_inside_tie_blocks_stay_critical():
    p = spectrum_problem([2.0, 2.0, 2.0, 1.0], d0=4, d2=5, d1=2, mu=0.7, seed=9)
    rng = np.random.default_rng(0)
    a = critical_points(p, rng=rng)
    b = critical_points(p)
    assert [c.support for c in a] == [c.support for c in b]
    for c in a:
        assert np.abs(flat(p.gradient(c.W1, c.W2))).max() < 1e-10
    # the rotated points are not the unrotated ones
    assert not np.allclose(a[-1].W2, b[-1].W2)


def test_rank_deficient_and_zero_targets():
    p = spectrum_problem([3.0, 1.0], d0=4, d2=5, d1=3, mu=0.5, seed=2)
    assert p.rank_Y == 2
    pts = critical_points(p)
    assert [c.support for c in pts if c.is_global] == [(0, 1)]
    z = ShallowProblem(np.eye(3), np.zeros((2, 3)), 2, 0.5)
    assert z.rank_Y == 0
    (only,) = critical_points(z)
    assert only.is_global and only.support == () and np.isnan(saddle_bound(z))


def test_bad_arguments():
    p = spectrum_problem([3.0, 1.0], d0=3, d2=2, d1=1, mu=0.5, seed=2)
    with pytest.raises(TypeError, match="ShallowProblem"):
        critical_points("not a problem")
    with pytest.raises(ValueError, match="at most d1 = 1"):
        critical_point(p, (0, 1))
    with pytest.raises(ValueError, match="range\\(r\\)"):
        critical_point(p, (2,))
    with pytest.raises(ValueError, match="max_points"):
        critical_points(spectrum_problem(np.arange(12, 0, -1.0), 12, 12, 12, 0.1, 0), max_points=100)
    with pytest.raises(TypeError, match="Generator"):
        critical_points(p, rng=3)


# ----------------------------------------------- the choice of basis inside tied blocks
from landscape.theory.paper_a.lemma1 import problem_with_spectrum as lib_spectrum
from landscape.theory.paper_a.lemma1 import identify, problem_with_spectrum


def test_rotate_ties_false_keeps_the_canonical_basis():
    from landscape.theory.paper_a.lemma1 import critical_points as cps

    p = lib_spectrum([2.0, 2.0, 1.0], 3, 2, 4, 0.5, np.random.default_rng(3))
    a = cps(p, rng=np.random.default_rng(0), rotate_ties=False)
    b = cps(p)
    for x, y in zip(a, b):        # only R differs: the products W2 W1 are the canonical ones
        assert np.allclose(x.W2 @ x.W1, y.W2 @ y.W1, atol=1e-12)
    c = cps(p, rng=np.random.default_rng(0))
    assert not all(np.allclose(x.W2 @ x.W1, y.W2 @ y.W1) for x, y in zip(c, b))


# ------------------------------------------------------------------ instances
def test_problem_with_spectrum_has_the_spectrum():
    rng = np.random.default_rng(0)
    p = problem_with_spectrum([1.0, 3.0, 2.0], 4, 2, 5, 0.3, rng)
    np.testing.assert_allclose(p.lam[:3], [3.0, 2.0, 1.0], rtol=1e-12)
    assert p.rank_Y == 3 and p.unreachable < 1e-20 and p.mu == 0.3
    X = 2 * np.eye(3)
    q = problem_with_spectrum([2.0, 2.0], 3, 1, 2, 0.0, rng, X=X)
    np.testing.assert_allclose(q.X, X)
    np.testing.assert_allclose(q.lam, [2.0, 2.0], rtol=1e-12)


def test_problem_with_spectrum_bad_arguments():
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="Generator"):
        problem_with_spectrum([1.0], 2, 1, 2, rng=0)
    with pytest.raises(ValueError, match="at most min\\(d0, d2\\) = 2"):
        problem_with_spectrum([1.0, 2, 3], 2, 1, 4, rng=rng)
    with pytest.raises(ValueError, match="positive"):
        problem_with_spectrum([1.0, 0.0], 2, 1, 2, rng=rng)
    with pytest.raises(ValueError, match="d0 = 3 rows"):
        problem_with_spectrum([1.0], 3, 1, 2, rng=rng, X=np.eye(2))
    with pytest.raises(ValueError, match="d1 must be >= 1"):
        problem_with_spectrum([1.0], 2, 0, 2, rng=rng)


# ------------------------------------------------------------------ identify
@settings(max_examples=30, deadline=None)
@given(spectra())
def test_identify_recovers_every_element_of_C(case):
    p, rng = case
    for c in critical_points(p, rng=rng):
        pat = identify(p, c.W1, c.W2)
        assert pat.in_C and pat.residual < 1e-9, (c.support, pat.residual)
        assert pat.is_global == c.is_global
        # canonical support: same number of columns per block of equal values
        blocks = singular_value_blocks(p.lam[: p.rank_Y])
        want = tuple(sum(j in b for j in c.support) for b in blocks)
        assert pat.counts == want
        np.testing.assert_allclose(pat.W1, c.W1, atol=1e-9 * max(1, np.abs(c.W1).max()))
        np.testing.assert_allclose(pat.W2, c.W2, atol=1e-9 * max(1, np.abs(c.W2).max()))


def test_identify_rejects_points_outside_C():
    p = problem_with_spectrum([3.0, 1.0], 3, 2, 3, 0.5, np.random.default_rng(1))
    W1, W2 = p.balanced_minimizer()
    # a rescaled minimum of f: critical for f, unbalanced, not in C
    pat = identify(p, 2 * W1, W2 / 2)
    assert not pat.in_C and pat.imbalance > 0.1 and pat.kind == "not in C"
    # a random point
    W1r, W2r = p.random_weights(np.random.default_rng(2))
    assert not identify(p, W1r, W2r).in_C
    # a small perturbation of an element of C is near it, by about the perturbation
    c = critical_point(p, (1,))
    pat = identify(p, c.W1 + 1e-7, c.W2)
    assert 1e-9 < pat.residual < 1e-5 and pat.support == (1,)
    assert not identify(p, c.W1 + 1e-7, c.W2, rtol=1e-12).in_C


def test_identify_bad_arguments():
    p = problem_with_spectrum([3.0, 1.0], 3, 2, 3, 0.5, np.random.default_rng(1))
    with pytest.raises(TypeError, match="ShallowProblem"):
        identify("p", np.zeros((2, 3)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="W1 must have shape"):
        identify(p, np.zeros((3, 3)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="rtol must be >= 0"):
        identify(p, np.zeros((2, 3)), np.zeros((3, 2)), rtol=-1.0)


def test_count_grows_as_documented():
    assert count_critical_points(10, 15) == 2**10
