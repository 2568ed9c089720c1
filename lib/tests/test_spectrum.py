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
