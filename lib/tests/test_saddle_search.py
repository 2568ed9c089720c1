"""landscape.studies.saddle_search: the damped Newton search for critical points of every kind,
distinct points and point counts."""

import numpy as np
import pytest

from landscape.theory.paper_a.lemma1 import critical_point, critical_points
from landscape.studies.conjecture import instance
from landscape.studies.saddle_search import (describe_points, distinct_points, near_saddle_starts, newton_mr,
                                     point_counts, product_residual, product_tolerance)


@pytest.fixture
def small():
    return instance(4, 2, 5, "gaussian", np.random.default_rng(3))


def test_newton_converges_to_critical_points_near_C(small):
    W1, W2, supports = near_saddle_starts(small, 6, np.random.default_rng(4), eps=0.25)
    assert all(len(S) <= small.d1 for S in supports)
    run = newton_mr(small, W1, W2)
    assert run.converged.sum() >= 5
    for i in np.flatnonzero(run.converged):
        # independent of the search's own stopping rule: the gradient and the product's residual
        assert small.gradient_norm(run.W1[i], run.W2[i]) <= run.gtol
        assert product_residual(small, run.W2[i] @ run.W1[i]) < 1e-6


def test_newton_finds_saddles_not_only_minima(small):
    W1, W2, _ = near_saddle_starts(small, 6, np.random.default_rng(5), eps=0.1)
    run = newton_mr(small, W1, W2)
    _, pts = describe_points(small, run.W1[run.converged], run.W2[run.converged])
    assert point_counts(pts)["saddles"] >= 1


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
