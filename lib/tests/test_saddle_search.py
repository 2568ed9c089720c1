"""Tests of landscape.studies.saddle_search (the damped Newton search for critical points of every kind, and
distinct points), landscape.theory.paper_a.ties.tie_rotations, and the errata entry on the rotation convention of
Appendix B (A17)."""

import numpy as np
import pytest

from landscape.theory.paper_a.lemma1 import (critical_point, critical_points,
    problem_with_spectrum)
from landscape.theory.paper_a.lemma2 import saddle_bound
from landscape.studies.conjecture import instance
from landscape.optim.critical_points import find_critical_points
from landscape.studies.saddle_search import (describe_points, distinct_points, near_saddle_starts,
                                     point_counts, product_residual, product_tolerance, search_tolerance)
from landscape.theory.paper_a.ties import _ry, _rz, tie_rotations


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


@pytest.fixture(scope="module")
def triple():
    return problem_with_spectrum([2.0, 2.0, 2.0, 1.0, 0.5], 5, 2, 5, 0.5, np.random.default_rng(12))


def test_tie_rotations_bounds_random_rotations(triple):
    """The certified maximum is above lambda_min at random rotations (a wrong certificate fails)."""
    block = np.arange(3)
    rng = np.random.default_rng(7)
    for support in [(0,), (0, 3), (1, 4), ()]:
        t = tie_rotations(triple, support, n=24)
        assert t.fit_residual < 1e-12 and t.symmetry_residual < 1e-12
        for _ in range(20):
            a, b, c = rng.uniform(0, 2 * np.pi, 3)
            P, Q = triple.P[:, :triple.rank_Y].copy(), triple.Q[:, :triple.rank_Y].copy()
            O = _rz(a) @ _ry(b) @ _rz(c)
            P[:, block], Q[:, block] = P[:, block] @ O, Q[:, block] @ O
            pt = critical_point(triple, support, basis=(P, Q))
            lam = np.linalg.eigvalsh(triple.hessian(pt.W1, pt.W2))[0]
            assert lam <= t.upper + 1e-10
        if support:
            assert t.upper <= saddle_bound(triple) and t.margin < 2.0


def test_tie_rotations_constant_when_the_block_is_unused(triple):
    t = tie_rotations(triple, (3, 4))
    assert t.used == 0 and t.grid_low == t.grid_high == t.upper


def test_errata_a17_rotation_convention():
    """A17: with W2 = Wt2 R^T (the convention of (12) and (22)), the proof's value -2 lambda_k of the
    Hessian form holds along Delta2 = p_k alpha^T R^T, Delta1 = R alpha q_k^T Sigma^-1 U^T, and not
    along the printed Delta2 = p_k alpha^T R, Delta1 = R^T alpha q_k^T Sigma^-1 U^T (R not symmetric)."""
    p = problem_with_spectrum([3.0, 2.0, 1.0], 3, 3, 3, 0.5, np.random.default_rng(1))
    rng = np.random.default_rng(2)
    R = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    c = critical_point(p, (0,), R=R)                # case i (r <= d1): k = 1, a zero column
    assert np.allclose(c.W2, (c.W2 @ R) @ R.T)
    Wt2 = c.W2 @ R                                   # (22): Wt2 = W2 R
    alpha = np.linalg.svd(Wt2)[2][-1]                # Wt2 alpha = 0
    k = 1
    pk, qk = p.P[:, k], p.Q[:, k]
    right = np.outer(pk, alpha) @ R.T, R @ np.outer(alpha, qk / p.sigma) @ p.U.T
    printed = np.outer(pk, alpha) @ R, R.T @ np.outer(alpha, qk / p.sigma) @ p.U.T
    H = p.hessian(c.W1, c.W2)
    form = lambda D2, D1: p.pack(D1, D2) @ H @ p.pack(D1, D2)      # noqa: E731
    assert abs(form(*right) - (-2 * p.lam[k])) < 1e-10
    assert abs(form(*printed) - (-2 * p.lam[k])) > 0.1


def test_errata_a18_omega_nonempty():
    """A18: in Case i of Appendix B, C minus X is the set with Y V - Wt2 Wt1 = sum over Omega, Omega
    NON-EMPTY: the element of C that uses all r pairs has Omega empty and is a global minimum (value
    at the minimum, PSD Hessian, zero residual), while every element with a non-empty Omega is a
    strict saddle."""
    p = problem_with_spectrum([3.0, 2.0, 1.0], 3, 4, 3, 0.5, np.random.default_rng(3))   # r = 3 <= d1
    for c in critical_points(p):
        omega = set(range(p.rank_Y)) - set(c.support)
        Mt = (c.W2 @ c.W1) @ (p.U * p.sigma)
        resid = p.Ytilde - Mt
        want = sum(p.lam[i] * np.outer(p.P[:, i], p.Q[:, i]) for i in omega) if omega else 0 * Mt
        assert np.allclose(resid, want, atol=1e-10)
        lam_min = np.linalg.eigvalsh(p.hessian(c.W1, c.W2))[0]
        if omega:
            assert lam_min < -0.1 and p.value(c.W1, c.W2) > p.global_minimum() + 0.1
        else:
            assert lam_min > -1e-10 and abs(p.value(c.W1, c.W2) - p.global_minimum()) < 1e-10
