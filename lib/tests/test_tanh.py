"""The tanh network (landscape.models.tanh)."""

import numpy as np

from conftest import central_differences
import pytest

from landscape.optim.lbfgs import lbfgs


def test_tanh_network_gradient_and_checks():
    from landscape.models.tanh import TanhNetwork

    rng = np.random.default_rng(9)
    net = TanhNetwork(rng.standard_normal((2, 7)), rng.standard_normal((3, 7)), hidden=4)
    theta = net.random_parameters(rng)
    fd = central_differences(net.value, theta)
    np.testing.assert_allclose(net.gradient(theta), fd, rtol=1e-6, atol=1e-8)
    H = net.hessian(theta)
    fdH = np.array([central_differences(lambda t: net.gradient(t)[i], theta) for i in range(theta.size)])
    np.testing.assert_allclose(H, fdH, rtol=1e-4, atol=1e-5)
    batch = net.random_parameters(rng, batch=(5,))
    assert net.value(batch).shape == (5,) and net.gradient(batch).shape == (5, theta.size)
    assert net.value(batch)[2] == pytest.approx(net.value(batch[2]), rel=1e-12)
    res = lbfgs(net, theta, maxiter=5000, gtol=1e-12)
    assert res.value < net.value(theta) and res.grad_norm == pytest.approx(np.linalg.norm(net.gradient(res.x)))
    with pytest.raises(ValueError, match="same number of samples"):
        TanhNetwork(np.ones((2, 3)), np.ones((1, 4)), 2)
    with pytest.raises(ValueError, match="hidden must be >= 1"):
        TanhNetwork(np.ones((2, 3)), np.ones((1, 3)), 0)
    with pytest.raises(ValueError, match=r"theta must have n_params = "):
        net.value(np.zeros(3))
