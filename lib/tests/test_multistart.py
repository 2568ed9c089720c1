"""The multi-start instances shared by the Lemmas and Beyond chapters and their scripts."""

import numpy as np
import pytest

from landscape.studies.multistart import (L1_TARGET, THEOREM2_INSTANCES, l1_certified,
    l1_loss, lemma2_cases, tanh_instance, tanh_polish, theorem2_networks)
from landscape.models.tanh import TanhNetwork


def test_instances_have_the_stated_shapes():
    cases = lemma2_cases()
    assert list(cases) == ["weighted quadratic", "Huber", "soft-label CE"]
    assert all(net.has_bottleneck and net.narrowest == 2 for net in cases.values())
    for seed, (m, n) in THEOREM2_INSTANCES:
        two, one = theorem2_networks(seed, (m, n))
        assert two.widths == (n, 2, m) and one.widths == (n, 1, m) and one.loss is two.loss
    net = tanh_instance()
    assert isinstance(net, TanhNetwork) and net.n_params == 6 and net.X.shape == (1, 25)


def test_l1_loss_and_its_certificate():
    assert l1_loss(np.array([1.0, 0.0, 1.0, 0.0])) == 0.0
    batch = np.array([[1.0, 0.0, 1.0, 0.0], [0.3, -0.9, 0.0, 0.0]])
    np.testing.assert_array_equal(l1_loss(batch), [0.0, 1.0])
    np.testing.assert_array_equal(L1_TARGET, [[1.0, 0.0], [0.0, 0.0]])
    # (a, 0) with |a2| > |a1| is a local minimum: no nearby point is lower
    x = np.array([0.2, -0.7, 0.0, 0.0])
    assert l1_certified(x)
    rng = np.random.default_rng(0)
    U = rng.standard_normal((5000, 4))
    U *= 1e-3 / np.linalg.norm(U, axis=1, keepdims=True)
    assert np.all(l1_loss(x + U) >= l1_loss(x) - 1e-15)
    # (0, b) with |b1| > |b2| is not (and is not certified); nor is a far-from-b = 0 point
    y = np.array([0.0, 0.0, 0.7, 0.2])
    assert not l1_certified(y) and not l1_certified([0.2, -0.7, 1e-3, 0.0])
    assert l1_loss(y + np.array([0.01, 0.0, 0.0, 0.0])) < l1_loss(y)
    with pytest.raises(ValueError, match="4 entries"):
        l1_certified([0.0, 1.0, 0.0])


def test_tanh_polish_converges_at_a_minimum():
    net = tanh_instance()
    truth = np.array([2.0, -1.5, 1.0, 0.5, 1.0, 1.2])           # W, c, v of the data's network
    assert net.value(truth) < 1e-28
    start = truth + 1e-3 * np.random.default_rng(1).standard_normal(truth.size)
    theta, gnorm = tanh_polish(net, start)
    assert gnorm < 1e-12 and gnorm == float(np.linalg.norm(net.gradient(theta)))
    assert net.value(theta) < 1e-20
    with pytest.raises(TypeError):
        tanh_polish(object(), truth)
