"""landscape.models.losses: values, gradients and Hessian-vector products against finite differences."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landscape.models.losses import (Custom, Huber, Quadratic, SoftmaxCrossEntropy,
    WeightedQuadratic)

FD = settings(max_examples=30, deadline=None)


def _fd_grad(loss, P, h=1e-6):
    G = np.zeros_like(P)
    for idx in np.ndindex(*P.shape):
        E = np.zeros_like(P)
        E[idx] = h
        G[idx] = (loss.value(P + E) - loss.value(P - E)) / (2 * h)
    return G


def _make(kind, m, n, N, seed, rank_deficient=False):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, N))
    if rank_deficient and n > 1:
        X[-1] = X[0] + X[1] if n > 2 else 2 * X[0]
    Y = rng.standard_normal((m, N))
    if kind == "quadratic":
        return Quadratic(X, Y), rng
    if kind == "huber":
        return Huber(X, Y, delta=0.7), rng
    if kind == "ce":
        return SoftmaxCrossEntropy(X, rng.integers(0, m, N), n_classes=m), rng
    if kind == "soft":
        Q = rng.uniform(0.1, 1, (m, N))
        return SoftmaxCrossEntropy(X, Q / Q.sum(0)), rng
    if kind == "weighted":
        return WeightedQuadratic(rng.uniform(0.1, 1.0, (m, n)), rng.standard_normal((m, n))), rng
    if kind == "custom":
        W = rng.uniform(0.1, 1.0, (m, n))
        T = rng.standard_normal((m, n))
        return Custom((m, n), lambda P: 0.5 * np.sum(W * (P - T) ** 2), lambda P: W * (P - T)), rng
    raise ValueError(kind)


KINDS = ["quadratic", "huber", "ce", "soft", "weighted", "custom"]


@FD
@given(st.sampled_from(KINDS), st.integers(2, 4), st.integers(1, 4), st.integers(1, 7),
       st.integers(0, 2**31), st.booleans())
def test_gradient_matches_central_differences(kind, m, n, N, seed, deficient):
    loss, rng = _make(kind, m, n, N, seed, deficient)
    P = rng.standard_normal((m, n))
    fd = _fd_grad(loss, P)
    G = loss.gradient(P)
    np.testing.assert_allclose(G, fd, rtol=1e-5, atol=1e-6 * max(1.0, np.abs(fd).max()))


@FD
@given(st.sampled_from(KINDS), st.integers(2, 4), st.integers(1, 4), st.integers(1, 7), st.integers(0, 2**31))
def test_hvp_matches_differences_of_the_gradient(kind, m, n, N, seed):
    loss, rng = _make(kind, m, n, N, seed)
    P, D = rng.standard_normal((2, m, n))
    h = 1e-6
    fd = (loss.gradient(P + h * D) - loss.gradient(P - h * D)) / (2 * h)
    Hd = loss.hessian_vector_product(P, D)
    np.testing.assert_allclose(Hd, fd, rtol=1e-4, atol=1e-5 * max(1.0, np.abs(fd).max()))


@pytest.mark.parametrize("kind", KINDS)
def test_batches_equal_one_at_a_time(kind):
    loss, rng = _make(kind, 3, 4, 9, 1)
    P = rng.standard_normal((2, 3, 3, 4))
    D = rng.standard_normal((3, 4))
    v = loss.value(P)
    G = loss.gradient(P)
    assert v.shape == (2, 3) and G.shape == P.shape
    for idx in np.ndindex(2, 3):
        assert v[idx] == pytest.approx(loss.value(P[idx]), rel=1e-12)
        np.testing.assert_allclose(G[idx], loss.gradient(P[idx]), rtol=1e-12, atol=1e-12)
    # many directions at one point
    Ds = rng.standard_normal((5, 3, 4))
    H = loss.hessian_vector_product(P[0, 0], Ds)
    for b in range(5):
        np.testing.assert_allclose(H[b], loss.hessian_vector_product(P[0, 0], Ds[b]), rtol=1e-9, atol=1e-9)
    assert loss.hessian_vector_product(P[0, 0], D).shape == (3, 4)


@pytest.mark.parametrize("kind", KINDS)
def test_convexity_along_random_lines(kind):
    loss, rng = _make(kind, 3, 4, 9, 2)
    for _ in range(5):
        P, D = rng.standard_normal((2, 3, 4))
        t = np.linspace(-2, 2, 21)
        vals = np.array([loss.value(P + s * D) for s in t])
        assert np.all(vals[1:-1] <= 0.5 * (vals[:-2] + vals[2:]) + 1e-9 * np.abs(vals).max())


def test_quadratic_matches_definition_and_minimum_rank_deficient():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((4, 3))           # N < n: X cannot have full row rank
    Y = rng.standard_normal((2, 3))
    q = Quadratic(X, Y)
    P = rng.standard_normal((2, 4))
    assert q.value(P) == pytest.approx(0.5 * np.sum((P @ X - Y) ** 2), rel=1e-12)
    assert q.rank_X == 3
    assert q.minimum() == pytest.approx(0.0, abs=1e-20)     # Y is in the row space of X
    Xd = np.vstack([X[:3], X[0] + X[1]])[:, :3]
    Xd = np.hstack([Xd, Xd[:, :1]])                         # rank 3, n = 4, N = 4
    Yd = rng.standard_normal((2, 4))
    qd = Quadratic(Xd, Yd)
    Pm = qd.minimizer()
    from scipy.optimize import minimize
    res = minimize(lambda p: qd.value(p.reshape(2, 4)), np.zeros(8),
                   jac=lambda p: qd.gradient(p.reshape(2, 4)).ravel(), method="BFGS", tol=1e-12)
    assert qd.value(Pm) == pytest.approx(res.fun, rel=1e-9, abs=1e-12)
    assert qd.minimum() == pytest.approx(res.fun, rel=1e-9, abs=1e-12)
    np.testing.assert_allclose(qd.gradient(Pm), 0.0, atol=1e-10)


def test_generic_minimizer_for_huber_and_soft_labels():
    for kind in ("huber", "soft"):
        loss, rng = _make(kind, 3, 2, 12, 5)
        Pm = loss.minimizer()
        assert np.abs(loss.gradient(Pm)).max() < 1e-6
        for _ in range(20):
            assert loss.value(Pm + 0.1 * rng.standard_normal(Pm.shape)) >= loss.minimum() - 1e-12


rng0 = np.random.default_rng(0)
X0 = rng0.standard_normal((3, 6))
Y0 = rng0.standard_normal((2, 6))


@pytest.mark.parametrize(
    "make,exc,message",
    [
        (lambda: Quadratic(X0, Y0[:, :5]), ValueError, r"same number of samples.*N = 6 columns, Y has 5"),
        (lambda: Quadratic(np.where(X0 > 1, np.nan, X0), Y0), ValueError, r"X must be finite"),
        (lambda: Quadratic(X0, Y0[0]), ValueError, r"Y must be a 2-D array; got ndim = 1"),
        (lambda: Huber(X0, Y0, delta=0.0), ValueError, r"delta must be > 0"),
        (lambda: Huber(X0, Y0, delta=-1.0), ValueError, r"delta must be > 0; got -1.0"),
        (lambda: SoftmaxCrossEntropy(X0, [0, 1, 2, 3, 1, 0], n_classes=3), ValueError,
         r"labels must be in \[0, n_classes\) = \[0, 3\); got 3 at sample 3"),
        (lambda: SoftmaxCrossEntropy(X0, [0, 1, -1, 2, 1, 0]), ValueError, r"got -1 at sample 2"),
        (lambda: SoftmaxCrossEntropy(X0, [0, 1, 2]), ValueError, r"one entry per sample.*N = 6, got 3"),
        (lambda: SoftmaxCrossEntropy(X0, [0.5] * 6), TypeError, r"labels must be integers"),
        (lambda: SoftmaxCrossEntropy(X0, np.full((2, 6), 0.7)), ValueError, r"columns summing to 1"),
        (lambda: SoftmaxCrossEntropy(X0, [0] * 6), ValueError, r"n_classes must be an integer >= 2"),
        (lambda: Custom((2, 3), 1.0, lambda P: P), TypeError, r"value must be callable"),
        (lambda: WeightedQuadratic(-np.ones((2, 2)), np.ones((2, 2))), ValueError, r"weights must be positive"),
        (lambda: WeightedQuadratic(np.ones((2, 2)), np.ones((2, 3))), ValueError, r"same shape"),
        (lambda: Custom((2, 0), lambda P: 0.0, lambda P: P), ValueError, r"shape\[1\] must be >= 1; got 0"),
    ],
)
def test_bad_inputs(make, exc, message):
    with pytest.raises(exc, match=message):
        make()


def test_bad_P_and_bad_callables():
    q = Quadratic(X0, Y0)
    with pytest.raises(ValueError, match=r"P must have shape \(2, 3\) = \(m, n\) of the loss; got \(3, 2\)"):
        q.value(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="P must be finite"):
        q.gradient(np.full((2, 3), np.nan))
    c = Custom((2, 3), lambda P: 0.0, lambda P: np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"gradient callable must return shape \(2, 3\); got \(3, 2\)"):
        c.gradient(np.zeros((2, 3)))
    c = Custom((2, 3), lambda P: np.nan, lambda P: P)
    with pytest.raises(ValueError, match="NaN or infinite"):
        c.value(np.zeros((2, 3)))
