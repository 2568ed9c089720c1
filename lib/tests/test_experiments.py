"""landscape.studies.experiments: paper A's experimental setups, metrics, the step rule,
sweeps and the claims table."""

import numpy as np
import pytest

from landscape.studies import experiments as ex
from landscape.studies.experiments import (SETUPS, Curves, draw, leaky_relu, run_gd,
    run_lbfgs, tune_step)
from landscape.optim.curvature import hessian_vector_product
from landscape.studies.conjecture import escapes, sort_point
from landscape.optim.critical_points import minimize_gradient_norm
from landscape.models.shallow import ProblemStack

from conftest import make_problem


def test_leaky_relu():
    np.testing.assert_array_equal(leaky_relu([-2.0, 0.0, 3.0]), [-1.6, 0.0, 3.0])
    assert leaky_relu(-1.0, slope=0.5) == -0.5


def test_setups_are_the_papers():
    assert [(s.d0, s.nonlinear, s.figures) for s in SETUPS] == [
        (10, False, (1, 2)), (20, False, (3, 4)), (10, True, (5, 6)), (20, True, (7, 8))]
    assert SETUPS[2].key == "relu10" and "leaky-ReLU" in SETUPS[2].name


@pytest.mark.parametrize("setup", [SETUPS[0], SETUPS[3]])
def test_draw_makes_the_papers_data(setup):
    b = draw(setup, [3, 4], mu=0.125)
    assert b.W_star.shape == (2, 20, setup.d0) and b.W1.shape == (2, 15, setup.d0)
    assert b.W2.shape == (2, 20, 15) and b.mu == 0.125 and len(b.stack) == 2
    p = b.problem(0)
    Z = b.W_star[0] @ p.X
    np.testing.assert_allclose(p.Y, leaky_relu(Z) if setup.nonlinear else Z)
    # the same seed gives the same draw; x_scale multiplies X (and Y follows)
    again = draw(setup, [3], mu=0.0, x_scale=0.1)
    np.testing.assert_allclose(again.problem(0).X, 0.1 * p.X)
    np.testing.assert_allclose(again.problem(0).Y, 0.1 * p.Y)
    np.testing.assert_allclose(again.W1[0], b.W1[0])
    assert again.mu == 0.0 and b.with_mu(0.0).mu == 0.0


def test_metrics_against_their_definitions():
    b = draw(SETUPS[2], [0, 1])
    rng = np.random.default_rng(0)
    W1, W2 = rng.standard_normal(b.W1.shape), rng.standard_normal(b.W2.shape)
    for i in range(2):
        p = b.problem(i)
        mse_o = np.sum((W2[i] @ W1[i] @ p.X - p.Y) ** 2) / np.sum(p.Y**2)
        mse_w = np.sum((W2[i] @ W1[i] - b.W_star[i]) ** 2) / np.sum(b.W_star[i] ** 2)
        assert b.mse_objective(W1, W2)[i] == pytest.approx(mse_o, rel=1e-10)
        assert b.mse_weights(W1, W2)[i] == pytest.approx(mse_w, rel=1e-12)
    assert np.all(b.min_mse() > 1e-3)          # (9): no network fits leaky-ReLU data
    assert np.all(draw(SETUPS[0], [0, 1]).min_mse() < 1e-20)   # (8): exactly fitted


def test_draw_errors():
    with pytest.raises(TypeError, match="setup must be a Setup"):
        draw("lin10", [0])
    with pytest.raises(ValueError, match="seeds must hold at least one seed"):
        draw(SETUPS[0], [])
    with pytest.raises(ValueError, match="N must be at least d0 = 20"):
        draw(SETUPS[1], [0], N=10)
    with pytest.raises(ValueError, match="x_scale must be > 0"):
        draw(SETUPS[0], [0], x_scale=0.0)


def test_iterations_to_and_speedup():
    c = Curves(np.array([0, 10, 20]), np.zeros((3, 2)), np.zeros((3, 2)),
               np.array([[1.0, 1.0], [1e-9, 0.5], [1e-12, 0.1]]))
    np.testing.assert_array_equal(c.iterations_to(1e-8), [10, np.inf])
    np.testing.assert_array_equal(c.final("excess"), [1e-12, 0.1])
    s = ex.speedup([100, np.inf, np.inf], [50, 10, np.inf])
    assert s[0] == 2 and s[1] == np.inf and np.isnan(s[2])


def test_gd_and_lbfgs_reach_the_minimum_of_a_small_setup():
    b = draw(SETUPS[0], [0, 1], x_scale=0.1)
    lb = run_lbfgs(b, max_iter=300)
    assert np.all(lb.iterations_to(1e-8) < 300) and lb.mse_o.shape[1] == 2
    assert np.all(lb.final("mse_w") < 1e-6)      # (8) with d0 < d1: W2 W1 = W2* W1* exactly
    gd = run_gd(b.with_mu(0.0), 1e-2, 50, record_every=10)
    assert list(gd.iterations) == [0, 10, 20, 30, 40, 50]
    assert np.all(np.diff(gd.excess, axis=0) < 0)


def test_tune_step_picks_the_fastest_step_that_never_diverges():
    b = draw(SETUPS[0], [0, 1, 2], x_scale=0.1, mu=0.0)
    res = tune_step(b, [1e-3, 1e-2, 0.5, 50.0], n_steps=400, tol=1e-6)
    assert res.diverged[-1] == 3 and res.diverged[0] == 0
    assert res.step == 0.5 or res.median_iterations[res.best] <= np.min(res.median_iterations[:3])
    assert res.best != 3 and res.interior
    with pytest.raises(ValueError, match="every step of the grid diverged"):
        tune_step(b, [1e3, 1e4], n_steps=50)
    with pytest.raises(ValueError, match="1-D array of positive step sizes"):
        tune_step(b, [-1.0], n_steps=5)


# ---------------------------------------------------------------- stationary
@pytest.mark.parametrize("mu", [0.0, 0.4])
def test_batched_hessian_vector_product(mu):
    p, rng = make_problem(3, 2, 4, 5, mu, 2)
    W1, W2 = p.random_weights(rng, batch=(3,))
    V1, V2 = p.random_weights(rng, batch=(3,))
    H1, H2 = hessian_vector_product(p, W1, W2, V1, V2)
    for b in range(3):
        R1, R2 = p.hessian_vector_product(W1[b], W2[b], V1[b], V2[b])
        np.testing.assert_allclose(H1[b], R1, rtol=1e-11, atol=1e-12)
        np.testing.assert_allclose(H2[b], R2, rtol=1e-11, atol=1e-12)
    st = ProblemStack([p, p])
    S1, _ = hessian_vector_product(st, W1[:2], W2[:2], V1[:2], V2[:2])
    np.testing.assert_allclose(S1, H1[:2])
    with pytest.raises(TypeError, match="problem must be a ShallowProblem or a ProblemStack"):
        hessian_vector_product(None, W1, W2, V1, V2)


def test_the_search_finds_critical_points_and_sorts_them():
    p, rng = make_problem(3, 2, 3, 6, 0.0, 9)
    s = minimize_gradient_norm(p, *p.random_weights(rng, batch=(24,)), max_iter=3000)
    found = s.grad_norm < 1e-9
    assert found.sum() >= 2
    tol = 1e-8 * np.abs(p.XXt).max() * np.abs(p.YXt).max()
    kinds = {sort_point(p, s.W1[i], s.W2[i], tol)[0] for i in np.flatnonzero(found)}
    assert kinds <= {"strict saddle", "global minimum"}
    # a global minimizer classifies as such and does not escape; a saddle does
    W1, W2 = p.balanced_minimizer()
    assert sort_point(p, W1, W2, tol)[0] == "global minimum"
    assert escapes(p, W1, W2, np.random.default_rng(0), n_steps=2000) < 1e-10
    i = next(i for i in np.flatnonzero(found) if sort_point(p, s.W1[i], s.W2[i], tol)[0] == "strict saddle")
    assert escapes(p, s.W1[i], s.W2[i], np.random.default_rng(0), radius=1e-3) > 1e-6
    with pytest.raises(TypeError, match="p must be a ShallowProblem"):
        sort_point(ProblemStack([p]), W1, W2, tol)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        escapes(p, W1, W2, 0)


def test_sweep_lookup_and_verdicts():
    data = {"rules": {"gd_steps": 100, "lbfgs": {"max_iter": 50}}, "results": {
        '["GD", "lin10", "f", 1.0, 0.0, 1.0, "tuned"]': {"T": [10, 20, None, 40]},
        '["GD", "lin10", "g", 1.0, 0.125, 1.0, "tuned"]': {"T": [5, 5, 50, 10]}}}
    sw = ex.Sweep(data)
    np.testing.assert_array_equal(sw.T("GD", "lin10", "f"), [10, 20, np.inf, 40])
    np.testing.assert_array_equal(sw.ratio("GD", "lin10"), [2, 4, 2, 4])  # inf counts as 100
    assert ex.faster(sw.ratio("GD", "lin10")) and ex.describe(sw.ratio("GD", "lin10")) == "g much faster"
    assert ex.describe([1.0, 1.1, 0.9, 1.2]) == "similar" and ex.slower([0.1, 0.2, 0.3])
    with pytest.raises(KeyError, match="no such point"):
        sw.entry("L-BFGS", "lin10", "f")


def test_claims_table_measures_each_claim():
    inf = np.inf
    T = {}
    for key in ("lin10", "lin20", "relu10", "relu20"):
        T[key, "GD", "f"] = [100, 200]
        T[key, "GD", "g"] = [inf, inf]
        T[key, "GD-long", "f"] = [100, 200]
        T[key, "GD-long", "g"] = [1000, inf]
        T[key, "L-BFGS", "f"] = [10, 20]
        T[key, "L-BFGS", "g"] = [40, 40]
    T["lin20", "L-BFGS", "f"] = [30, 30]
    verdicts = {c: f"verdict {c}" for c in ("(a)", "(b)", "(c)", "(d)", "(e)")}
    table = ex.claims_table(T, verdicts, notes={"(e)": "final values agree"})
    lines = table.splitlines()
    assert len(lines) == 7 and all(line.count("|") == 5 for line in lines)
    # (a): paired ratios 100/1000, 200/inf = 0 and 10/40, 20/40 (quantiles: lower order
    # statistics, so with two seeds all three are the smaller value)
    assert "GD 0 [0, 0]; L-BFGS 0.25 [0.25, 0.25]" in lines[2]
    assert "L-BFGS on f: 10 vs 30" in lines[4] and "GD-long on g: 1000 vs 1000" in lines[4]
    assert ("$f$: 4/4 runs within $10^4$ steps, 4/4 within $10^5$; $g$: 0/4 within $10^4$, "
            "2/4 within $10^5$") in lines[5]
    assert lines[6].endswith("($d_0 = 20$); final values agree | verdict (e) |")
    with pytest.raises(ValueError, match="missing"):
        ex.claims_table(T, {"(a)": "x"})
