"""Mapping weights back to Lemma 1's set C, the search for critical points, and Lemma 2's
direction of negative curvature."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landscape.theory.paper_a.lemma1 import (count_critical_points, critical_point,
    critical_points, identify, problem_with_spectrum, singular_value_blocks)
from landscape.optim.critical_points import find_critical_points
from landscape.theory.paper_a.lemma2 import (hessian_form_terms,
    negative_curvature_direction, saddle_bound)
from landscape.studies.lemma1 import survey
from landscape.optim.certify import symmetry_directions
from landscape.models.shallow import ShallowProblem
from landscape.optim.curvature import smallest_eigenvalues

from conftest import flat, problems


@st.composite
def spectra(draw, max_dim=4):
    """Problems with prescribed singular values of YV, often with ties."""
    d0 = draw(st.integers(1, max_dim))
    d2 = draw(st.integers(1, max_dim))
    d1 = draw(st.integers(1, max_dim))
    r = draw(st.integers(1, min(d0, d2)))
    values = draw(st.lists(st.sampled_from([0.5, 1.0, 2.0, 3.0]), min_size=r, max_size=r))
    mu = draw(st.sampled_from([0.05, 0.125, 1.0]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    return problem_with_spectrum(values, d0, d1, d2, mu, rng, X=None), rng


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


# ------------------------------------------------------------------ search
def test_search_finds_only_elements_of_C():
    p = problem_with_spectrum([3.0, 2.0, 1.0], 3, 2, 4, 0.125, np.random.default_rng(3))
    sv = survey(p, np.random.default_rng(4), n_starts=60)
    assert sv.n_starts == 60 and sv.n_converged >= 50
    assert sv.n_in_C == sv.n_converged
    found = set(sv.counts())
    assert "not in C" not in found and len(found) >= 4
    assert found <= {c.support for c in critical_points(p)}
    assert np.all(sv.search.grad_norm[sv.search.converged] <= sv.search.gtol)
    assert sv.residuals().size == sv.n_converged


def test_search_on_f_ends_mostly_outside_C():
    p = problem_with_spectrum([3.0, 2.0, 1.0], 3, 2, 4, 0.0, np.random.default_rng(3))
    sv = survey(p, np.random.default_rng(4), n_starts=30)
    assert sv.n_converged >= 25 and sv.n_in_C < sv.n_converged / 2


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


# ------------------------------------------------------------------ symmetries
def test_symmetry_directions_span_the_null_space_at_a_generic_minimum():
    p = problem_with_spectrum([4.0, 3.0, 2.0, 1.0], 4, 3, 4, 0.2, np.random.default_rng(8))
    W1, W2 = p.balanced_minimizer()
    H = p.hessian(W1, W2)
    T = symmetry_directions(p, W1, W2)
    assert T.shape == (3, p.n_params)
    assert np.abs(T @ H).max() < 1e-10
    ev = np.linalg.eigvalsh(H)
    assert np.sum(np.abs(ev) < 1e-9 * ev.max()) == np.linalg.matrix_rank(T) == 3
    f = p.with_mu(0.0)
    G = symmetry_directions(f, W1, W2, group="general")
    assert G.shape == (9, p.n_params) and np.abs(G @ f.hessian(W1, W2)).max() < 1e-10
    # the general directions are not flat for g (the regularizer sees them)
    assert np.abs(G @ H).max() > 1e-3
    with pytest.raises(ValueError, match="group must be"):
        symmetry_directions(p, W1, W2, group="affine")


def test_count_grows_as_documented():
    assert count_critical_points(10, 15) == 2**10
