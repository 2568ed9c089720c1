"""ProblemStack, batched gradient descent with metrics and step grids, the batched
minFunc-style L-BFGS (against the two-loop recursion and SciPy), and the one SciPy wrapper lbfgs."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings

from landscape.models.shallow import ProblemStack
from landscape.optim.lbfgs import batched_lbfgs, lbfgs
from landscape.optim.descent import gradient_descent

from conftest import make_problem, problems
from landscape.optim.lbfgs import _CompactMemory, _cubic_min, _two_loop
from landscape.models.shallow import gradient_kernel, invariants


def stack_of(d0, d1, d2, mu, seeds, extra=6):
    ps = [make_problem(d0, d1, d2, extra + s % 3, mu, s)[0] for s in seeds]
    return ProblemStack(ps), ps


# ---------------------------------------------------------------- ProblemStack
@pytest.mark.parametrize("mu", [0.0, 0.3])
def test_stack_matches_each_problem(mu):
    st, ps = stack_of(3, 4, 2, mu, range(5))
    rng = np.random.default_rng(0)
    W1, W2 = st.random_weights(rng, batch=(2,))
    assert W1.shape == (2, 5, 4, 3) and W2.shape == (2, 5, 2, 4)
    v, (G1, G2) = st.value(W1, W2), st.gradient(W1, W2)
    for a in range(2):
        for b, p in enumerate(ps):
            assert v[a, b] == pytest.approx(p.value(W1[a, b], W2[a, b]), rel=1e-12)
            assert st.f(W1, W2)[a, b] == pytest.approx(p.with_mu(0).value(W1[a, b], W2[a, b]), rel=1e-12)
            assert st.rho(W1, W2)[a, b] == pytest.approx(p.rho(W1[a, b], W2[a, b]), rel=1e-12)
            H1, H2 = p.gradient(W1[a, b], W2[a, b])
            np.testing.assert_allclose(G1[a, b], H1, rtol=1e-11, atol=1e-12)
            np.testing.assert_allclose(G2[a, b], H2, rtol=1e-11, atol=1e-12)
    mse = st.mse_objective(W1, W2)
    for b, p in enumerate(ps):
        direct = np.sum((W2[0, b] @ W1[0, b] @ p.X - p.Y) ** 2) / np.sum(p.Y**2)
        assert mse[0, b] == pytest.approx(direct, rel=1e-10)
    np.testing.assert_allclose(st.global_minimum(), [p.global_minimum() for p in ps])


@settings(max_examples=25, deadline=None)
@given(problems(max_dim=4))
def test_stack_gradient_by_finite_differences(pr):
    p, rng = pr
    st = ProblemStack([p, p.with_mu(p.mu)])
    W1, W2 = st.random_weights(rng)
    G = np.concatenate([a.reshape(2, -1) for a in st.gradient(W1, W2)], axis=1)
    theta = np.concatenate([W1.reshape(2, -1), W2.reshape(2, -1)], axis=1)
    n1 = W1[0].size
    h = 1e-6
    fd = np.zeros_like(theta)
    for k in range(theta.shape[1]):
        e = np.zeros(theta.shape[1])
        e[k] = h
        up, dn = theta + e, theta - e
        val = lambda t: st.value(t[:, :n1].reshape(W1.shape), t[:, n1:].reshape(W2.shape))
        fd[:, k] = (val(up) - val(dn)) / (2 * h)
    scale = 1.0 + np.abs(G).max()
    np.testing.assert_allclose(G, fd, atol=1e-5 * scale, rtol=1e-5)


def test_stack_with_mu_shares_the_data():
    st, ps = stack_of(2, 3, 2, 0.5, range(3))
    f = st.with_mu(0.0)
    assert f.mu == 0.0 and st.mu == 0.5 and all(p.mu == 0.0 for p in f.problems)
    W1, W2 = st.random_weights(np.random.default_rng(1))
    np.testing.assert_allclose(f.value(W1, W2), st.f(W1, W2))
    assert len(st) == 3 and "B=3" in repr(st)


def test_stack_errors():
    p, _ = make_problem(2, 2, 2, 3, 0.1, 0)
    q, _ = make_problem(3, 2, 2, 3, 0.1, 1)
    with pytest.raises(ValueError, match="at least one ShallowProblem"):
        ProblemStack([])
    with pytest.raises(TypeError, match=r"problems\[1\] must be a ShallowProblem"):
        ProblemStack([p, "x"])
    with pytest.raises(ValueError, match=r"same \(d0, d1, d2\) = \(2, 2, 2\); problems\[1\] has \(3, 2, 2\)"):
        ProblemStack([p, q])
    with pytest.raises(ValueError, match="same mu = 0.1; problems.1. has mu = 0.2"):
        ProblemStack([p, p.with_mu(0.2)])
    st = ProblemStack([p, p])
    with pytest.raises(ValueError, match=r"W1 must have shape \(2, 2, 2\) = \(B, d1, d0\)"):
        st.value(np.zeros((3, 2, 2)), np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="same leading axes"):
        st.value(np.zeros((4, 2, 2, 2)), np.zeros((2, 2, 2)))
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        st.random_weights(0)
    assert ProblemStack(p).size == 1


# ------------------------------------------------------------ gradient descent
def test_gradient_descent_on_a_stack_equals_each_problem():
    st, ps = stack_of(3, 2, 4, 0.25, range(3))
    W1, W2 = st.random_weights(np.random.default_rng(2), scale=0.3)
    run = gradient_descent(st, W1, W2, 2e-3, 40, record_every=10,
                           metrics={"mse": st.mse_objective})
    for b, p in enumerate(ps):
        one = gradient_descent(p, W1[b], W2[b], 2e-3, 40, record_every=10)
        np.testing.assert_allclose(run.W1[b], one.W1, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(run.g[:, b], one.g, rtol=1e-12)
    assert run.metrics["mse"].shape == (5, 3)
    np.testing.assert_allclose(run.metrics["mse"][-1], st.mse_objective(run.W1, run.W2))
    assert run.diverged is None


def test_a_grid_of_steps_equals_separate_runs_and_divergence_is_contained():
    p, rng = make_problem(3, 2, 3, 8, 0.2, 5)
    W1, W2 = p.random_weights(rng, scale=0.5, batch=(2,))
    steps = np.array([[1e-3], [3e-3], [1e3]])  # the last one diverges
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = gradient_descent(p, W1, W2, steps, 30, record_every=5)
    assert run.W1.shape == (3, 2, 2, 3)
    for i in range(2):
        one = gradient_descent(p, W1, W2, float(steps[i, 0]), 30, record_every=5)
        np.testing.assert_allclose(run.g[:, i], one.g, rtol=1e-12)
    assert run.diverged is not None and run.diverged[2].all() and not run.diverged[:2].any()
    assert np.all(np.isnan(run.g[-1, 2])) and np.all(np.isfinite(run.g[-1, :2]))


def test_gradient_descent_argument_errors():
    p, rng = make_problem(2, 2, 2, 1, 0.0, 0)
    W1, W2 = p.random_weights(rng)
    with pytest.raises(ValueError, match="step must be a positive"):
        gradient_descent(p, W1, W2, step=[1e-3, 0.0], n_steps=3)
    with pytest.raises(TypeError, match="problem must be a ShallowProblem or a ProblemStack"):
        gradient_descent("p", W1, W2, 1e-3, 3)
    with pytest.raises(TypeError, match="metrics must be a dict"):
        gradient_descent(p, W1, W2, 1e-3, 3, metrics={"a": 1})


# ---------------------------------------------------------------------- L-BFGS
def test_compact_memory_equals_the_two_loop_recursion():
    rng = np.random.default_rng(0)
    B, n, m = 3, 7, 4
    mem = _CompactMemory((B,), m, n)
    pairs = []  # per run, the pairs kept, oldest first
    kept = [[] for _ in range(B)]
    for k in range(9):  # more pairs than the memory holds: the ring wraps around
        A = rng.standard_normal((B, n, n))
        H = A @ np.swapaxes(A, 1, 2) + n * np.eye(n)
        s = rng.standard_normal((B, n))
        y = (H @ s[..., None])[..., 0]
        mask = np.array([True, k % 3 != 1, True])  # run 1 skips some pairs
        if k == 5:
            y[2] = -y[2]  # y^T s < 0: this pair must be skipped (minFunc's rule)
        g = rng.standard_normal((B, n))
        Hg = mem.update_and_apply(g, s, y, mask)
        for b in range(B):
            if mask[b] and s[b] @ y[b] > 1e-10:
                kept[b] = (kept[b] + [(s[b], y[b])])[-m:]
            S = np.zeros((m, 1, n))
            Y = np.zeros((m, 1, n))
            rho = np.zeros((m, 1))
            for i, (si, yi) in enumerate(kept[b]):
                S[i, 0], Y[i, 0], rho[i, 0] = si, yi, 1.0 / (si @ yi)
            gamma = (kept[b][-1][0] @ kept[b][-1][1]) / (kept[b][-1][1] @ kept[b][-1][1]) if kept[b] else 1.0
            dot = lambda a, c: np.einsum("...i,...i->...", a, c)
            ref = -_two_loop(g[b:b + 1], S, Y, rho, list(range(len(kept[b]))),
                                      np.array([gamma]), dot)[0]
            np.testing.assert_allclose(Hg[b], ref, rtol=1e-9, atol=1e-12)
    pairs.append(None)


@pytest.mark.parametrize("mu", [0.0, 0.25])
def test_batched_lbfgs_reaches_the_global_minimum(mu):
    st, ps = stack_of(3, 2, 4, mu, range(4), extra=10)
    # (from unit-scale starts, one run on f drifts along f's flat directions W1 -> A W1,
    # W2 -> W2 A^-1 to weights of norm ~1e3, where the Hessian's condition number stalls it)
    W1, W2 = st.random_weights(np.random.default_rng(3), scale=0.3)
    run = batched_lbfgs(st, W1, W2, memory=10, max_iter=1000, metrics={"mse": st.mse_objective})
    np.testing.assert_allclose(run.g[-1], st.global_minimum(), rtol=1e-9)
    assert np.all(np.diff(run.g, axis=0) <= 1e-12 * np.abs(run.g[0]))  # monotone
    assert run.g.shape == run.metrics["mse"].shape == (len(run.iterations), 4)
    assert np.all(run.n_fev >= run.n_iter) and set(run.stop) <= {"max_iter", "no_progress"}
    np.testing.assert_allclose(run.g, run.f + 0.25 * mu * run.rho)


def test_batched_lbfgs_runs_do_not_interact():
    st, ps = stack_of(3, 3, 3, 0.125, range(3), extra=5)
    W1, W2 = st.random_weights(np.random.default_rng(4))
    run = batched_lbfgs(st, W1, W2, max_iter=60)
    for b, p in enumerate(ps):
        one = batched_lbfgs(p, W1[b], W2[b], max_iter=60)
        # the same arithmetic up to the order of floating-point operations in the products
        assert run.n_iter[b] == one.n_iter
        np.testing.assert_allclose(run.g[:20, b], one.g[:20], rtol=1e-6)


def test_batched_lbfgs_progress_tolerance_and_evaluation_cap():
    p, rng = make_problem(3, 2, 3, 6, 0.0, 7)
    W1, W2 = p.random_weights(rng, batch=(2,))
    run = batched_lbfgs(p, W1, W2, prog_tol=1e-6, max_iter=500)
    assert set(run.stop) == {"progress"} and np.all(run.n_iter < 500)
    capped = batched_lbfgs(p, W1, W2, max_fev=5)
    assert set(capped.stop) == {"max_fev"} and np.all(capped.n_fev >= 5)


def test_batched_lbfgs_agrees_with_scipy():
    """Same minimizer and a similar number of iterations as SciPy's L-BFGS-B."""
    p, rng = make_problem(4, 3, 5, 20, 0.125, 11)
    W1, W2 = p.random_weights(rng)
    mine = batched_lbfgs(p, W1, W2, memory=10, max_iter=400)
    ref = lbfgs(p, (W1, W2), memory=10, maxiter=400, maxfun=1000, gtol=0.0, ftol=0.0)
    gmin = p.global_minimum()
    assert mine.g[-1] == pytest.approx(gmin, rel=1e-9) and ref.values[-1] == pytest.approx(gmin, rel=1e-9)
    t_mine = np.argmax(mine.g - gmin <= 1e-8 * gmin)
    t_ref = np.argmax(ref.values - gmin <= 1e-8 * gmin)
    assert 0.5 < t_mine / t_ref < 2.0


def test_batched_lbfgs_errors():
    p, rng = make_problem(2, 2, 2, 2, 0.0, 0)
    W1, W2 = p.random_weights(rng)
    with pytest.raises(ValueError, match="need 0 < c1 < c2 < 1"):
        batched_lbfgs(p, W1, W2, c1=0.9, c2=0.1)
    with pytest.raises(ValueError, match="memory must be >= 1"):
        batched_lbfgs(p, W1, W2, memory=0)
    with pytest.raises(ValueError, match="prog_tol must be >= 0"):
        batched_lbfgs(p, W1, W2, prog_tol=-1.0)
    with pytest.raises(TypeError, match="problem must be a ShallowProblem or a ProblemStack"):
        batched_lbfgs(None, W1, W2)


def test_lbfgs_records_every_iteration():
    """What lbfgs_path recorded (the value and metrics at the start and after every
    iteration, with SciPy's tolerances at 0), through lbfgs's record."""
    p, rng = make_problem(3, 2, 3, 7, 0.125, 2)
    W1, W2 = p.random_weights(rng)
    mse = lambda x: np.sum((p.unpack(x)[1] @ p.unpack(x)[0] @ p.X - p.Y) ** 2) / np.sum(p.Y**2)
    path = lbfgs(p, (W1, W2), memory=100, maxiter=500, maxfun=1000, gtol=0.0, ftol=0.0,
                 record={"mse": mse})
    assert len(path.values) == path.n_iter + 1 == len(path.records["mse"])
    assert path.values[0] == p.value(W1, W2)
    assert path.values[-1] == pytest.approx(p.global_minimum(), rel=1e-9)
    assert path.values[-1] == path.value
    assert np.all(np.diff(path.values) <= 0)
    assert path.records["mse"][0] == mse(p.pack(W1, W2))
    assert path.records["mse"][-1] == pytest.approx(mse(path.x), rel=1e-12)
    with pytest.raises(TypeError, match="objective must be a model"):
        lbfgs(ProblemStack([p]), (W1, W2))
    with pytest.raises(ValueError, match="maxiter must be >= 1"):
        lbfgs(p, (W1, W2), maxiter=0)


def _old_scipy(fun, x0, callback=None, **options):
    from scipy.optimize import minimize

    return minimize(fun, x0, jac=True, method="L-BFGS-B", callback=callback, options=options)


def test_lbfgs_is_the_four_old_wrappers():
    """The one wrapper gives, bit for bit, what the four wrappers it replaces gave: the shallow
    lbfgs, lbfgs_path (its record), deep_lbfgs (with a target) and TanhNetwork.lbfgs."""
    from landscape.models.deep import DeepLinearNetwork
    from landscape.models.losses import Quadratic
    from landscape.models.tanh import TanhNetwork

    p, rng = make_problem(3, 2, 3, 7, 0.125, 2)
    W1, W2 = p.random_weights(rng)

    def fun(t):
        A1, A2 = p.unpack(t)
        G1, G2 = p.gradient(A1, A2)
        return float(p.value(A1, A2)), np.concatenate([G1.ravel(), G2.ravel()])

    old = _old_scipy(fun, p.pack(W1, W2), maxiter=5000, gtol=1e-10, ftol=1e-15, maxcor=10)
    new = lbfgs(p, (W1, W2), maxiter=5000)
    np.testing.assert_array_equal(new.x, old.x)
    assert new.value == float(old.fun) and new.n_iter == old.nit
    values = []
    old = _old_scipy(fun, p.pack(W1, W2), callback=lambda xk: values.append(fun(xk)[0]),
                     maxiter=500, maxfun=1000, maxcor=100, gtol=0.0, ftol=0.0)
    new = lbfgs(p, (W1, W2), maxiter=500, maxfun=1000, memory=100, gtol=0.0, ftol=0.0)
    np.testing.assert_array_equal(new.x, old.x)
    assert list(new.values) == [fun(p.pack(W1, W2))[0]] + values and new.n_fev == old.nfev
    # deep, stopped at a target
    X, Y = rng.standard_normal((3, 10)), rng.standard_normal((2, 10))
    net = DeepLinearNetwork((3, 2, 2), Quadratic(X, Y))
    Ms = net.random_weights(rng)
    nfun = lambda t: (float(net.value_and_gradient(net.unpack(t))[0]),
                      net.pack(net.value_and_gradient(net.unpack(t))[1]))
    full = _old_scipy(nfun, net.pack(Ms), maxiter=10000, gtol=1e-10, ftol=1e-15, maxcor=10)
    target = float(full.fun) + 1e-3
    count = []

    def stop(intermediate_result):
        count.append(1)
        if intermediate_result.fun <= target:
            raise StopIteration

    old = _old_scipy(nfun, net.pack(Ms), callback=stop, maxiter=10000, gtol=1e-10, ftol=1e-15, maxcor=10)
    new = lbfgs(net, Ms, target=target)
    np.testing.assert_array_equal(net.pack(new.Ms), old.x)
    assert new.reached and new.n_iter == len(count) and new.value <= target
    # the tanh network (its ftol 1e-16)
    tn = TanhNetwork(X, Y, 2)
    theta = tn.random_parameters(rng)
    old = _old_scipy(lambda t: (float(tn.value(t)), tn.gradient(t)), theta, maxiter=50, gtol=1e-12,
                     ftol=1e-16)
    new = lbfgs(tn, theta, maxiter=50, gtol=1e-12, ftol=1e-16)
    np.testing.assert_array_equal(new.x, old.x)
    assert new.message == str(old.message) and new.value == float(old.fun)


def test_cubic_minimizer():
    # f(t) = (t - 0.3)^2: exact through two points with derivatives
    f = lambda t: (t - 0.3) ** 2
    df = lambda t: 2 * (t - 0.3)
    t = _cubic_min(np.array(0.0), f(0.0), df(0.0), np.array(1.0), f(1.0), df(1.0), 0.0, 1.0)
    assert float(t) == pytest.approx(0.3)
    # clipped to the bounds, in either order of the points
    t = _cubic_min(np.array(1.0), f(1.0), df(1.0), np.array(0.0), f(0.0), df(0.0), 0.5, 1.0)
    assert float(t) == pytest.approx(0.5)


def test_fused_gradient_and_regularizer():
    st, ps = stack_of(3, 4, 2, 0.3, range(3))
    W1, W2 = st.random_weights(np.random.default_rng(5))
    data = invariants(st)
    G1, G2, rho = gradient_kernel(data, st.mu, W1, W2, with_rho=True)
    H1, H2 = st.gradient(W1, W2)
    np.testing.assert_allclose(rho, st.rho(W1, W2), rtol=1e-12)
    np.testing.assert_array_equal(G1, H1)
    np.testing.assert_array_equal(G2, H2)
