"""landscape.models.deep and landscape.optim.certify: derivatives, splits, the rank-constrained
optimum, Lemma 1's construction, training helpers and input checks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from landscape.models.deep import DeepLinearNetwork, MultiTowerNetwork, numerical_rank
from landscape.theory.paper_b import (lemma1_construction, rank_constrained_minimizer,
    rank_constrained_minimum)
from landscape.optim.descent import deep_gradient_descent
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
    run = deep_gradient_descent(net, Ms, step, 50000, record_every=100, target=fstar + 1e-6)
    assert np.all(run.hit > 0) and run.steps[-1] == run.hit.max()
    fixed = deep_gradient_descent(net, Ms, step, 30, record_every=7)
    assert list(fixed.steps) == [0, 7, 14, 21, 28, 30]
    for b in range(3):                               # batched = one start at a time
        one = deep_gradient_descent(net, [M[b] for M in Ms], step, 30, record_every=7)
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


def test_runs_from_starts_and_derivative_free_search():
    from landscape.optim.starts import derivative_free_search, runs_from_starts

    rng = np.random.default_rng(8)
    X, Y = rng.standard_normal((3, 12)), rng.standard_normal((3, 12))
    net = DeepLinearNetwork((3, 2, 3, 3), Quadratic(X, Y))
    optimum = rank_constrained_minimum(X, Y, 2)
    recs = runs_from_starts(net, range(3), optimum, keep=True)
    assert all(r.reached and r.gap <= 1e-8 and np.isnan(r.lam_min) for r in recs)
    assert all(abs(r.value - net.value(r.Ms)) < 1e-12 for r in recs)
    none = runs_from_starts(net, [0], optimum, maxiter=1)        # cannot reach in 1 step
    assert not none[0].reached and np.isfinite(none[0].lam_min)
    found = derivative_free_search(lambda x: np.sum((x - 1.0) ** 2), 3, range(2))
    assert all(abs(v) < 1e-10 and np.allclose(x, 1.0, atol=1e-5) for _, x, v in found)


def test_tanh_network_gradient_and_checks():
    from landscape.models.tanh import TanhNetwork

    rng = np.random.default_rng(9)
    net = TanhNetwork(rng.standard_normal((2, 7)), rng.standard_normal((3, 7)), hidden=4)
    theta = net.random_parameters(rng)
    fd = _fd(net.value, theta)
    np.testing.assert_allclose(net.gradient(theta), fd, rtol=1e-6, atol=1e-8)
    H = net.hessian(theta)
    fdH = np.array([_fd(lambda t: net.gradient(t)[i], theta) for i in range(theta.size)])
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


def test_tanh_end_points_and_saturation():
    from landscape.studies.beyond import TanhEnd, tanh_end_points
    from landscape.models.tanh import TanhNetwork

    x = np.linspace(-2, 2, 15)[None, :]
    y = np.array([[1.0, 1.2]]) @ np.tanh(np.array([[2.0], [-1.5]]) @ x + np.array([[1.0], [0.5]]))
    net = TanhNetwork(x, y, hidden=2)
    ends = tanh_end_points(net, range(3))
    assert [e.seed for e in ends] == [0, 1, 2] and all(e.kind in TanhEnd.KINDS for e in ends)
    for e in ends:
        assert e.value == pytest.approx(net.value(e.theta), rel=1e-12)
        assert e.max_weight == np.abs(e.theta).max() and e.message
    assert any(e.kind == "global minimum" for e in ends)
    theta = np.array([10.0, 0.1, 0.0, 0.0, 1.0, 1.0])        # W = (10, 0.1), c = 0
    sat = net.saturation(theta)
    assert sat[1] == 0.0 and sat[0] == np.mean(np.abs(10 * x[0]) > 2)
    assert 0.0 < net.cancellation(theta) <= 1.0 + 1e-12
    twin = np.array([1.0, 1.0, 0.2, 0.2, 100.0, -100.0])     # equal units, opposite weights
    assert net.cancellation(twin) < 1e-12
    same = np.array([1.0, 1.0, 0.2, 0.2, 1.0, 1.0])          # equal units, equal weights
    assert net.cancellation(same) == pytest.approx(1.0)
    labels = {e.kind for e in tanh_end_points(net, [0], big=0.0)}   # every weight is "large"
    assert labels <= {"global minimum", "large weights"}


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


@pytest.mark.parametrize("scale", [1e-5, 1.0, 1e5])
def test_hessian_report_counts_do_not_depend_on_the_scale_of_the_data(scale):
    """The zero threshold is relative to the spectrum (it was relative to max(1, spectrum):
    on data of scale 1e-5 every eigenvalue counted as zero)."""
    rng = np.random.default_rng(7)
    X, Y = rng.standard_normal((3, 10)), rng.standard_normal((3, 10))
    counts = []
    for s in (1.0, scale):
        net = DeepLinearNetwork((3, 2, 3), Quadratic(s * X, s * Y))
        Ms = net.balanced(rank_constrained_minimizer(s * X, s * Y, 2))
        rep = hessian_report(net, Ms)
        counts.append((rep.n_negative, rep.n_zero, rep.n_positive))
    assert counts[0] == counts[1]
    assert counts[0][1] > 0 and counts[0][2] > 0
