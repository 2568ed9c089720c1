"""landscape.theory.paper_a.lemma2: minima and strict saddles of C, the saddle bound (16)/(17),
smallest eigenvalues, tied bases, the proof's negative-curvature direction and the terms of
(31), and errata A17-A18 of its proof."""

import numpy as np
import pytest
from hypothesis import given, settings

from landscape.theory.paper_a.lemma1 import (count_critical_points, critical_point, critical_points, problem_with_spectrum)
from landscape.theory.paper_a.lemma2 import (hessian_form_terms,
    negative_curvature_direction, saddle_bound)
from landscape.models.shallow import ShallowProblem
from landscape.optim.curvature import smallest_eigenvalues

from conftest import flat, problems, spectrum_problem, spectra
from landscape.theory.paper_a.lemma1 import problem_with_spectrum as lib_spectrum


# ------------------------------------------------------- Lemma 2's direction
@settings(max_examples=30, deadline=None)
@given(spectra())
def test_direction_has_the_curvature_the_proof_claims(case):
    """At every saddle: the form along Delta is 2 (lam_alpha - lam_k), the regularizer and
    imbalance terms vanish, ||Delta||^2 = 1 + ||Sigma^-1 q_k||^2, and
    lambda_min <= quotient <= saddle_bound (the default, tie-corrected bound)."""
    p, rng = case
    pts = [c for c in critical_points(p, rng=rng) if not c.is_global]
    if not pts:
        return
    lam_min = smallest_eigenvalues(p, np.array([c.W1 for c in pts]), np.array([c.W2 for c in pts]))
    bound = saddle_bound(p)
    scale = max(1.0, float(p.lam[0]) * float(p.sigma[0]) ** 2)
    for c, lm in zip(pts, lam_min):
        d = negative_curvature_direction(p, c.W1, c.W2)
        v = p.pack(d.V1, d.V2)
        H = p.hessian(c.W1, c.W2)
        assert v @ H @ v == pytest.approx(d.form, abs=1e-9 * scale)
        assert v @ v == pytest.approx(d.norm2, rel=1e-12)
        assert d.norm2 <= 1 + np.sum(p.sigma**-2.0) + 1e-12
        t = hessian_form_terms(p, c.W1, c.W2, d.V1, d.V2)
        assert t["fit"] == pytest.approx(2 * d.lam_alpha, abs=1e-9 * scale)
        assert t["cross"] == pytest.approx(-2 * d.lam_k, abs=1e-9 * scale)
        assert abs(t["imbalance"]) < 1e-9 * scale and abs(t["regularizer"]) < 1e-9 * scale
        assert d.form < 0
        assert lm <= d.quotient + 1e-9 * scale
        assert d.quotient <= bound + 1e-12


def test_literal_17_fails_with_a_tie_at_the_cut():
    """The finding of the book: X = 3 I, Ytilde = diag(3, 2, 2), d1 = 2."""
    p = ShallowProblem(3 * np.eye(3), np.diag([3.0, 2.0, 2.0]), 2, 0.125)
    c = critical_point(p, (1, 2))
    lm = np.linalg.eigvalsh(p.hessian(c.W1, c.W2))[0]
    assert lm == pytest.approx(-2.0416, abs=1e-4)
    assert saddle_bound(p, literal=True) == pytest.approx(-3.0)
    assert saddle_bound(p) == pytest.approx(-1.5)
    assert saddle_bound(p, literal=True) < lm <= saddle_bound(p)
    d = negative_curvature_direction(p, c.W1, c.W2)
    assert d.lam_k == pytest.approx(3.0) and d.lam_alpha == pytest.approx(2.0)


def test_direction_with_k_and_errors():
    p = problem_with_spectrum([3.0, 2.0, 1.0], 3, 2, 3, 0.5, np.random.default_rng(7))
    c = critical_point(p, ())
    d0 = negative_curvature_direction(p, c.W1, c.W2, k=0)
    d2 = negative_curvature_direction(p, c.W1, c.W2, k=2)
    assert d0.k == 0 and d2.k == 2 and d0.form == pytest.approx(-6.0) and d2.form == pytest.approx(-2.0)
    g = critical_point(p, (0, 1))
    with pytest.raises(ValueError, match="global minimum"):
        negative_curvature_direction(p, g.W1, g.W2)
    s = critical_point(p, (0, 2))
    with pytest.raises(ValueError, match="k = 0 does not qualify"):
        negative_curvature_direction(p, s.W1, s.W2, k=0)
    W1, W2 = p.random_weights(np.random.default_rng(0))
    with pytest.raises(ValueError, match="not an element of Lemma 1's set C"):
        negative_curvature_direction(p, W1, W2)


# ------------------------------------------------------------------ (31)
@settings(max_examples=30, deadline=None)
@given(problems(max_dim=4))
def test_form_terms_are_the_second_derivative(case):
    """(31): the four terms add up to d^2/dt^2 g(W + t V) at t = 0 (central differences)."""
    p, rng = case
    W1, W2 = p.random_weights(rng)
    V1, V2 = p.random_weights(rng)
    t = hessian_form_terms(p, W1, W2, V1, V2)
    h = 1e-4
    fd = (p.value(W1 + h * V1, W2 + h * V2) - 2 * p.value(W1, W2) + p.value(W1 - h * V1, W2 - h * V2)) / h**2
    total = sum(t.values())
    assert total == pytest.approx(fd, rel=1e-4, abs=1e-4 * max(1.0, abs(p.value(W1, W2))))
    v = flat((V1, V2))
    assert total == pytest.approx(v @ p.hessian(W1, W2) @ v, rel=1e-9, abs=1e-9)


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


def test_saddle_bound_formulas_distinct_values():
    lam = [5.0, 3.0, 2.0, 0.5]
    p = spectrum_problem(lam, d0=5, d2=4, d1=2, mu=1.0, seed=0)
    denom = 1 + np.sum(p.sigma**-2.0)
    assert saddle_bound(p) == pytest.approx(-2 * (3.0 - 2.0) / denom)  # (17)
    assert saddle_bound(p, literal=True) == saddle_bound(p)
    q = spectrum_problem(lam, d0=5, d2=4, d1=4, mu=1.0, seed=0)
    assert saddle_bound(q) == pytest.approx(-2 * 0.5 / (1 + np.sum(q.sigma**-2.0)))  # (16), r = d1


def test_smallest_eigenvalues_at_matches_dense_point_by_point():
    from landscape.theory.paper_a.lemma2 import smallest_eigenvalues_at

    p = spectrum_problem([3.0, 2.0, 1.2, 0.5], d0=4, d2=5, d1=2, mu=0.125, seed=1)
    pts = critical_points(p, rng=np.random.default_rng(2))
    lm = smallest_eigenvalues_at(p, pts)
    assert lm.shape == (len(pts),)
    want = [np.linalg.eigvalsh(p.hessian(c.W1, c.W2))[0] for c in pts]
    np.testing.assert_allclose(lm, want, rtol=1e-10, atol=1e-10)
    assert smallest_eigenvalues_at(p, []).shape == (0,)
    assert smallest_eigenvalues_at(p, pts[:1]).shape == (1,)


def test_check_saddles_distinct_and_tied():
    from landscape.theory.paper_a.lemma2 import check_saddles

    p = spectrum_problem([4.0, 3.0, 2.0, 1.0], d0=4, d2=5, d1=2, mu=0.125, seed=3)
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


def test_errata_a17_rotation_convention():
    """A17: with W2 = Wt2 R^T (the convention of (12) and (22)), the proof's value -2 lambda_k of the
    Hessian form holds along Delta2 = p_k alpha^T R^T, Delta1 = R alpha q_k^T Sigma^-1 U^T, and not
    along the printed Delta2 = p_k alpha^T R, Delta1 = R^T alpha q_k^T Sigma^-1 U^T (R not symmetric)."""
    p = problem_with_spectrum([3.0, 2.0, 1.0], 3, 3, 3, 0.5, np.random.default_rng(1))
    rng = np.random.default_rng(2)
    R = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    c = critical_point(p, (0,), R=R)                # case i (r <= d1): k = 1, a zero column
    assert np.allclose(c.W2, (c.W2 @ R) @ R.T)
    Wt2 = c.W2 @ R                                   # (22): Wt2 = W2 R
    alpha = np.linalg.svd(Wt2)[2][-1]                # Wt2 alpha = 0
    k = 1
    pk, qk = p.P[:, k], p.Q[:, k]
    right = np.outer(pk, alpha) @ R.T, R @ np.outer(alpha, qk / p.sigma) @ p.U.T
    printed = np.outer(pk, alpha) @ R, R.T @ np.outer(alpha, qk / p.sigma) @ p.U.T
    H = p.hessian(c.W1, c.W2)
    form = lambda D2, D1: p.pack(D1, D2) @ H @ p.pack(D1, D2)      # noqa: E731
    assert abs(form(*right) - (-2 * p.lam[k])) < 1e-10
    assert abs(form(*printed) - (-2 * p.lam[k])) > 0.1


def test_errata_a18_omega_nonempty():
    """A18: in Case i of Appendix B, C minus X is the set with Y V - Wt2 Wt1 = sum over Omega, Omega
    NON-EMPTY: the element of C that uses all r pairs has Omega empty and is a global minimum (value
    at the minimum, PSD Hessian, zero residual), while every element with a non-empty Omega is a
    strict saddle."""
    p = problem_with_spectrum([3.0, 2.0, 1.0], 3, 4, 3, 0.5, np.random.default_rng(3))   # r = 3 <= d1
    for c in critical_points(p):
        omega = set(range(p.rank_Y)) - set(c.support)
        Mt = (c.W2 @ c.W1) @ (p.U * p.sigma)
        resid = p.Ytilde - Mt
        want = sum(p.lam[i] * np.outer(p.P[:, i], p.Q[:, i]) for i in omega) if omega else 0 * Mt
        assert np.allclose(resid, want, atol=1e-10)
        lam_min = np.linalg.eigvalsh(p.hessian(c.W1, c.W2))[0]
        if omega:
            assert lam_min < -0.1 and p.value(c.W1, c.W2) > p.global_minimum() + 0.1
        else:
            assert lam_min > -1e-10 and abs(p.value(c.W1, c.W2) - p.global_minimum()) < 1e-10
