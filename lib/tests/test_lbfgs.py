"""landscape.optim.lbfgs: the batched minFunc-style L-BFGS (against the two-loop recursion and
SciPy) and lbfgs, the one SciPy wrapper."""


import numpy as np
import pytest

from landscape.models.shallow import ProblemStack
from landscape.optim.lbfgs import batched_lbfgs

from conftest import make_problem, stack_of
from landscape.optim.lbfgs import _CompactMemory, _cubic_min, _two_loop
from landscape.optim.lbfgs import lbfgs


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




def test_cubic_minimizer():
    # f(t) = (t - 0.3)^2: exact through two points with derivatives
    f = lambda t: (t - 0.3) ** 2
    df = lambda t: 2 * (t - 0.3)
    t = _cubic_min(np.array(0.0), f(0.0), df(0.0), np.array(1.0), f(1.0), df(1.0), 0.0, 1.0)
    assert float(t) == pytest.approx(0.3)
    # clipped to the bounds, in either order of the points
    t = _cubic_min(np.array(1.0), f(1.0), df(1.0), np.array(0.0), f(0.0), df(0.0), 0.5, 1.0)
    assert float(t) == pytest.approx(0.5)


def test_lbfgs_reaches_the_minimum_and_reports_its_gradient():
    p, rng = make_problem(4, 2, 3, 10, 0.25, 4)
    res = lbfgs(p, p.random_weights(rng))
    assert res.value == pytest.approx(p.global_minimum(), rel=1e-9)
    assert res.grad_norm < 1e-6 and res.n_iter > 0


def _old_scipy(fun, x0, callback=None, **options):
    from scipy.optimize import minimize

    return minimize(fun, x0, jac=True, method="L-BFGS-B", callback=callback, options=options)


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
