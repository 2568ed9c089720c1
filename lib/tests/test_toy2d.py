"""landscape.models.toy2d: the two-variable landscapes' derivatives."""

import numpy as np
import pytest


from landscape.models.toy2d import FLAT_SADDLE, MONKEY_SADDLE, STRICT_SADDLE


@pytest.mark.parametrize("h", [STRICT_SADDLE, FLAT_SADDLE, MONKEY_SADDLE])
def test_landscape2d_derivatives(h):
    pts = np.random.default_rng(0).uniform(-1.5, 1.5, size=(20, 2))
    eps = 1e-6
    E = np.eye(2) * eps
    fd_grad = np.stack([(h.value(pts + e) - h.value(pts - e)) / (2 * eps) for e in E], -1)
    np.testing.assert_allclose(h.gradient(pts), fd_grad, rtol=1e-6, atol=1e-7)
    fd_hess = np.stack([(h.gradient(pts + e) - h.gradient(pts - e)) / (2 * eps) for e in E], -1)
    np.testing.assert_allclose(h.hessian(pts), fd_hess, rtol=1e-6, atol=1e-6)
    for p in h.critical_points:
        np.testing.assert_allclose(h.gradient(np.array(p)), 0.0)
