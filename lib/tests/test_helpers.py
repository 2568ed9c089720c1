"""The smaller modules: 2-D landscapes, gradient descent, L-BFGS, widgets, display."""

import numpy as np
import pytest

from landscape.book.display import small
from landscape.optim.descent import gradient_descent
from landscape.optim.lbfgs import lbfgs
from landscape.optim.curvature import step_from_curvature

from conftest import make_problem
from landscape.models.toy2d import FLAT_SADDLE, MONKEY_SADDLE, STRICT_SADDLE
from landscape.optim.curvature import classify


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


def test_classify():
    assert classify([-1.0, 2.0]) == "strict saddle"
    assert classify([1.0, 2.0]) == "local minimum"
    assert classify([0.0, 2.0]) == "inconclusive (PSD)"
    # with a value: the value decides among second-order points, the eigenvalues first
    assert classify([0.0, 2.0], value_gap=1e-9, value_tol=1e-8) == "global minimum"
    assert classify([-1.0, 2.0], value_gap=0.0) == "strict saddle"
    assert classify([1.0, 2.0], value_gap=1.0, value_tol=1e-8) == "local minimum"
    assert classify([0.0, 2.0], value_gap=1.0, value_tol=1e-8) == "inconclusive (PSD)"
    # separate tolerances: eigenvalues within tol are zero, whatever value_tol is
    assert classify([-1e-9, 2.0], tol=1e-8, value_gap=1.0, value_tol=0.0) == "inconclusive (PSD)"


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


def test_lbfgs_reaches_the_minimum_and_reports_its_gradient():
    p, rng = make_problem(4, 2, 3, 10, 0.25, 4)
    res = lbfgs(p, p.random_weights(rng))
    assert res.value == pytest.approx(p.global_minimum(), rel=1e-9)
    assert res.grad_norm < 1e-6 and res.n_iter > 0


def test_bad_step():
    p, rng = make_problem(2, 2, 2, 1, 0.0, 0)
    with pytest.raises(ValueError, match="step must be a positive"):
        gradient_descent(p, *p.random_weights(rng), step=-1.0, n_steps=3)


def test_small():
    assert small(3e-15) == "< 1e-12"
    assert small(-0.0) == "< 1e-12"
    assert small(4.56e-3) == "4.6e-03"
    assert small(2e-8, floor=1e-6) == "< 1e-06"


def test_static_explorer_structure():
    w = pytest.importorskip("ipywidgets")
    import matplotlib

    matplotlib.use("Agg")
    from landscape.book.widgets import grid, static_explorer

    calls = []
    box = static_explorer(lambda a, b: calls.append((a, b)), {"a": [1, 2], "b": [0.1, 0.2, 0.3]},
                          initial={"b": 0.2})
    assert calls == [(a, b) for a in (1, 2) for b in (0.1, 0.2, 0.3)]
    buttons, stack = box.children
    assert isinstance(buttons, w.ToggleButtons) and isinstance(stack, w.Stack)
    assert len(stack.children) == 2
    slider, inner = stack.children[0].children
    assert isinstance(slider, w.SelectionSlider) and len(inner.children) == 3
    assert inner.selected_index == 1 and slider.index == 1
    slider.index = 2  # jslink works in the browser; here only the structure is checked
    # the second parameter's sliders of all pages are linked (switching "a" keeps "b")
    other = stack.children[1].children[0]
    from ipywidgets.widgets.widget_link import Link
    active = getattr(w.Widget, "_active_widgets", None) or w.Widget.widgets
    links = [x for x in active.values() if isinstance(x, Link)
             and {x.source[0], x.target[0]} == {slider, other}]
    assert len(links) == 1 and {x.source[1] for x in links} == {"index"}
    assert len(grid({"a": [1, 2], "b": [3]})) == 2
    with pytest.raises(ValueError, match="one or two parameters"):
        static_explorer(lambda: None, {})


def test_value_or_range():
    from landscape.book.display import value_or_range

    assert value_or_range([1.0, 1.0 + 1e-13]) == "1.0000"
    assert value_or_range([2.0, 1.0], ".1f") == "1.0 to 2.0"
    assert value_or_range(np.array([[3.0], [3.0]]), ".2f", "-") == "3.00"
    assert value_or_range([-1e-16]) == "0.0000"
    with pytest.raises(ValueError, match="empty"):
        value_or_range([])
