"""Dense and matrix-free smallest Hessian eigenvalues agree."""

import numpy as np
import pytest

from landscape.critical import critical_point
from landscape.spectrum import hessian_operator, smallest_eigenvalue

from conftest import make_problem


@pytest.mark.parametrize("where", ["random", "saddle"])
def test_lanczos_agrees_with_dense(where):
    p, rng = make_problem(6, 5, 7, 10, 0.125, 11)
    if where == "random":
        W1, W2 = p.random_weights(rng)
    else:
        c = critical_point(p, (1, 2, 3))
        assert not c.is_global
        W1, W2 = c.W1, c.W2
    dense = smallest_eigenvalue(p, W1, W2, method="dense")
    lanczos = smallest_eigenvalue(p, W1, W2, method="lanczos")
    assert lanczos == pytest.approx(dense, rel=1e-8)
    if where == "saddle":
        assert dense < 0


def test_operator_is_the_hessian():
    p, rng = make_problem(3, 4, 2, 3, 0.5, 1)
    W1, W2 = p.random_weights(rng)
    op = hessian_operator(p, W1, W2)
    np.testing.assert_allclose(op @ np.eye(p.n_params), p.hessian(W1, W2), atol=1e-12)


def test_unknown_method():
    p, rng = make_problem(2, 2, 2, 1, 0.0, 1)
    with pytest.raises(ValueError, match="method must be"):
        smallest_eigenvalue(p, *p.random_weights(rng), method="qr")


def test_batched_hessians_match_the_closed_form():
    from landscape.spectrum import hessian_vector_products, hessians, smallest_eigenvalues

    for mu in (0.0, 0.7):
        p, rng = make_problem(3, 4, 2, 3, mu, 2)
        W1, W2 = p.random_weights(rng, batch=(5,))
        H = hessians(p, W1, W2)
        assert H.shape == (5, p.n_params, p.n_params)
        for k in range(5):
            np.testing.assert_allclose(H[k], p.hessian(W1[k], W2[k]), atol=1e-12 * np.abs(H[k]).max())
        lm = smallest_eigenvalues(p, W1, W2)
        np.testing.assert_allclose(lm, [np.linalg.eigvalsh(p.hessian(a, b))[0] for a, b in zip(W1, W2)],
                                   atol=1e-10 * np.abs(H).max())
        # unbatched: one Hessian
        np.testing.assert_allclose(hessians(p, W1[0], W2[0]), H[0])
        # batched Hessian-vector products against the per-point ones, and finite differences
        V1, V2 = p.random_weights(rng, batch=(5,))
        H1, H2 = hessian_vector_products(p, W1, W2, V1, V2)
        for k in range(5):
            a, b = p.hessian_vector_product(W1[k], W2[k], V1[k], V2[k])
            np.testing.assert_allclose(H1[k], a, atol=1e-12 * max(1, np.abs(a).max()))
            np.testing.assert_allclose(H2[k], b, atol=1e-12 * max(1, np.abs(b).max()))
            h = 1e-6
            g_plus = p.gradient(W1[k] + h * V1[k], W2[k] + h * V2[k])
            g_minus = p.gradient(W1[k] - h * V1[k], W2[k] - h * V2[k])
            fd1 = (g_plus[0] - g_minus[0]) / (2 * h)
            np.testing.assert_allclose(H1[k], fd1, rtol=1e-5, atol=1e-5 * max(1, np.abs(fd1).max()))


def test_batched_bad_arguments():
    from landscape.spectrum import hessians

    p, rng = make_problem(2, 2, 2, 1, 0.0, 1)
    with pytest.raises(TypeError, match="ShallowProblem"):
        hessians("p", np.zeros((2, 2)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="same batch shape"):
        W1, W2 = p.random_weights(rng, batch=(3,))
        hessians(p, W1, W2[:2])
