"""landscape.models.shallow: ShallowProblem (values, derivatives against finite differences,
closed-form minimum), ProblemStack and the fused kernels."""

import numpy as np
import pytest
from hypothesis import given, settings
from scipy.optimize import minimize

from landscape.models.shallow import ShallowProblem

from conftest import assert_matches_differences, flat, make_problem, problems, stack_of
from landscape.models.shallow import ProblemStack
from landscape.models.shallow import gradient_kernel, invariants

FD_SETTINGS = settings(max_examples=40, deadline=None)


def direct_value(p, W1, W2):
    """g computed the naive way, from X and Y (the definition (1)-(3))."""
    R = W2 @ W1 @ p.X - p.Y
    D = W2.T @ W2 - W1 @ p.X @ p.X.T @ W1.T
    return 0.5 * np.sum(R * R) + 0.25 * p.mu * np.sum(D * D)


@FD_SETTINGS
@given(problems())
def test_value_matches_definition(case):
    p, rng = case
    W1, W2 = p.random_weights(rng)
    expected = direct_value(p, W1, W2)
    assert p.value(W1, W2) == pytest.approx(expected, rel=1e-11, abs=1e-11)
    assert p.f(W1, W2) + 0.25 * p.mu * p.rho(W1, W2) == pytest.approx(expected, rel=1e-11, abs=1e-11)


@FD_SETTINGS
@given(problems())
def test_gradient_matches_central_differences(case):
    p, rng = case
    W1, W2 = p.random_weights(rng)
    assert_matches_differences(flat(p.gradient(W1, W2)), lambda t: p.value(*p.unpack(t)), p.pack(W1, W2))


@FD_SETTINGS
@given(problems())
def test_hessian_matches_differences_of_the_gradient_is_symmetric_and_matches_hvp(case):
    p, rng = case
    W1, W2 = p.random_weights(rng)
    H = p.hessian(W1, W2)
    assert H.shape == (p.n_params, p.n_params)
    assert_matches_differences(H, lambda t: flat(p.gradient(*p.unpack(t))), p.pack(W1, W2))
    np.testing.assert_array_equal(H, H.T)
    V1, V2 = p.random_weights(rng)
    np.testing.assert_allclose(
        flat(p.hessian_vector_product(W1, W2, V1, V2)), H @ p.pack(V1, V2), rtol=1e-10, atol=1e-10 * np.abs(H).max()
    )


def test_hessian_quadratic_form_is_equation_31():
    """Check the closed form against the second derivative of t -> g(W + t Delta)."""
    p, rng = make_problem(4, 3, 5, 3, 0.7, 7)
    W1, W2 = p.random_weights(rng)
    D1, D2 = p.random_weights(rng)
    h = 1e-4
    second = (p.value(W1 + h * D1, W2 + h * D2) - 2 * p.value(W1, W2) + p.value(W1 - h * D1, W2 - h * D2)) / h**2
    d = p.pack(D1, D2)
    assert d @ p.hessian(W1, W2) @ d == pytest.approx(second, rel=1e-5)


def test_batched_value_and_gradient_match_a_loop(rng):
    p, _ = make_problem(3, 4, 2, 5, 0.3, 1)
    W1, W2 = p.random_weights(rng, batch=(6, 2))
    vals = p.value(W1, W2)
    G1, G2 = p.gradient(W1, W2)
    assert vals.shape == (6, 2) and G1.shape == W1.shape and G2.shape == W2.shape
    for idx in np.ndindex(6, 2):
        assert vals[idx] == pytest.approx(p.value(W1[idx], W2[idx]), rel=1e-13)
        g1, g2 = p.gradient(W1[idx], W2[idx])
        assert p.gradient_norm(W1, W2)[idx] == pytest.approx(np.sqrt(np.sum(g1**2) + np.sum(g2**2)), rel=1e-13)
        np.testing.assert_allclose(G1[idx], g1, rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(G2[idx], g2, rtol=1e-13, atol=1e-13)


def test_pack_unpack_roundtrip(rng):
    p, _ = make_problem(3, 2, 4, 1, 0.0, 2)
    W1, W2 = p.random_weights(rng)
    a, b = p.unpack(p.pack(W1, W2))
    np.testing.assert_array_equal(a, W1)
    np.testing.assert_array_equal(b, W2)


@settings(max_examples=30, deadline=None)
@given(problems(max_dim=4))
def test_balanced_minimizer_attains_the_closed_form_minimum(case):
    p, _ = case
    W1, W2 = p.balanced_minimizer()
    # balanced (11), so rho = 0 and g = f = the closed-form minimum (Theorem 2(i))
    scale = max(1.0, float(p.lam[0]))
    np.testing.assert_allclose(W2.T @ W2, W1 @ p.XXt @ W1.T, atol=1e-10 * scale)
    assert p.value(W1, W2) == pytest.approx(p.global_minimum(), rel=1e-10, abs=1e-10 * scale**2)
    assert p.with_mu(0.0).value(W1, W2) == pytest.approx(p.global_minimum(), rel=1e-10, abs=1e-10 * scale**2)


def _lbfgs(p, theta0):
    res = minimize(
        lambda t: p.value(*p.unpack(t)),
        theta0,
        jac=lambda t: flat(p.gradient(*p.unpack(t))),
        method="L-BFGS-B",
        options={"maxiter": 20000, "ftol": 1e-15, "gtol": 1e-11},
    )
    return res.fun


@pytest.mark.parametrize(
    "d0,d1,d2,extra,mu",
    [(3, 2, 4, 5, 0.0), (3, 2, 4, 5, 0.5), (4, 6, 3, 3, 0.125), (5, 1, 2, 2, 1.0), (2, 3, 5, 8, 0.0)],
)
def test_closed_form_minimum_against_a_numerical_optimizer(d0, d1, d2, extra, mu):
    p, rng = make_problem(d0, d1, d2, extra, mu, seed=d0 * 100 + d1 * 10 + d2)
    best = min(_lbfgs(p, p.pack(*p.random_weights(rng))) for _ in range(8))
    fmin = p.global_minimum()
    # the optimizer can only reach values >= the minimum, and it does reach it
    assert best >= fmin - 1e-9 * max(1.0, fmin)
    assert best == pytest.approx(fmin, rel=1e-6, abs=1e-8)


def test_global_minimum_is_the_rank_constrained_least_squares_value():
    """min over rank(W) <= d1 of 1/2||WX - Y||^2, by brute force through the unconstrained solution."""
    p, _ = make_problem(5, 2, 4, 10, 0.0, 3)
    # unconstrained least squares W* = Y X^+ and the rank-d1 truncation in the X X^T metric
    W_ls = p.Y @ np.linalg.pinv(p.X)
    full_rank_value = 0.5 * np.sum((W_ls @ p.X - p.Y) ** 2)
    assert ShallowProblem(p.X, p.Y, hidden=4).global_minimum() == pytest.approx(full_rank_value, rel=1e-10)
    assert p.global_minimum() > full_rank_value


def test_y_in_row_space_has_zero_minimum(rng):
    X = rng.standard_normal((4, 30))
    W = rng.standard_normal((3, 2)) @ rng.standard_normal((2, 4))
    p = ShallowProblem(X, W @ X, hidden=2, mu=0.125)
    assert p.rank_Y == 2
    assert p.global_minimum() < 1e-24 * np.sum(p.Y**2)
    W1, W2 = p.balanced_minimizer()
    np.testing.assert_allclose(W2 @ W1, W, atol=1e-10)


def test_with_mu_shares_the_invariants():
    p, _ = make_problem(3, 2, 2, 2, 0.0, 4)
    q = p.with_mu(0.5)
    assert q.mu == 0.5 and p.mu == 0.0
    assert q.XXt is p.XXt and q.Ytilde is p.Ytilde


# ---------------------------------------------------------------- ProblemStack
@pytest.mark.parametrize("mu", [0.0, 0.3])
def test_stack_matches_each_problem(mu):
    st, ps = stack_of(3, 4, 2, mu, range(5))
    rng = np.random.default_rng(0)
    W1, W2 = st.random_weights(rng, batch=(2,))
    assert W1.shape == (2, 5, 4, 3) and W2.shape == (2, 5, 2, 4)
    v, (G1, G2) = st.value(W1, W2), st.gradient(W1, W2)
    for a in range(2):
        for b, p in enumerate(ps):
            assert v[a, b] == pytest.approx(p.value(W1[a, b], W2[a, b]), rel=1e-12)
            assert st.f(W1, W2)[a, b] == pytest.approx(p.with_mu(0).value(W1[a, b], W2[a, b]), rel=1e-12)
            assert st.rho(W1, W2)[a, b] == pytest.approx(p.rho(W1[a, b], W2[a, b]), rel=1e-12)
            H1, H2 = p.gradient(W1[a, b], W2[a, b])
            np.testing.assert_allclose(G1[a, b], H1, rtol=1e-11, atol=1e-12)
            np.testing.assert_allclose(G2[a, b], H2, rtol=1e-11, atol=1e-12)
    mse = st.mse_objective(W1, W2)
    for b, p in enumerate(ps):
        direct = np.sum((W2[0, b] @ W1[0, b] @ p.X - p.Y) ** 2) / np.sum(p.Y**2)
        assert mse[0, b] == pytest.approx(direct, rel=1e-10)
    np.testing.assert_allclose(st.global_minimum(), [p.global_minimum() for p in ps])


@settings(max_examples=25, deadline=None)
@given(problems(max_dim=4))
def test_stack_gradient_by_finite_differences(pr):
    p, rng = pr
    st = ProblemStack([p, p.with_mu(p.mu)])
    W1, W2 = st.random_weights(rng)
    G = np.concatenate([a.reshape(2, -1) for a in st.gradient(W1, W2)], axis=1)
    theta = np.concatenate([W1.reshape(2, -1), W2.reshape(2, -1)], axis=1)
    n1 = W1[0].size
    h = 1e-6
    fd = np.zeros_like(theta)
    for k in range(theta.shape[1]):
        e = np.zeros(theta.shape[1])
        e[k] = h
        up, dn = theta + e, theta - e
        val = lambda t: st.value(t[:, :n1].reshape(W1.shape), t[:, n1:].reshape(W2.shape))
        fd[:, k] = (val(up) - val(dn)) / (2 * h)
    scale = 1.0 + np.abs(G).max()
    np.testing.assert_allclose(G, fd, atol=1e-5 * scale, rtol=1e-5)


def test_stack_with_mu_shares_the_data():
    st, ps = stack_of(2, 3, 2, 0.5, range(3))
    f = st.with_mu(0.0)
    assert f.mu == 0.0 and st.mu == 0.5 and all(p.mu == 0.0 for p in f.problems)
    W1, W2 = st.random_weights(np.random.default_rng(1))
    np.testing.assert_allclose(f.value(W1, W2), st.f(W1, W2))
    assert len(st) == 3 and "B=3" in repr(st)


def test_stack_errors():
    p, _ = make_problem(2, 2, 2, 3, 0.1, 0)
    q, _ = make_problem(3, 2, 2, 3, 0.1, 1)
    with pytest.raises(ValueError, match="at least one ShallowProblem"):
        ProblemStack([])
    with pytest.raises(TypeError, match=r"problems\[1\] must be a ShallowProblem"):
        ProblemStack([p, "x"])
    with pytest.raises(ValueError, match=r"same \(d0, d1, d2\) = \(2, 2, 2\); problems\[1\] has \(3, 2, 2\)"):
        ProblemStack([p, q])
    with pytest.raises(ValueError, match="same mu = 0.1; problems.1. has mu = 0.2"):
        ProblemStack([p, p.with_mu(0.2)])
    st = ProblemStack([p, p])
    with pytest.raises(ValueError, match=r"W1 must have shape \(2, 2, 2\) = \(B, d1, d0\)"):
        st.value(np.zeros((3, 2, 2)), np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="same leading axes"):
        st.value(np.zeros((4, 2, 2, 2)), np.zeros((2, 2, 2)))
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        st.random_weights(0)
    assert ProblemStack(p).size == 1


def test_fused_gradient_and_regularizer():
    st, ps = stack_of(3, 4, 2, 0.3, range(3))
    W1, W2 = st.random_weights(np.random.default_rng(5))
    data = invariants(st)
    G1, G2, rho = gradient_kernel(data, st.mu, W1, W2, with_rho=True)
    H1, H2 = st.gradient(W1, W2)
    np.testing.assert_allclose(rho, st.rho(W1, W2), rtol=1e-12)
    np.testing.assert_array_equal(G1, H1)
    np.testing.assert_array_equal(G2, H2)
