"""Paper B's statements as code (landscape.theory.paper_b): the rank-constrained optimum, the cut at the bottleneck, the upper tower and Lemma 1's construction."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize
from landscape.models.deep import DeepLinearNetwork, numerical_rank
from landscape.theory.paper_b import (lemma1_construction, rank_constrained_minimizer,
    rank_constrained_minimum)
from landscape.optim.lbfgs import lbfgs
from landscape.models.losses import Quadratic

FD = settings(max_examples=25, deadline=None)


@FD
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 6), st.integers(0, 3), st.integers(0, 2**31),
       st.booleans())
def test_rank_constrained_minimum_against_a_numerical_optimizer(n, m, N, rank, seed, deficient):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, N))
    if deficient and n >= 2:
        X[-1] = 2.0 * X[0]                      # X without full row rank
    Y = rng.standard_normal((m, N))
    closed = rank_constrained_minimum(X, Y, rank)
    W = rank_constrained_minimizer(X, Y, rank)
    assert numerical_rank(W) <= rank if np.abs(W).max() > 0 else True
    assert 0.5 * np.sum((W @ X - Y) ** 2) == pytest.approx(closed, rel=1e-9, abs=1e-12)
    if rank == 0:
        assert closed == pytest.approx(0.5 * np.sum(Y**2))
        return
    # numerical optimizer: best of a few L-BFGS runs on W = U V with U (m, rank), V (rank, n)
    def fun(t):
        U, V = t[:m * rank].reshape(m, rank), t[m * rank:].reshape(rank, n)
        R = U @ V @ X - Y
        G = R @ X.T
        return 0.5 * np.sum(R * R), np.concatenate([(G @ V.T).ravel(), (U.T @ G).ravel()])
    best = min(minimize(fun, rng.standard_normal(rank * (m + n)), jac=True, method="L-BFGS-B",
                        options=dict(gtol=1e-12, ftol=1e-15, maxiter=5000)).fun for _ in range(4))
    assert best >= closed - 1e-9 * max(1.0, closed)
    assert best == pytest.approx(closed, rel=1e-6, abs=1e-9)


def test_rank_constrained_minimum_known_values():
    X = np.eye(3)
    Y = np.diag([3.0, 2.0, 1.0])
    assert rank_constrained_minimum(X, Y, 1) == pytest.approx(0.5 * (4 + 1))
    assert rank_constrained_minimum(X, Y, 5) == pytest.approx(0.0)
    Xd = np.array([[1.0, 0.0], [2.0, 0.0]])    # rank 1; Y's second column is unreachable
    Yd = np.array([[1.0, 3.0]])
    assert rank_constrained_minimum(Xd, Yd, 1) == pytest.approx(4.5)


def test_lemma1_construction_keeps_the_product_and_leaves_V():
    X = np.eye(4)
    Y = np.diag([4.0, 3.0, 2.0, 1.0])
    net = DeepLinearNetwork((4, 3, 2, 3, 4), Quadratic(X, Y))
    q1 = np.eye(4)
    M1 = np.vstack([2 * q1[0], q1[1], q1[2]])          # rows q1, q2, q3: not all in V
    M2 = np.array([[1.0, 0, 0], [0, 0, 0]])            # M2 M1 = [2 q1; 0]: rows in V
    M3 = np.array([[1.0, 0], [0, 1.0], [0, 0]])
    M4 = np.zeros((4, 3))
    M4[0, 0] = 2.0                                     # A = M4 M3 has rank 1 < d = 2
    Ms = [M1, M2, M3, M4]
    tr = lemma1_construction(net, Ms, eps=1e-3)
    assert tr.rank_A == 1 and tr.i_star == 2
    A, B = net.split(Ms)
    np.testing.assert_allclose(A @ tr.B_tilde, A @ B, atol=1e-15)
    assert net.value(tr.Ms_tilde) == pytest.approx(net.value(Ms), abs=1e-12)
    assert tr.steps[-1]["out_of_V"] > 1e-6
    assert net.gradient_norm(tr.Ms_tilde) > 1e-6
    with pytest.raises(ValueError, match="f'\\(AB\\) != 0"):
        lemma1_construction(DeepLinearNetwork((4, 3, 2, 3, 4), Quadratic(X, M4 @ M3 @ M2 @ M1)), Ms)


def test_cut_at_bottleneck():
    from landscape.theory.paper_b import cut_at_bottleneck

    rng = np.random.default_rng(11)
    X, Y = rng.standard_normal((4, 15)), rng.standard_normal((4, 15))
    net = DeepLinearNetwork((4, 3, 2, 3, 4), Quadratic(X, Y))
    end = lbfgs(net, net.random_weights(rng), gtol=1e-12)
    cut = cut_at_bottleneck(net, end.Ms)                 # a minimum: Lemma 2 and Lemma 1 hold
    assert cut.f_prime_norm > 1e-3 and cut.rel_grad_A < 1e-6 and cut.rel_grad_B < 1e-6
    assert (cut.rank_A, cut.rank_B) == (2, 2)
    generic = cut_at_bottleneck(net, net.random_weights(rng))
    assert generic.rel_grad_A > 1e-2 and generic.rel_grad_B > 1e-2


def test_upper_tower():
    from landscape.theory.paper_b import upper_tower
    from landscape.optim.lbfgs import lbfgs_from_seeds
    from landscape.studies.multistart import lemma2_cases

    net = lemma2_cases()["Huber"]
    Ms = net.random_weights(np.random.default_rng(0))
    tower, top = upper_tower(net, Ms)
    A, B = net.split(Ms)
    assert tower.widths == net.widths[2:] and not tower.has_bottleneck
    assert np.isclose(tower.value(top), net.value(Ms))             # g_B(A) = L(Ms)
    assert np.allclose(tower.product(top), A)
    G = net.loss.gradient(A @ B) @ B.T                              # g_B'(A) = f'(AB) B^T
    assert np.allclose(tower.loss.gradient(A), G)
    D = np.random.default_rng(1).standard_normal(A.shape)
    fd = (tower.loss.gradient(A + 1e-6 * D) - tower.loss.gradient(A - 1e-6 * D)) / 2e-6
    assert np.allclose(tower.loss.hessian_vector_product(A, D), fd, atol=1e-5)
    ends = [r.value for r in lbfgs_from_seeds(tower, range(3), gtol=1e-12)]
    assert np.allclose(ends, tower.loss.minimum(), rtol=1e-9)      # no bottleneck: all global
    with pytest.raises(ValueError):
        upper_tower(net, Ms, j=0)
    with pytest.raises(TypeError):
        upper_tower("net", Ms)


def test_lemma1_construction_ignores_roundoff_rows():
    # i* = 1 point of the Lemma 1 chapter; a kernel vector w1 with roundoff-sized components
    # must not let a roundoff-sized row of M~1 be picked as "the row outside V"
    net = DeepLinearNetwork((4, 3, 2, 3, 4), Quadratic(np.eye(4), np.diag([4.0, 3, 2, 1])))
    M2 = np.array([[1.0, 0, 0], [0, 0, 0]])
    M3 = np.array([[1.0, 0], [0, 1], [0, 0]])
    M4 = np.array([[2.0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]])
    M1 = np.array([[2.0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
    rng = np.random.default_rng(0)
    for _ in range(10):
        tiny = [1e-16 * rng.standard_normal(M.shape) for M in (M2, M3, M4)]
        Ms = [M1, M2 + tiny[0], M3 + tiny[1], M4 + tiny[2]]
        tr = lemma1_construction(net, Ms, eps=1e-2)
        assert tr.i_star == 1 and [s["row"] for s in tr.steps] == [1, 1]
        assert net.gradient_norm(tr.Ms_tilde) > 1e-5
