"""The model protocol (``landscape.models.protocol``): the adapters give the objectives' own
derivatives in the protocol's form, and the Hessian-vector products match the Hessians."""

import numpy as np
import pytest

from landscape import DeepLinearNetwork, Quadratic, ShallowProblem
from landscape.models.protocol import Model, as_model
from landscape.models.shallow import ProblemStack
from landscape.models.toy2d import MONKEY_SADDLE


def test_the_shallow_adapter():
    rng = np.random.default_rng(0)
    p = ShallowProblem(rng.standard_normal((4, 9)), rng.standard_normal((3, 9)), 2, 0.4)
    m = as_model(p)
    assert isinstance(m, Model) and as_model(m) is m and m.n_params == p.n_params
    W = list(p.random_weights(rng))
    V = list(p.random_weights(rng))
    assert m.value(W) == p.value(*W)
    for a, b in zip(m.gradient(W), p.gradient(*W)):
        np.testing.assert_array_equal(a, b)
    hv = m.pack(m.hessian_vector_product(W, V))
    np.testing.assert_allclose(hv, p.hessian(*W) @ p.pack(*V), rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(m.pack(W), p.pack(*W))
    for a, b in zip(m.unpack(m.pack(W)), W):
        np.testing.assert_array_equal(a, b)
    g, terms = m.value_and_terms(W)
    assert g == pytest.approx(p.value(*W), rel=1e-15) and terms["rho"] == pytest.approx(p.rho(*W), rel=1e-15)
    # finite differences of the value along V
    eps = 1e-6
    fd = (m.value([w + eps * v for w, v in zip(W, V)]) - m.value([w - eps * v for w, v in zip(W, V)])) / (2 * eps)
    assert fd == pytest.approx(float(m.pack(m.gradient(W)) @ m.pack(V)), rel=1e-6)


def test_the_stack_adapter_works_per_problem():
    rng = np.random.default_rng(1)
    ps = [ShallowProblem(rng.standard_normal((3, 7)), rng.standard_normal((2, 7)), 2, 0.2) for _ in range(2)]
    m = as_model(ProblemStack(ps))
    W = list(m.problem.random_weights(rng))
    V = list(m.problem.random_weights(rng))
    hv = m.hessian_vector_product(W, V)
    for b, p in enumerate(ps):
        want = p.hessian(W[0][b], W[1][b]) @ p.pack(V[0][b], V[1][b])
        np.testing.assert_allclose(m.pack(hv)[b], want, rtol=1e-10, atol=1e-12)
    for a, w in zip(m.unpack(m.pack(W)), W):
        np.testing.assert_array_equal(a, w)


def test_networks_and_landscapes():
    rng = np.random.default_rng(2)
    net = DeepLinearNetwork((3, 2, 3), Quadratic(rng.standard_normal((3, 8)), rng.standard_normal((3, 8))))
    m = as_model(net)
    Ms = net.random_weights(rng)
    assert m.value(Ms) == net.value(Ms) and m.shapes == net.shapes and isinstance(net, Model)
    h = as_model(MONKEY_SADDLE)
    p, v = np.array([0.3, -0.2]), np.array([1.0, 2.0])
    np.testing.assert_allclose(h.hessian_vector_product([p], [v])[0], MONKEY_SADDLE.hessian(p) @ v)
    np.testing.assert_array_equal(h.gradient([p])[0], MONKEY_SADDLE.gradient(p))
    with pytest.raises(TypeError, match="model"):
        as_model("not a model")
    with pytest.raises(TypeError, match="weights"):
        as_model(ShallowProblem(np.eye(2), np.eye(2), 1)).value(np.zeros((1, 2)))
