"""landscape.models.deep: derivatives of deep and multi-tower networks against finite differences,
splits at the bottleneck, bad inputs, and the deep training helpers end to end."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landscape.models.deep import DeepLinearNetwork, MultiTowerNetwork
from landscape.theory.paper_b import rank_constrained_minimizer, rank_constrained_minimum
from landscape.optim.descent import gradient_descent
from landscape.optim.curvature import (hessian_report, perturbation_test,
    step_from_curvature)
from landscape.optim.lbfgs import lbfgs
from landscape.models.losses import Custom, Huber, Quadratic, SoftmaxCrossEntropy

FD = settings(max_examples=25, deadline=None)


def _loss(kind, m, n, rng, N=7):
    X = rng.standard_normal((n, N))
    if kind == "quadratic":
        return Quadratic(X, rng.standard_normal((m, N)))
    if kind == "huber":
        return Huber(X, rng.standard_normal((m, N)), delta=0.5)
    if kind == "ce":
        return SoftmaxCrossEntropy(X, rng.integers(0, m, N), n_classes=m)
    W = rng.uniform(0.1, 1.0, (m, n))
    T = rng.standard_normal((m, n))
    return Custom((m, n), lambda P: 0.5 * np.sum(W * (P - T) ** 2), lambda P: W * (P - T),
                  hvp=lambda P, D: W * D)


widths_st = st.lists(st.integers(1, 4), min_size=3, max_size=6).map(tuple)
kind_st = st.sampled_from(["quadratic", "huber", "ce", "custom"])


def _fd(fun, theta, h=1e-6):
    return np.array([(fun(theta + h * e) - fun(theta - h * e)) / (2 * h) for e in np.eye(theta.size)])


def _random_point(widths, kind, seed):
    """A network with a random loss of ``kind`` and a random point ``(Ms, packed Ms)``."""
    rng = np.random.default_rng(seed)
    if kind == "ce" and widths[-1] < 2:
        widths = widths[:-1] + (2,)
    net = DeepLinearNetwork(widths, _loss(kind, widths[-1], widths[0], rng))
    Ms = net.random_weights(rng)
    return net, Ms, net.pack(Ms)


@FD
@given(widths_st, kind_st, st.integers(0, 2**31))
def test_gradient_matches_central_differences_and_naive(widths, kind, seed):
    net, Ms, theta = _random_point(widths, kind, seed)
    fd = _fd(lambda t: net.value(net.unpack(t)), theta)
    g = net.pack(net.gradient(Ms))
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-6 * max(1.0, np.abs(fd).max()))
    np.testing.assert_allclose(net.pack(net.gradient_naive(Ms)), g, rtol=1e-10, atol=1e-12)
    v, G = net.value_and_gradient(Ms)
    assert v == pytest.approx(net.value(Ms), rel=1e-12)


@FD
@given(widths_st, kind_st, st.integers(0, 2**31))
def test_hessian_matches_differences_of_the_gradient(widths, kind, seed):
    net, Ms, theta = _random_point(widths, kind, seed)
    fd = _fd(lambda t: net.pack(net.gradient(net.unpack(t))), theta).T
    H = net.hessian(Ms)
    tol = 1e-4 if kind == "custom" else 1e-5
    np.testing.assert_allclose(H, fd, rtol=tol, atol=tol * max(1.0, np.abs(fd).max()))
    np.testing.assert_array_equal(H, H.T)


def test_batched_value_and_gradient():
    rng = np.random.default_rng(1)
    net = DeepLinearNetwork((3, 2, 4, 2), _loss("quadratic", 2, 3, rng))
    Ms = net.random_weights(rng, batch=(4, 2))
    v = net.value(Ms)
    G = net.gradient(Ms)
    assert v.shape == (4, 2)
    for idx in np.ndindex(4, 2):
        one = [M[idx] for M in Ms]
        assert v[idx] == pytest.approx(net.value(one), rel=1e-12)
        for g, g1 in zip(G, net.gradient(one)):
            np.testing.assert_allclose(g[idx], g1, rtol=1e-12, atol=1e-13)


def test_structure_bottleneck_split_embed_balanced():
    rng = np.random.default_rng(2)
    loss = _loss("quadratic", 5, 4, rng)
    net = DeepLinearNetwork((4, 3, 2, 3, 5), loss)
    assert (net.depth, net.narrowest, net.bottleneck, net.has_bottleneck) == (4, 2, 2, True)
    assert net.shapes == [(3, 4), (2, 3), (3, 2), (5, 3)] and net.n_params == 12 + 6 + 6 + 15
    assert not DeepLinearNetwork((4, 5, 4), _loss("quadratic", 4, 4, rng)).has_bottleneck
    assert DeepLinearNetwork((4, 2, 2, 5), _loss("quadratic", 5, 4, rng)).bottleneck == 1
    Ms = net.random_weights(rng)
    A, B = net.split(Ms)
    assert A.shape == (5, 2) and B.shape == (2, 4)
    np.testing.assert_allclose(A @ B, net.product(Ms), atol=1e-12)
    A2, B2 = rng.standard_normal((5, 2)), rng.standard_normal((2, 4))
    E = net.embed(A2, B2)
    A3, B3 = net.split(E)
    np.testing.assert_allclose(A3, A2, atol=1e-14)
    np.testing.assert_allclose(B3, B2, atol=1e-14)
    P = A2 @ B2
    Bal = net.balanced(P)
    np.testing.assert_allclose(net.product(Bal), P, atol=1e-12)
    for lower, upper in zip(Bal[:-1], Bal[1:]):
        np.testing.assert_allclose(upper.T @ upper, lower @ lower.T, atol=1e-12)
    with pytest.raises(ValueError, match="rank <= d = 2"):
        net.balanced(rng.standard_normal((5, 4)))


def test_gradient_vanishes_at_zero_and_hessian_zero_for_depth_3():
    rng = np.random.default_rng(3)
    loss = _loss("quadratic", 3, 3, rng)
    zero2 = [np.zeros(s) for s in DeepLinearNetwork((3, 2, 3), loss).shapes]
    zero3 = [np.zeros(s) for s in DeepLinearNetwork((3, 2, 2, 3), loss).shapes]
    H2 = DeepLinearNetwork((3, 2, 3), loss).hessian(zero2)
    H3 = DeepLinearNetwork((3, 2, 2, 3), loss).hessian(zero3)
    assert np.abs(H3).max() == 0.0
    sigma = np.linalg.svd(loss.gradient(np.zeros((3, 3))), compute_uv=False)[0]
    assert np.linalg.eigvalsh(H2)[0] == pytest.approx(-sigma, rel=1e-10)


def test_multitower_split_and_derivatives():
    rng = np.random.default_rng(4)
    loss = _loss("huber", 3, 4, rng)
    mt = MultiTowerNetwork([(4, 2, 3), (4, 1, 5, 3), (4, 3)], loss)
    assert mt.bottlenecks == [2, 1, 3] and mt.b == 6
    Ts = mt.random_weights(rng)
    A, B = mt.split(Ts)
    assert A.shape == (3, 6) and B.shape == (6, 4)
    np.testing.assert_allclose(A @ B, mt.product(Ts), atol=1e-12)
    theta = mt.pack(Ts)
    fd = _fd(lambda t: mt.value(mt.unpack(t)), theta)
    np.testing.assert_allclose(mt.pack(mt.gradient(Ts)), fd, rtol=1e-5, atol=1e-7)
    H = mt.hessian(Ts)
    h = 1e-6
    fdH = np.array([(mt.pack(mt.gradient(mt.unpack(theta + h * e)))
                     - mt.pack(mt.gradient(mt.unpack(theta - h * e)))) / (2 * h) for e in np.eye(theta.size)])
    np.testing.assert_allclose(H, fdH, rtol=1e-5, atol=1e-6 * np.abs(fdH).max())


def test_training_helpers():
    rng = np.random.default_rng(6)
    X = rng.standard_normal((3, 10))
    Y = rng.standard_normal((3, 10))
    net = DeepLinearNetwork((3, 2, 4, 3), Quadratic(X, Y))
    fstar = rank_constrained_minimum(X, Y, 2)
    res = lbfgs(net, net.random_weights(rng), target=fstar + 1e-8)
    assert res.reached and res.value <= fstar + 1e-8 and res.n_iter > 0
    step = step_from_curvature(net, net.balanced(rank_constrained_minimizer(X, Y, 2)), fraction=0.25)
    Ms = net.random_weights(rng, scale=0.5, batch=(3,))
    run = gradient_descent(net, Ms, step, 50000, record_every=100, target=fstar + 1e-6)
    assert np.all(run.hit > 0) and run.steps[-1] == run.hit.max()
    fixed = gradient_descent(net, Ms, step, 30, record_every=7)
    assert list(fixed.steps) == [0, 7, 14, 21, 28, 30]
    for b in range(3):                               # batched = one start at a time
        one = gradient_descent(net, [M[b] for M in Ms], step, 30, record_every=7)
        np.testing.assert_allclose(one.values, fixed.values[:, b], rtol=1e-12)
    full = lbfgs(net, res.Ms, gtol=1e-13)            # converged: PSD up to roundoff
    rep = hessian_report(net, full.Ms, rtol=1e-6)
    assert rep.n_negative == 0 and rep.grad_norm < 1e-5
    f = lambda T: np.array([net.value(net.unpack(t)) for t in T])
    assert np.all(perturbation_test(f, net.pack(full.Ms), n_samples=50, rng=rng) > -1e-9)
    zero = [np.zeros(s) for s in net.shapes]
    assert perturbation_test(f, net.pack(zero), radii=(0.5,), n_samples=200, rng=rng)[0] < 0


rng0 = np.random.default_rng(0)
Q0 = Quadratic(rng0.standard_normal((4, 6)), rng0.standard_normal((3, 6)))


@pytest.mark.parametrize(
    "make,exc,message",
    [
        (lambda: DeepLinearNetwork((4, 3), Q0), ValueError, r"depth k >= 2 .* got 2 number\(s\), depth 1"),
        (lambda: DeepLinearNetwork((4, 0, 3), Q0), ValueError, r"widths\[1\] must be >= 1; got 0"),
        (lambda: DeepLinearNetwork((4, 2.5, 3), Q0), TypeError, r"widths\[1\] must be an integer"),
        (lambda: DeepLinearNetwork("423", Q0), TypeError, r"widths must be a sequence"),
        (lambda: DeepLinearNetwork((5, 2, 3), Q0), ValueError,
         r"widths do not fit the loss.*n = d0 = 4 and end at m = dk = 3; got d0 = 5, dk = 3"),
        (lambda: DeepLinearNetwork((4, 2, 3), "quadratic"), TypeError, r"loss must be a landscape.models.losses.Loss"),
        (lambda: MultiTowerNetwork([(4, 2, 3), (4, 2, 2)], Q0), ValueError,
         r"towers\[1\] must start at n = 4 and end at m = 3.*got widths \(4, 2, 2\)"),
        (lambda: MultiTowerNetwork([], Q0), ValueError, r"non-empty list"),
        (lambda: rank_constrained_minimum(np.ones((2, 3)), np.ones((1, 4)), 1), ValueError,
         r"same number of samples"),
        (lambda: rank_constrained_minimum(np.ones((2, 3)), np.ones((1, 3)), -1), ValueError, r"rank must be >= 0"),
        (lambda: rank_constrained_minimum(np.ones((2, 3)), np.ones((1, 3)), 1.5), TypeError, r"rank must be an integer"),
        (lambda: rank_constrained_minimum(np.full((2, 3), np.nan), np.ones((1, 3)), 1), ValueError,
         r"X must be finite"),
    ],
)
def test_bad_inputs(make, exc, message):
    with pytest.raises(exc, match=message):
        make()


def test_bad_weights():
    net = DeepLinearNetwork((4, 2, 3), Q0)
    good = [np.zeros((2, 4)), np.zeros((3, 2))]
    with pytest.raises(ValueError, match=r"Ms\[1\] \(M2\) must have shape \(3, 2\) = \(d2, d1\) to chain"):
        net.value([np.zeros((2, 4)), np.zeros((3, 3))])
    with pytest.raises(ValueError, match=r"list of k = 2 matrices .* got 3"):
        net.value(good + [np.zeros((3, 3))])
    with pytest.raises(ValueError, match=r"Ms\[0\] \(M1\) must be finite"):
        net.gradient([np.full((2, 4), np.nan), good[1]])
    with pytest.raises(ValueError, match=r"same batch shape"):
        net.value([np.zeros((5, 2, 4)), np.zeros((3, 2))])
    with pytest.raises(TypeError, match=r"must be a list"):
        net.value(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"theta must have n_params = 14"):
        net.unpack(np.zeros(13))
    with pytest.raises(ValueError, match=r"j must be an integer layer index in \[0, k\] = \[0, 2\]"):
        net.split(good, j=3)


def test_widths_with_bottleneck_and_experiment_configs():
    from landscape.models.deep import widths_with_bottleneck
    from landscape.studies.corollary1 import COROLLARY1, corollary1_config

    assert widths_with_bottleneck(6, 6, 4, 8, 2, 2) == (6, 8, 2, 8, 6)
    assert widths_with_bottleneck(6, 5, 2, 8, 2, 1) == (6, 2, 5)
    with pytest.raises(ValueError, match=r"layer must be a hidden layer index in \[1, depth - 1\]"):
        widths_with_bottleneck(6, 6, 3, 8, 2, 3)
    with pytest.raises(ValueError, match=r"depth must be >= 2"):
        widths_with_bottleneck(6, 6, 1, 8, 2, 1)
    for place, j in (("middle", 2), ("first", 1)):
        net, optimum = corollary1_config(4, place, 8)
        assert net.bottleneck == j and net.narrowest == COROLLARY1["d"]
        assert optimum == pytest.approx(rank_constrained_minimum(net.loss.X, net.loss.Y, 2))
    net, optimum = corollary1_config(3, "end", 3)
    assert not net.has_bottleneck and net.widths[-1] == COROLLARY1["d"]
    assert optimum == pytest.approx(net.loss.minimum())
    with pytest.raises(ValueError, match="place must be"):
        corollary1_config(3, "top", 3)


def test_lbfgs_from_seeds_packed_loss_and_certificate():
    from landscape.optim.lbfgs import lbfgs_from_seeds, packed_loss
    from landscape.optim.starts import runs_from_starts

    rng = np.random.default_rng(10)
    X, Y = rng.standard_normal((3, 12)), rng.standard_normal((3, 12))
    net = DeepLinearNetwork((3, 2, 3), Quadratic(X, Y))
    runs = lbfgs_from_seeds(net, [4, 5], gtol=1e-12)
    one = lbfgs(net, net.random_weights(np.random.default_rng(5)), gtol=1e-12)
    assert len(runs) == 2 and runs[1].value == one.value
    np.testing.assert_array_equal(net.pack(runs[1].Ms), net.pack(one.Ms))
    fun = packed_loss(net)
    thetas = np.stack([net.pack(r.Ms) for r in runs])
    np.testing.assert_allclose(fun(thetas), [r.value for r in runs], rtol=1e-14)
    assert fun(thetas[0]).shape == (1,)
    # the quadratic two-layer network has no spurious minima: a converged run is critical and
    # PSD with d^2 = 4 zero eigenvalues; the origin (a saddle) and a wrong count are not
    rep = hessian_report(net, runs[0].Ms)
    assert rep.critical_psd(4) and not rep.critical_psd(3)
    assert not hessian_report(net, [np.zeros(s) for s in net.shapes]).critical_psd(4)
    rec = runs_from_starts(net, [0], rank_constrained_minimum(X, Y, 2), maxiter=1)[0]
    assert not rec.reached and rec.message


def test_balanced_with_rank_truncates_roundoff():
    rng = np.random.default_rng(12)
    net = DeepLinearNetwork((4, 3, 2, 3, 5), _loss("quadratic", 5, 4, rng))
    P = rng.standard_normal((5, 2)) @ rng.standard_normal((2, 4))
    noisy = P + 1e-12 * rng.standard_normal(P.shape)          # rank 4, numerically
    with pytest.raises(ValueError, match="rank <= d = 2"):
        net.balanced(noisy)
    Bal = net.balanced(noisy, rank=2)
    np.testing.assert_allclose(net.product(Bal), P, atol=1e-10)
    for lower, upper in zip(Bal[:-1], Bal[1:]):
        np.testing.assert_allclose(upper.T @ upper, lower @ lower.T, atol=1e-12)
    np.testing.assert_allclose(net.product(net.balanced(P, rank=2)), P, atol=1e-12)
    with pytest.raises(ValueError, match="at most d = 2"):
        net.balanced(P, rank=3)
    with pytest.raises(ValueError, match="fewer than rank"):
        net.balanced(np.zeros((5, 4)), rank=1)
