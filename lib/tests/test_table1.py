"""Table I of paper A as code: the conditions of each result."""

import numpy as np
import pytest

from landscape.theory.paper_a.table1 import (RESULTS, baldi_hornik, corollary1,
    corollary1_bound, isometry_constants, kawaguchi, laurent_von_brecht, lu_kawaguchi,
    table1, theorem2)


def data(d0, d2, N, rank_y=None, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((d0, N))
    Y = rng.standard_normal((d2, N))
    if rank_y is not None:
        Y = rng.standard_normal((d2, rank_y)) @ rng.standard_normal((rank_y, N))
    return X, Y


def test_generic_data_meeting_kawaguchi():
    X, Y = data(4, 3, 10)
    for result in (baldi_hornik, kawaguchi, lu_kawaguchi, theorem2):
        v = result(X, Y, 2)
        assert v.holds and v.failed == []
    assert kawaguchi(X, Y, 2).conclusions == ("no spurious local minima", "strict saddle property")
    assert baldi_hornik(X, Y, 2).conclusions == ("no spurious local minima",)
    assert not laurent_von_brecht(X, Y, 2).holds       # 2 < min(4, 3): a bottleneck
    assert laurent_von_brecht(X, Y, 3).holds
    assert "applies" in str(kawaguchi(X, Y, 2))


def test_each_condition_can_fail_alone():
    X, Y = data(3, 4, 10)                               # d2 = d0 + 1: one zero eigenvalue
    assert kawaguchi(X, Y, 2).failed == ["d2 <= d0"]
    X, Y = data(2, 4, 10)                               # d2 = d0 + 2: a double zero
    assert kawaguchi(X, Y, 2).failed == ["d2 <= d0", "YX^T(XX^T)^-1XY^T has d2 distinct eigenvalues"]
    X, Y = data(4, 3, 10, rank_y=2)                     # YY^T singular
    assert lu_kawaguchi(X, Y, 2).failed == ["YY^T full rank"]
    # repeated eigenvalues of Y P_X Y^T: Y = [I 0] X-rows scaled equally
    X = np.eye(4)
    Y = np.hstack([np.eye(3), np.zeros((3, 1))])
    assert kawaguchi(X, Y, 2).failed == ["YX^T(XX^T)^-1XY^T has d2 distinct eigenvalues"]
    X, Y = data(5, 3, 4)                                # N < d0: X X^T singular
    assert theorem2(X, Y, 2).failed == ["XX^T full rank"]
    assert "XX^T full rank" in kawaguchi(X, Y, 2).failed
    assert laurent_von_brecht(X, Y, 5).holds            # [25] asks nothing of X


def test_laurent_von_brecht_readings():
    X, Y = data(4, 6, 10)
    assert laurent_von_brecht(X, Y, 4).holds and laurent_von_brecht(X, Y, 4, "section III-B").holds
    assert laurent_von_brecht(X, Y, 7).holds and not laurent_von_brecht(X, Y, 7, "section III-B").holds
    assert not laurent_von_brecht(X, Y, 2).holds and laurent_von_brecht(X, Y, 2, "section III-B").holds
    with pytest.raises(ValueError, match="reading must be"):
        laurent_von_brecht(X, Y, 2, reading="text")


def test_isometry_constants_are_the_best_constants():
    X, _ = data(4, 2, 9, seed=3)
    alpha, beta = isometry_constants(X)
    rng = np.random.default_rng(0)
    C = X @ X.T
    for _ in range(200):
        A = rng.standard_normal((3, 2)) @ rng.standard_normal((2, 4))
        q = np.trace(A @ C @ A.T) / np.sum(A * A)
        assert alpha - 1e-12 <= q <= beta + 1e-12
    ev, vecs = np.linalg.eigh(C)
    A = np.outer([1.0, 0, 0], vecs[:, 0])               # rank one attains alpha
    assert np.trace(A @ C @ A.T) / np.sum(A * A) == pytest.approx(alpha)


def test_corollary1_conditions():
    rng = np.random.default_rng(1)
    X = np.linalg.qr(rng.standard_normal((8, 5)))[0].T  # X X^T = I
    Y = rng.standard_normal((4, 2)) @ rng.standard_normal((2, 8))
    v = corollary1(X, Y, 2, mu=0.05)
    assert v.holds and list(v.conditions) == ["d1 <= min(d0, d2)", "(4): beta/alpha <= 1.5",
                                               "(5): 0 < rank(W*) <= d1", "0 < mu <= alpha/16"]
    assert corollary1(X, Y, 2, mu=0.1).failed == ["0 < mu <= alpha/16"]
    assert corollary1(X, Y, 1).failed == ["(5): 0 < rank(W*) <= d1"]
    assert corollary1(X, Y, 5).failed == ["d1 <= min(d0, d2)"]
    Xg, Yg = data(5, 4, 12, rank_y=2)
    assert "(4): beta/alpha <= 1.5" in corollary1(Xg, Yg, 2).failed
    assert corollary1(X, np.zeros((4, 8)), 2).failed == ["(5): 0 < rank(W*) <= d1"]


def test_table1_order_and_types():
    X, Y = data(4, 3, 10)
    vs = table1(X, Y, 2)
    assert [v.result for v in vs] == ["[15, Fact 4]", "[16, Theorem 2.3]", "[24, Theorem 2.1]",
                                      "[25, Theorem 1]", "[26, Theorem 3]", "Theorem 2"]
    assert len(RESULTS) == 6 and [v.objective for v in vs] == ["f", "f", "f", "f", "h", "g"]


def test_bad_inputs():
    X, Y = data(4, 3, 10)
    with pytest.raises(ValueError, match="same number of samples"):
        kawaguchi(X, Y[:, :5], 2)
    with pytest.raises(TypeError, match="d1 must be an integer"):
        theorem2(X, Y, 2.0)
    with pytest.raises(ValueError, match="d1 must be >= 1"):
        lu_kawaguchi(X, Y, 0)
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        baldi_hornik(X[0], Y, 2)
    with pytest.raises(TypeError, match="Y must hold real numbers"):
        corollary1(X, Y.astype(complex), 2)
    with pytest.raises(ValueError, match="mu must be >= 0"):
        corollary1(X, Y, 2, mu=-1.0)


def test_corollary1_bound_cases():
    W_star = np.diag([3.0, 2.0, 0.0])
    W1 = np.zeros((2, 3))
    W2 = np.zeros((3, 2))
    assert corollary1_bound(W1, W2, W_star, 1.0) == pytest.approx(-0.2)      # r_c = 0
    W1[0, 0], W2[0, 0] = 1.0, 3.0
    assert corollary1_bound(W1, W2, W_star, 2.0) == pytest.approx(-0.08 * 2 * 2.0)  # d1 = r*
    W1b, W2b = np.zeros((3, 3)), np.zeros((3, 3))
    W1b[0, 0], W2b[0, 0] = 0.5, 0.5                     # sigma_1(W2 W1) = 0.25
    assert corollary1_bound(W1b, W2b, W_star, 1.0) == pytest.approx(-0.05 * 0.25**2)
    with pytest.raises(ValueError, match="W2 must have d1 = 2 columns"):
        corollary1_bound(W1, np.zeros((3, 3)), W_star, 1.0)
    with pytest.raises(ValueError, match="nonzero"):
        corollary1_bound(W1, W2, np.zeros((3, 3)), 1.0)
    W1c, W2c = np.ones((1, 3)), np.ones((3, 1))
    with pytest.raises(ValueError, match="condition \\(5\\)"):
        corollary1_bound(W1c, W2c, W_star, 1.0)
