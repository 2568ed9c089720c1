"""landscape.studies.saddle_search: the damped Newton search for critical points of every kind,
distinct points and point counts."""

import numpy as np
import pytest

from landscape.theory.paper_a.lemma1 import critical_point, critical_points
from landscape.studies.conjecture import instance
from landscape.optim.critical_points import find_critical_points
from landscape.studies.saddle_search import (describe_points, distinct_points, near_saddle_starts,
                                     point_counts, product_residual, product_tolerance, search_tolerance)


@pytest.fixture
def small():
    return instance(4, 2, 5, "gaussian", np.random.default_rng(3))


def test_newton_converges_to_critical_points_near_C(small):
    W1, W2, supports = near_saddle_starts(small, 6, np.random.default_rng(4), eps=0.25)
    assert all(len(S) <= small.d1 for S in supports)
    run = find_critical_points(small, W1, W2, max_iter=100, gtol=search_tolerance(small))
    assert run.converged.sum() >= 5 and run.gtol == search_tolerance(small)
    for i in np.flatnonzero(run.converged):
        # independent of the search's own stopping rule: the gradient and the product's residual
        assert small.gradient_norm(run.W1[i], run.W2[i]) <= run.gtol
        assert product_residual(small, run.W2[i] @ run.W1[i]) < 1e-6


def test_newton_finds_saddles_not_only_minima(small):
    W1, W2, _ = near_saddle_starts(small, 6, np.random.default_rng(5), eps=0.1)
    run = find_critical_points(small, W1, W2, max_iter=100, gtol=search_tolerance(small))
    _, pts = describe_points(small, run.W1[run.converged], run.W2[run.converged])
    assert point_counts(pts)["saddles"] >= 1


def _newton_mr(p, W1, W2, max_iter, gtol, damping=1e-3):
    """The per-start search newton_mr was (dense closed-form Hessian, reused on refusal)."""
    out1, out2 = np.array(W1, dtype=float), np.array(W2, dtype=float)
    gnorm, n_iter, n_eig = np.zeros(len(W1)), np.zeros(len(W1), dtype=int), np.zeros(len(W1), dtype=int)
    for b in range(len(W1)):
        theta = p.pack(out1[b], out2[b])
        grad = p.pack(*p.gradient(*p.unpack(theta)))
        gn, nu, floor, moved = float(np.linalg.norm(grad)), None, 0.0, True
        for _ in range(max_iter):
            if gn <= gtol:
                break
            if moved:
                h, V = np.linalg.eigh(p.hessian(*p.unpack(theta)))
                n_eig[b] += 1
                if nu is None:
                    scale = max(float(np.mean(h**2)), np.finfo(float).tiny)
                    nu, floor = damping * scale, 1e-30 * scale
            new = theta - V @ ((V.T @ grad) * h / (h * h + nu))
            g_new = p.pack(*p.gradient(*p.unpack(new)))
            gn_new = float(np.linalg.norm(g_new))
            n_iter[b] += 1
            moved = gn_new < gn
            if moved:
                theta, grad, gn, nu = new, g_new, gn_new, max(nu / 3.0, floor)
            else:
                nu *= 4.0
                if nu > 1e36 * floor:
                    break
        out1[b], out2[b] = p.unpack(theta)
        gnorm[b] = gn
    return out1, out2, gnorm, n_iter, n_eig


@pytest.mark.parametrize("shape", [(4, 2, 5), (8, 4, 6)])
def test_find_critical_points_is_newton_mr(shape):
    """find_critical_points (batched) is the damped Newton search newton_mr was (one start at a
    time): the same steps, the same counts of steps and eigendecompositions, the same end
    points up to roundoff (the Hessian is assembled from products up to 48 parameters)."""
    p = instance(*shape, "gaussian", np.random.default_rng(3))
    W1, W2, _ = near_saddle_starts(p, 4, np.random.default_rng(4), eps=0.25)
    gtol = search_tolerance(p)
    run = find_critical_points(p, W1, W2, max_iter=100, gtol=gtol)
    A1, A2, gn, n_iter, n_eig = _newton_mr(p, W1, W2, 100, gtol)
    conv = gn <= gtol
    np.testing.assert_array_equal(run.converged, conv)
    np.testing.assert_allclose(run.W2 @ run.W1, A2 @ A1, atol=1e-8 * np.abs(A2 @ A1).max())
    assert np.all(np.abs(run.n_iter - n_iter) <= 2) and np.all(np.abs(run.n_eig - n_eig) <= 2)
    assert np.all(run.n_eig <= run.n_iter + 1)


def test_distinct_points_groups_by_product(small):
    pts = [critical_point(small, S, R=np.eye(2)) for S in [(0,), (1,), (0,)]]
    # the same support moved along f's symmetry keeps its product
    A = np.array([[2.0, 1.0], [0.0, 0.5]])
    W1 = np.stack([pts[0].W1, pts[1].W1, A @ pts[2].W1])
    W2 = np.stack([pts[0].W2, pts[1].W2, pts[2].W2 @ np.linalg.inv(A)])
    labels, described = describe_points(small, W1, W2)
    assert list(labels) == [0, 1, 0] and [q["count"] for q in described] == [2, 1]
    # the index is the same along the orbit (Sylvester's law of inertia)
    assert all(len(q["index"]) == 1 and q["index"][0] >= 1 for q in described)
    assert list(distinct_points((W2 @ W1)[:2], 0.0)) == [0, 1]
    assert product_tolerance(small) > 0


def test_product_residual_fails_off_critical_points(small):
    W1, W2 = small.random_weights(np.random.default_rng(6))
    assert product_residual(small, W2 @ W1) > 1e-3
    for c in critical_points(small):
        assert product_residual(small, c.W2 @ c.W1) < 1e-12


def test_point_counts():
    pts = [{"index": [0], "excess": 0.0}, {"index": [3], "excess": 0.2}, {"index": [3, 4], "excess": 0.1},
           {"index": [1], "excess": 0.3}]
    assert point_counts(pts) == {"points": 4, "minima": 1, "saddles": 3, "indices": {1: 1, 3: 2}}
