"""The one gradient descent (``landscape.optim.descent``) against the three behaviours it
replaced: the shallow runs (per-run steps, divergence, the recorded f and rho), the deep runs
(values, gradient norms, target hits) and the paths on the two-variable landscapes."""

import numpy as np
import pytest

from landscape import DeepLinearNetwork, MultiTowerNetwork, Quadratic, ShallowProblem
from landscape.models.shallow import ProblemStack
from landscape.models.toy2d import FLAT_SADDLE, STRICT_SADDLE
from landscape.optim.curvature import step_from_curvature
from landscape.optim.descent import gradient_descent

from conftest import make_problem, stack_of
import warnings


def shallow(mu=0.3, seed=0):
    rng = np.random.default_rng(seed)
    return ShallowProblem(rng.standard_normal((4, 12)), rng.standard_normal((3, 12)), 2, mu), rng


@pytest.mark.parametrize("mu", [0.0, 0.3])
def test_a_shallow_run_equals_the_hand_written_loop_bit_for_bit(mu):
    p, rng = shallow(mu)
    W1, W2 = p.random_weights(rng, scale=0.4, batch=(3,))
    run = gradient_descent(p, (W1, W2), 2e-2, 40, record_every=6)
    A1, A2, values, norms = W1.copy(), W2.copy(), [], []
    for t in range(41):
        if t % 6 == 0 or t == 40:
            values.append(p.value(A1, A2))
            norms.append(p.gradient_norm(A1, A2))
        if t == 40:
            break
        G1, G2 = p.gradient(A1, A2)
        A1, A2 = A1 - 2e-2 * G1, A2 - 2e-2 * G2
    np.testing.assert_array_equal(run.weights[0], A1)
    np.testing.assert_array_equal(run.weights[1], A2)
    np.testing.assert_array_equal(run.values, np.array(values))
    np.testing.assert_array_equal(run.grad_norms, np.array(norms))
    np.testing.assert_array_equal(run.steps, [0, 6, 12, 18, 24, 30, 36, 40])
    np.testing.assert_array_equal(run.metrics["f"][-1], p.f(A1, A2))
    np.testing.assert_array_equal(run.rho[-1], p.rho(A1, A2))          # metrics are attributes
    assert run.g is run.metrics["g"] and np.array_equal(run.g, run.values)
    assert run.diverged is None and np.all(run.hit == -1)


def test_per_run_steps_equal_separate_runs_and_divergence_is_contained():
    p, rng = shallow()
    W1, W2 = p.random_weights(rng, scale=0.5, batch=(2,))
    steps = np.array([[1e-3], [1e-2], [1e3]])             # the last one diverges
    run = gradient_descent(p, (W1, W2), steps, 30, record_every=5)
    assert run.weights[0].shape == (3, 2, 2, 4)
    for i in range(2):
        one = gradient_descent(p, (W1, W2), float(steps[i, 0]), 30, record_every=5)
        np.testing.assert_array_equal(run.values[:, i], one.values)
        np.testing.assert_array_equal(run.weights[0][i], one.weights[0])
    assert run.diverged[2].all() and not run.diverged[:2].any()
    assert np.all(np.isnan(run.values[-1, 2])) and np.all(np.isnan(run.f[-1, 2]))
    assert np.all(np.isnan(run.weights[0][2])) and np.all(np.isfinite(run.values[:, :2]))


def test_a_stack_runs_each_problem_on_its_own():
    rng = np.random.default_rng(4)
    ps = [ShallowProblem(rng.standard_normal((3, 8 + b)), rng.standard_normal((2, 8 + b)), 2, 0.25)
          for b in range(3)]
    st = ProblemStack(ps)
    W1, W2 = st.random_weights(rng, scale=0.3)
    run = gradient_descent(st, (W1, W2), 1e-2, 20, record_every=5, metrics={"mse": st.mse_objective})
    for b, p in enumerate(ps):
        one = gradient_descent(p, (W1[b], W2[b]), 1e-2, 20, record_every=5)
        np.testing.assert_allclose(run.values[:, b], one.values, rtol=1e-12)
    assert run.metrics["mse"].shape == (5, 3)


def test_deep_runs_record_values_gradient_norms_and_target_hits():
    rng = np.random.default_rng(1)
    net = DeepLinearNetwork((3, 2, 4, 3), Quadratic(rng.standard_normal((3, 10)), rng.standard_normal((3, 10))))
    Ms = net.random_weights(rng, scale=0.5, batch=(3,))
    full = gradient_descent(net, Ms, 5e-3, 400)
    A = [M.copy() for M in Ms]
    for t in range(400):
        A = [M - 5e-3 * G for M, G in zip(A, net.gradient(A))]
    for M, B in zip(full.weights, A):
        np.testing.assert_array_equal(M, B)
    np.testing.assert_array_equal(full.grad_norms[-1], net.gradient_norm(A))
    target = float(np.max(full.values[200]))
    first = np.argmax(full.values <= target, axis=0)
    run = gradient_descent(net, Ms, 5e-3, 400, record_every=50, target=target)
    np.testing.assert_array_equal(run.hit, first)
    assert run.steps[-1] == first.max() and run.steps[-1] < 400   # stopped when all had hit
    late = gradient_descent(net, Ms, 5e-3, 400, record_every=50, target=target, stop_when_all_hit=False)
    np.testing.assert_array_equal(late.hit, first)
    assert late.steps[-1] == 400
    never = gradient_descent(net, Ms, 5e-3, 10, target=-1.0)
    assert np.all(never.hit == -1) and never.steps[-1] == 10


def test_a_deep_run_that_overflows_is_stopped_and_the_others_go_on():
    rng = np.random.default_rng(2)
    net = DeepLinearNetwork((3, 2, 4, 3), Quadratic(rng.standard_normal((3, 10)), rng.standard_normal((3, 10))))
    Ms = net.random_weights(rng, batch=(3,))
    run = gradient_descent(net, Ms, [1e-3, 1.0, 50.0], 100, record_every=10)
    assert run.diverged.tolist() == [False, True, True]
    one = gradient_descent(net, [M[0] for M in Ms], 1e-3, 100, record_every=10)
    np.testing.assert_array_equal(run.values[:, 0], one.values)
    assert np.all(np.isnan(run.values[-1, 1:]))


def test_multi_tower_weights_keep_their_structure():
    rng = np.random.default_rng(3)
    net = MultiTowerNetwork([[3, 2, 3], [3, 1, 1, 3]], Quadratic(rng.standard_normal((3, 10)),
                                                               rng.standard_normal((3, 10))))
    Ts = net.random_weights(rng)
    run = gradient_descent(net, Ts, 1e-2, 5)
    G = net.gradient(Ts)
    step1 = gradient_descent(net, Ts, 1e-2, 1)
    assert [len(T) for T in run.weights] == [2, 3]
    for T, GT, S in zip(Ts, G, step1.weights):
        for M, g, s in zip(T, GT, S):
            np.testing.assert_array_equal(s, M - 1e-2 * g)


@pytest.mark.parametrize("h", [STRICT_SADDLE, FLAT_SADDLE])
def test_the_path_on_a_two_variable_landscape(h):
    starts = np.array([[0.5, 1e-3], [0.5, 1e-1]])
    run = gradient_descent(h, [starts], 0.2, 300, metrics={"path": lambda p: p})
    x, path = starts.copy(), [starts]
    for _ in range(300):
        x = x - 0.2 * h.gradient(x)
        path.append(x)
    np.testing.assert_array_equal(run.metrics["path"], np.array(path))
    np.testing.assert_array_equal(run.values, h.value(np.array(path)))
    diverging = gradient_descent(h, [np.array([[0.5, 0.5], [0.5, 3.0]])], [0.1, 1.5], 100, record_every=10)
    assert diverging.diverged.tolist() == [False, True]


class Bowl:
    """A model written against the protocol only: 1/2 sum a x^2."""

    n_params = 3
    shapes = ((3,),)

    def __init__(self, a):
        self.a = np.asarray(a, dtype=float)

    def value(self, w):
        return 0.5 * np.sum(self.a * w[0] ** 2, axis=-1)

    def gradient(self, w):
        return [self.a * w[0]]

    def hessian_vector_product(self, w, v):
        return [self.a * v[0]]

    def pack(self, w):
        return np.asarray(w[0], dtype=float)

    def unpack(self, theta):
        return [np.asarray(theta, dtype=float)]


def test_any_model_of_the_protocol():
    bowl = Bowl([1.0, 2.0, 3.0])
    run = gradient_descent(bowl, [np.ones((2, 3))], [0.1, 0.2], 10, target=0.1, stop_when_all_hit=False)
    np.testing.assert_allclose(run.weights[0], np.ones((2, 3)) * (1 - np.array([[0.1], [0.2]]) * bowl.a) ** 10,
                               rtol=1e-14)
    assert np.all(run.hit > 0)
    with pytest.raises(ValueError, match="weights\\[0\\]"):
        gradient_descent(bowl, [np.ones(4)], 0.1, 3)


def test_a_metric_named_like_a_recorded_term_is_refused():
    p, rng = shallow()
    with pytest.raises(ValueError, match="metrics"):
        gradient_descent(p, p.random_weights(rng), 0.1, 3, metrics={"f": p.f})


# ---- moved from the former test_helpers.py / test_training.py
def test_batched_gradient_descent_equals_one_start_at_a_time():
    p, rng = make_problem(4, 3, 5, 6, 0.3, 8)
    W1, W2 = p.random_weights(rng, scale=0.2, batch=(3,))
    run = gradient_descent(p, (W1, W2), step=1e-3, n_steps=50, record_every=7)
    assert list(run.steps) == [0, 7, 14, 21, 28, 35, 42, 49, 50]
    for b in range(3):
        A1, A2 = W1[b].copy(), W2[b].copy()
        for _ in range(50):
            G1, G2 = p.gradient(A1, A2)
            A1, A2 = A1 - 1e-3 * G1, A2 - 1e-3 * G2
        np.testing.assert_allclose(run.weights[0][b], A1, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(run.weights[1][b], A2, rtol=1e-12, atol=1e-14)
        assert run.values[-1, b] == pytest.approx(p.value(A1, A2), rel=1e-12)
    np.testing.assert_allclose(run.values, run.f + 0.25 * p.mu * run.rho)


def test_gradient_descent_with_the_curvature_step_reaches_the_minimum():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((5, 40)) / np.sqrt(40)
    from landscape.models.shallow import ShallowProblem

    p = ShallowProblem(X, rng.standard_normal((4, 40)), hidden=2, mu=0.5)
    step = step_from_curvature(p)
    run = gradient_descent(p, p.random_weights(rng, scale=0.1, batch=(4,)), step, 3000, record_every=100)
    assert np.all(np.diff(run.values, axis=0) <= 1e-12)  # monotone
    np.testing.assert_allclose(run.values[-1], p.global_minimum(), rtol=1e-8)


def test_bad_step():
    p, rng = make_problem(2, 2, 2, 1, 0.0, 0)
    with pytest.raises(ValueError, match="step must be a positive"):
        gradient_descent(p, p.random_weights(rng), step=-1.0, n_steps=3)


def test_gradient_descent_on_a_stack_equals_each_problem():
    st, ps = stack_of(3, 2, 4, 0.25, range(3))
    W1, W2 = st.random_weights(np.random.default_rng(2), scale=0.3)
    run = gradient_descent(st, (W1, W2), 2e-3, 40, record_every=10,
                           metrics={"mse": st.mse_objective})
    for b, p in enumerate(ps):
        one = gradient_descent(p, (W1[b], W2[b]), 2e-3, 40, record_every=10)
        np.testing.assert_allclose(run.weights[0][b], one.weights[0], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(run.values[:, b], one.values, rtol=1e-12)
    assert run.metrics["mse"].shape == (5, 3)
    np.testing.assert_allclose(run.metrics["mse"][-1], st.mse_objective(*run.weights))
    assert run.diverged is None


def test_a_grid_of_steps_equals_separate_runs_and_divergence_is_contained():
    p, rng = make_problem(3, 2, 3, 8, 0.2, 5)
    W1, W2 = p.random_weights(rng, scale=0.5, batch=(2,))
    steps = np.array([[1e-3], [3e-3], [1e3]])  # the last one diverges
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = gradient_descent(p, (W1, W2), steps, 30, record_every=5)
    assert run.weights[0].shape == (3, 2, 2, 3)
    for i in range(2):
        one = gradient_descent(p, (W1, W2), float(steps[i, 0]), 30, record_every=5)
        np.testing.assert_allclose(run.values[:, i], one.values, rtol=1e-12)
    assert run.diverged is not None and run.diverged[2].all() and not run.diverged[:2].any()
    assert np.all(np.isnan(run.values[-1, 2])) and np.all(np.isfinite(run.values[-1, :2]))


def test_gradient_descent_argument_errors():
    p, rng = make_problem(2, 2, 2, 1, 0.0, 0)
    W1, W2 = p.random_weights(rng)
    with pytest.raises(ValueError, match="step must be a positive"):
        gradient_descent(p, (W1, W2), step=[1e-3, 0.0], n_steps=3)
    with pytest.raises(TypeError, match="model must be a model"):
        gradient_descent("p", (W1, W2), 1e-3, 3)
    with pytest.raises(TypeError, match="metrics must be a dict"):
        gradient_descent(p, (W1, W2), 1e-3, 3, metrics={"a": 1})
