"""Gradient descent (landscape.optim.descent): batched runs, metrics, step grids, errors."""

import numpy as np
import pytest
from landscape.optim.descent import gradient_descent
from landscape.optim.curvature import step_from_curvature
from conftest import make_problem, stack_of
import warnings


def test_batched_gradient_descent_equals_one_start_at_a_time():
    p, rng = make_problem(4, 3, 5, 6, 0.3, 8)
    W1, W2 = p.random_weights(rng, scale=0.2, batch=(3,))
    run = gradient_descent(p, W1, W2, step=1e-3, n_steps=50, record_every=7)
    assert list(run.steps) == [0, 7, 14, 21, 28, 35, 42, 49, 50]
    for b in range(3):
        A1, A2 = W1[b].copy(), W2[b].copy()
        for _ in range(50):
            G1, G2 = p.gradient(A1, A2)
            A1, A2 = A1 - 1e-3 * G1, A2 - 1e-3 * G2
        np.testing.assert_allclose(run.W1[b], A1, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(run.W2[b], A2, rtol=1e-12, atol=1e-14)
        assert run.g[-1, b] == pytest.approx(p.value(A1, A2), rel=1e-12)
    np.testing.assert_allclose(run.g, run.f + 0.25 * p.mu * run.rho)


def test_gradient_descent_with_the_curvature_step_reaches_the_minimum():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((5, 40)) / np.sqrt(40)
    from landscape.models.shallow import ShallowProblem

    p = ShallowProblem(X, rng.standard_normal((4, 40)), hidden=2, mu=0.5)
    step = step_from_curvature(p)
    run = gradient_descent(p, *p.random_weights(rng, scale=0.1, batch=(4,)), step, 3000, record_every=100)
    assert np.all(np.diff(run.g, axis=0) <= 1e-12)  # monotone
    np.testing.assert_allclose(run.g[-1], p.global_minimum(), rtol=1e-8)


def test_bad_step():
    p, rng = make_problem(2, 2, 2, 1, 0.0, 0)
    with pytest.raises(ValueError, match="step must be a positive"):
        gradient_descent(p, *p.random_weights(rng), step=-1.0, n_steps=3)


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
