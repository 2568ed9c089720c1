"""Lemma 1's set C and the saddle bound of Lemma 2."""

import numpy as np
import pytest
from hypothesis import given, settings

from landscape.theory.paper_a.lemma1 import (count_critical_points, critical_point,
    critical_points, is_global_support, singular_value_blocks)
from landscape.theory.paper_a.lemma2 import saddle_bound
from landscape.models.shallow import ShallowProblem

from conftest import flat, problems


def problem_with_spectrum(lam, d0, d2, d1, mu, seed, x_scale=1.0, extra=3):
    """A problem whose Ytilde = Y V has prescribed singular values ``lam``."""
    rng = np.random.default_rng(seed)
    N = d0 + extra
    X = x_scale * rng.standard_normal((d0, N))
    _, _, Vt = np.linalg.svd(X, full_matrices=False)
    P, _ = np.linalg.qr(rng.standard_normal((d2, d2)))
    Q, _ = np.linalg.qr(rng.standard_normal((d0, d0)))
    S = np.zeros((d2, d0))
    S[: len(lam), : len(lam)] = np.diag(lam)
    Yt = P @ S @ Q.T
    return ShallowProblem(X, Yt @ Vt, d1, mu)


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


@settings(max_examples=25, deadline=None)
@given(problems(max_dim=4, mu=0.3))
def test_globals_have_the_minimum_value_and_psd_hessian_saddles_are_strict(case):
    p, _ = case
    bound = saddle_bound(p)
    tol = 1e-8 * max(1.0, float(p.lam[0]) * float(p.sigma[0]) ** 2)
    for c in critical_points(p):
        lam_min = np.linalg.eigvalsh(p.hessian(c.W1, c.W2))[0]
        if c.is_global:
            assert c.value == pytest.approx(p.global_minimum(), rel=1e-9, abs=1e-9)
            assert lam_min >= -tol
        else:
            assert c.value > p.global_minimum()
            assert lam_min <= bound + tol < 0


def test_count_matches_binomial_sums():
    assert count_critical_points(0, 3) == 1
    assert count_critical_points(3, 5) == 8
    assert count_critical_points(4, 2) == 1 + 4 + 6
    assert count_critical_points(10, 15) == 1024


def test_balanced_minimizer_is_the_global_element_with_identity_rotation():
    p = problem_with_spectrum([4.0, 3.0, 1.0], d0=4, d2=3, d1=2, mu=0.2, seed=1)
    W1, W2 = p.balanced_minimizer()
    c = critical_point(p, (0, 1))
    assert c.is_global
    np.testing.assert_allclose(c.W1, W1, atol=1e-14)
    np.testing.assert_allclose(c.W2, W2, atol=1e-14)


def test_saddle_bound_formulas_distinct_values():
    lam = [5.0, 3.0, 2.0, 0.5]
    p = problem_with_spectrum(lam, d0=5, d2=4, d1=2, mu=1.0, seed=0)
    denom = 1 + np.sum(p.sigma**-2.0)
    assert saddle_bound(p) == pytest.approx(-2 * (3.0 - 2.0) / denom)  # (17)
    assert saddle_bound(p, literal=True) == saddle_bound(p)
    q = problem_with_spectrum(lam, d0=5, d2=4, d1=4, mu=1.0, seed=0)
    assert saddle_bound(q) == pytest.approx(-2 * 0.5 / (1 + np.sum(q.sigma**-2.0)))  # (16), r = d1


def test_repeated_singular_values_at_the_cut():
    """lambda = (3, 2, 2), d1 = 2: two global supports, and (17) as printed fails."""
    p = problem_with_spectrum([3.0, 2.0, 2.0], d0=3, d2=3, d1=2, mu=1.0, seed=5, x_scale=4.0)
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
    p = problem_with_spectrum([2.0, 2.0, 2.0, 1.0], d0=4, d2=5, d1=2, mu=0.7, seed=9)
    rng = np.random.default_rng(0)
    a = critical_points(p, rng=rng)
    b = critical_points(p)
    assert [c.support for c in a] == [c.support for c in b]
    for c in a:
        assert np.abs(flat(p.gradient(c.W1, c.W2))).max() < 1e-10
    # the rotated points are not the unrotated ones
    assert not np.allclose(a[-1].W2, b[-1].W2)


def test_rank_deficient_and_zero_targets():
    p = problem_with_spectrum([3.0, 1.0], d0=4, d2=5, d1=3, mu=0.5, seed=2)
    assert p.rank_Y == 2
    pts = critical_points(p)
    assert [c.support for c in pts if c.is_global] == [(0, 1)]
    z = ShallowProblem(np.eye(3), np.zeros((2, 3)), 2, 0.5)
    assert z.rank_Y == 0
    (only,) = critical_points(z)
    assert only.is_global and only.support == () and np.isnan(saddle_bound(z))


def test_bad_arguments():
    p = problem_with_spectrum([3.0, 1.0], d0=3, d2=2, d1=1, mu=0.5, seed=2)
    with pytest.raises(TypeError, match="ShallowProblem"):
        critical_points("not a problem")
    with pytest.raises(ValueError, match="at most d1 = 1"):
        critical_point(p, (0, 1))
    with pytest.raises(ValueError, match="range\\(r\\)"):
        critical_point(p, (2,))
    with pytest.raises(ValueError, match="max_points"):
        critical_points(problem_with_spectrum(np.arange(12, 0, -1.0), 12, 12, 12, 0.1, 0), max_points=100)
    with pytest.raises(TypeError, match="Generator"):
        critical_points(p, rng=3)


def test_smallest_eigenvalues_at_matches_dense_point_by_point():
    from landscape.theory.paper_a.lemma2 import smallest_eigenvalues_at

    p = problem_with_spectrum([3.0, 2.0, 1.2, 0.5], d0=4, d2=5, d1=2, mu=0.125, seed=1)
    pts = critical_points(p, rng=np.random.default_rng(2))
    lm = smallest_eigenvalues_at(p, pts)
    assert lm.shape == (len(pts),)
    want = [np.linalg.eigvalsh(p.hessian(c.W1, c.W2))[0] for c in pts]
    np.testing.assert_allclose(lm, want, rtol=1e-10, atol=1e-10)
    assert smallest_eigenvalues_at(p, []).shape == (0,)
    assert smallest_eigenvalues_at(p, pts[:1]).shape == (1,)


def test_check_saddles_distinct_and_tied():
    from landscape.theory.paper_a.lemma2 import check_saddles

    p = problem_with_spectrum([4.0, 3.0, 2.0, 1.0], d0=4, d2=5, d1=2, mu=0.125, seed=3)
    s = check_saddles(p, rng=np.random.default_rng(4))
    assert len(s.points) == count_critical_points(4, 2) == s.lam_min.size
    assert s.is_global.sum() == 1 and s.bound == s.literal == saddle_bound(p)
    g = s.is_global
    assert np.allclose(s.values[g], p.global_minimum()) and np.all(s.lam_min[g] > -s.tol)
    assert np.all(s.lam_min[~g] <= s.bound + s.tol) and s.bound < 0
    assert np.all(s.ratios >= 1.0) and s.ratios.size == len(s.points) - 1
    assert s.literal_failures == 0
    # a tie at the cut: (17) as printed fails at the saddle (1, 2), the default bound holds
    t = check_saddles(ShallowProblem(3 * np.eye(3), np.diag([3.0, 2, 2]), 2, 0.125))
    assert t.literal_failures >= 1 and np.all(t.ratios >= 1.0)


@pytest.mark.parametrize("d0, d1, d2, lam", [(4, 2, 5, [4.0, 3.0, 2.0, 1.0]),
                                             (3, 4, 3, [3.0, 2.0, 1.0]),
                                             (4, 3, 5, [3.0, 1.0])])
def test_flat_directions_at_the_balanced_minimizer(d0, d1, d2, lam):
    """Zero eigenvalues: orbit (minus stabilizer) plus the free directions of zero columns."""
    from landscape.optim.certify import flat_directions

    p = problem_with_spectrum(lam, d0=d0, d2=d2, d1=d1, mu=0.125, seed=13)
    W1, W2 = p.balanced_minimizer()
    k = min(len(lam), d1)
    free = (d1 - k) * (d0 + d2 - 2 * k)
    g = flat_directions(p, W1, W2, "rotation")
    f = flat_directions(p.with_mu(0.0), W1, W2, "general")
    assert g.psd and f.psd and g.leak < 1e-10 and f.leak < 1e-10
    assert g.orbit_dim == d1 * (d1 - 1) // 2 - (d1 - k) * (d1 - k - 1) // 2
    assert f.orbit_dim == d1**2 - (d1 - k) ** 2
    assert g.zeros == g.orbit_dim + free and f.zeros == f.orbit_dim + free
    # away from a critical point the Hessian is not PSD in general
    W1r, W2r = p.random_weights(np.random.default_rng(0))
    assert flat_directions(p, W1r, W2r).zeros == 0


# ----------------------------------------------- the choice of basis inside tied blocks
from landscape.theory.paper_a.lemma1 import problem_with_spectrum as lib_spectrum


def test_rotate_ties_false_keeps_the_canonical_basis():
    from landscape.theory.paper_a.lemma1 import critical_points as cps

    p = lib_spectrum([2.0, 2.0, 1.0], 3, 2, 4, 0.5, np.random.default_rng(3))
    a = cps(p, rng=np.random.default_rng(0), rotate_ties=False)
    b = cps(p)
    for x, y in zip(a, b):        # only R differs: the products W2 W1 are the canonical ones
        assert np.allclose(x.W2 @ x.W1, y.W2 @ y.W1, atol=1e-12)
    c = cps(p, rng=np.random.default_rng(0))
    assert not all(np.allclose(x.W2 @ x.W1, y.W2 @ y.W1) for x, y in zip(c, b))


def test_tied_bases():
    from landscape.theory.paper_a.lemma2 import tied_bases

    p = lib_spectrum([3.0, 2.0, 2.0, 1.0], 4, 2, 5, 0.5, np.random.default_rng(1))
    bases = tied_bases(p, 4)
    assert len(bases) == 4
    np.testing.assert_array_equal(bases[0][0], p.P[:, :4])
    Yt = (p.P[:, :4] * p.lam[:4]) @ p.Q[:, :4].T
    for P, Q in bases:            # every basis is a valid SVD of Ytilde
        np.testing.assert_allclose((P * p.lam[:4]) @ Q.T, Yt, atol=1e-12)
        np.testing.assert_allclose(P.T @ P, np.eye(4), atol=1e-12)
        np.testing.assert_allclose(P[:, [0, 3]], p.P[:, [0, 3]])   # untied vectors stay
    # n even: the grid maps the first vector of the block to the second (up to sign)
    P2 = bases[2][0]
    assert abs(abs(P2[:, 1] @ p.P[:, 2]) - 1) < 1e-12
    distinct = lib_spectrum([3.0, 2.0], 3, 2, 3, 0.5, np.random.default_rng(1))
    assert all(np.array_equal(P, distinct.P[:, :2]) for P, _ in tied_bases(distinct, 3))
    big = lib_spectrum([2.0, 2.0, 2.0], 3, 2, 3, 0.5, np.random.default_rng(1))
    with pytest.raises(TypeError, match="needs rng"):
        tied_bases(big, 3)
    assert len(tied_bases(big, 3, np.random.default_rng(0))) == 3


def test_tie_dependence_with_and_without_x_multiple_of_identity():
    """X X^T = 9 I: rotating a tied block is an orthogonal symmetry, nothing moves; a
    random X: lambda_min at the saddles using one tied pair and the quotient move."""
    from landscape.theory.paper_a.lemma2 import tie_dependence

    cut = tie_dependence(ShallowProblem(3 * np.eye(3), np.diag([3.0, 2, 2]), 2, 0.125), n=8)
    assert cut.lam_spread.max() < 1e-9 and np.nanmax(cut.quotient_spread) < 1e-9
    assert np.all(np.isnan(cut.quotient[cut.is_global]))
    p = lib_spectrum([2.2, 2, 2, 0.5], 4, 2, 4, 0.125, np.random.default_rng(5))
    low = tie_dependence(p, n=16)
    spread = dict(zip(low.supports, low.lam_spread))
    assert spread[(1,)] > 0.1 and spread[(1, 3)] > 0.1
    assert spread[()] < 1e-9 and spread[(1, 2)] < 1e-9 and spread[(0, 3)] < 1e-9
    qspread = dict(zip(low.supports, low.quotient_spread))
    assert qspread[(0,)] > 0.1 and qspread[(1,)] < 1e-9
    sad = ~low.is_global              # lambda_min <= quotient <= bound in every basis
    assert np.all(low.lam_min[sad] <= low.quotient[sad] + 1e-9)
    assert np.all(low.quotient[sad] <= saddle_bound(p) + 1e-12)
    # the canonical column is the one critical_points and the default direction use
    from landscape.theory.paper_a.lemma2 import (negative_curvature_direction,
        smallest_eigenvalues_at)
    C = critical_points(p)
    np.testing.assert_allclose(low.lam_min[:, 0], smallest_eigenvalues_at(p, C), atol=1e-10)
    q0 = [negative_curvature_direction(p, c.W1, c.W2).quotient for c in C if not c.is_global]
    np.testing.assert_allclose(low.quotient[sad, 0], q0, atol=1e-12)


def test_survey_summary_and_instances():
    from landscape.theory.paper_a.lemma1 import lemma1_instances
    from landscape.studies.lemma1 import support_label, survey, survey_summary

    inst = lemma1_instances(0.125)
    assert list(inst) == ["r > d1", "r = d1", "d1 > d0, d2 > d0", "rank-deficient Y",
                          "tie at the cut", "tie at the top"]
    assert [(p.d0, p.d1, p.d2, p.rank_Y) for p in inst.values()][3] == (4, 3, 4, 2)
    assert support_label((0, 2)) == "{0,2}" and support_label(()) == "{}"
    assert support_label("not in C") == "not in C"
    sv = survey(inst["r > d1"], np.random.default_rng(0), n_starts=12)
    s = survey_summary(sv)
    assert s["n_starts"] == 12 and s["n_converged"] == sv.n_converged
    assert sum(s["supports"].values()) == sv.n_converged and s["n_in_C"] == sv.n_in_C
    assert 0 <= s["worst_residual"] <= max(sv.rtol)
    keys = list(s["supports"])
    assert keys == sorted(keys, key=lambda k: (k == "not in C", len(k), k))


# ------------------------------------------------ survey under rescaling of X and Y (issue 17)
@pytest.mark.parametrize("sx,sy", [(1.0, 1.0), (100.0, 1.0), (1.0, 100.0), (0.01, 0.01), (1e3, 1e-3)])
@pytest.mark.parametrize("shape,mu", [((2, 3, 4), 0.1), ((5, 5, 5), 0.1), ((4, 3, 2), 1.0)])
def test_survey_judges_the_same_under_rescaling(shape, mu, sx, sy):
    """Every converged end point is an element of C at any scale of X and Y (with X = 100
    N(0, 1) the search failed to converge or its points were called "not in C"), and the
    snapped points are critical to roundoff relative to the scale of the gradient."""
    from landscape.studies.lemma1 import survey

    d0, d1, d2 = shape
    rng = np.random.default_rng(0)
    X = sx * rng.standard_normal((d0, 2 * d0))
    Y = sy * rng.standard_normal((d2, 2 * d0))
    p = ShallowProblem(X, Y, d1, mu)
    sv = survey(p, np.random.default_rng(1), n_starts=12)
    assert sv.n_converged >= 11
    assert sv.n_in_C == sv.n_converged
    for pat in sv.patterns:
        if pat is None:
            continue
        g = np.sqrt(sum(np.sum(a * a) for a in p.gradient(pat.W1, pat.W2)))
        g_ref = np.sqrt(sum(np.sum(a * a) for a in p.gradient(1.1 * pat.W1, pat.W2)))
        assert g <= 1e-10 * g_ref


def test_survey_is_exactly_equivariant_under_powers_of_two():
    """Far from unit scale, rescaling X by 2^10 and Y by 4^5 maps the survey's points
    exactly (both are searched on the same data of unit scale)."""
    from landscape.studies.lemma1 import survey

    rng = np.random.default_rng(3)
    X, Y = 2.0**-10 * rng.standard_normal((3, 7)), 4.0**6 * rng.standard_normal((3, 7))
    a = survey(ShallowProblem(X, Y, 2, 0.5), np.random.default_rng(1), n_starts=9)
    b = survey(ShallowProblem(2.0**20 * X, 4.0**-12 * Y, 2, 0.5), np.random.default_rng(1), n_starts=9)
    assert a.counts() == b.counts() and a.n_in_C == a.n_converged >= 8
    np.testing.assert_allclose(b.search.W1, a.search.W1 * 2.0 ** (-12 - 20), rtol=1e-12, atol=0)
    np.testing.assert_allclose(b.search.W2, a.search.W2 * 2.0**-12, rtol=1e-12, atol=0)
