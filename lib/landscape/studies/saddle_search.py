r"""A search for critical points of every kind for shapes up to paper A's own sizes (450 and 600
parameters; there it converges from starts near C, not always from random starts), and the
bookkeeping of *distinct* critical points.

Minimizing ``1/2 ||grad f||^2`` with L-BFGS (:func:`landscape.optim.critical_points.minimize_gradient_norm`)
slows down near f's critical points, which come in whole manifolds where the Hessian is
singular. The study takes damped Newton (Levenberg-Marquardt) steps on the system
``grad f(W) = 0`` instead (:func:`landscape.optim.critical_points.find_critical_points`, with
the threshold :func:`search_tolerance`): its zeros are the critical points of every kind, so
it converges to saddles as readily as to minima, and the damping keeps the steps bounded
where ``H`` is singular.

:func:`near_saddle_starts` builds starts near the saddles of Lemma 1's set C (elements of C
with a random support, a random rotation, moved off the balanced set along f's symmetry
``(A W1, W2 A^-1)`` and perturbed): a search from there may come back to the saddle's orbit
or reach another critical point.

:func:`distinct_points` groups end points by their end-to-end product ``W2 W1`` (which fixes
the value of f), :func:`describe_points` describes each distinct point (value, index, product)
and :func:`product_residual` checks that a stored product is the product of a critical point.

For example, two end points whose products differ by roundoff are one critical point:

>>> import numpy as np
>>> distinct_points(np.array([[[1.0]], [[1.0 + 1e-12]], [[2.0]]]), tol=1e-6)
array([0, 0, 1])
"""

from __future__ import annotations


import numpy as np

from .. import canonical
from .._checks import (as_generator, as_nonnegative_float, as_positive_float, as_positive_int, check_array,
                      check_dense)
from ..models.shallow import ShallowProblem

__all__ = ["describe_points", "distinct_points", "near_saddle_starts", "point_counts", "product_residual",
           "product_tolerance", "search_tolerance"]


def _check_p(p):
    if not isinstance(p, ShallowProblem):
        raise TypeError(f"p must be a ShallowProblem; got {type(p).__name__}")
    return p


def search_tolerance(p: ShallowProblem) -> float:
    """The study's convergence threshold on ``||grad f||_F`` for
    :func:`~landscape.optim.critical_points.find_critical_points`: ``1e-9 ||X X^T||_max
    ||Y X^T||_max`` (the rule of :mod:`landscape.studies.conjecture`). Refuses a ``p`` that is
    not a :class:`~landscape.models.shallow.ShallowProblem`."""
    p = _check_p(p)
    return 1e-9 * float(np.abs(p.XXt).max() * np.abs(p.YXt).max())


def near_saddle_starts(p: ShallowProblem, n_starts: int, rng, eps: float = 0.5):
    """Starts near saddles of Lemma 1's set C, with their supports.

    Each start takes an element of C (:func:`landscape.theory.paper_a.lemma1.critical_point`) whose support
    is drawn at random among those that are not global minima (size uniform in
    ``0..min(d1, r)``, then the indices uniformly), with a random rotation ``R``; moves it to
    ``(A W1, W2 A^-1)`` with ``A = Q1 diag(e^(z/2)) Q2`` (random rotations, ``z`` standard
    normal), which leaves f and the kind of the point unchanged; and adds Gaussian noise of
    Frobenius norm ``eps`` times the norm of the balanced global minimizer.

    Returns ``(W1, W2, supports)``: batches of starts and the list of supports.

    Refuses a ``p`` that is not a :class:`~landscape.models.shallow.ShallowProblem`, an ``n_starts``
    that is not an integer >= 1, an ``rng`` that is not a Generator and an ``eps`` that is
    not positive and finite.
    """
    from ..theory.paper_a.lemma1 import critical_point, is_global_support

    p = _check_p(p)
    n_starts = as_positive_int("n_starts", n_starts)
    as_generator("rng", rng)
    eps = as_positive_float("eps", eps)
    r, d1 = p.rank_Y, p.d1
    M1, M2 = p.balanced_minimizer()
    scale = float(np.sqrt(np.sum(M1**2) + np.sum(M2**2)))
    W1 = np.empty((n_starts, d1, p.d0))
    W2 = np.empty((n_starts, p.d2, d1))
    supports = []
    while len(supports) < n_starts:
        k = int(rng.integers(0, min(d1, r) + 1))
        S = tuple(sorted(int(j) for j in rng.choice(r, size=k, replace=False)))
        if is_global_support(p, S):
            continue
        R = canonical.orthonormal(rng.standard_normal((d1, d1)))
        c = critical_point(p, S, R=R)
        Q1 = canonical.orthonormal(rng.standard_normal((d1, d1)))
        Q2 = canonical.orthonormal(rng.standard_normal((d1, d1)))
        z = 0.5 * rng.standard_normal(d1)
        A, A_inv = (Q1 * np.exp(z)) @ Q2, Q2.T @ (Q1.T * np.exp(-z)[:, None])
        N1, N2 = rng.standard_normal(c.W1.shape), rng.standard_normal(c.W2.shape)
        s = eps * scale / np.sqrt(np.sum(N1**2) + np.sum(N2**2))
        i = len(supports)
        W1[i], W2[i] = A @ c.W1 + s * N1, c.W2 @ A_inv + s * N2
        supports.append(S)
    return W1, W2, supports


def product_tolerance(p: ShallowProblem, rtol: float = 1e-6) -> float:
    """The tolerance on ``||W2 W1 - W2' W1'||_F`` under which two end points count as the
    same critical point: ``rtol`` times the norm of the least-squares product ``Y X^+``
    (the global minimizer's product when ``d1 >= rank``). Refuses a non-positive ``rtol``."""
    p = _check_p(p)
    rtol = as_positive_float("rtol", rtol)
    M = np.linalg.lstsq(p.X.T, p.Y.T, rcond=None)[0].T
    return rtol * max(float(np.linalg.norm(M)), np.finfo(float).tiny)


def distinct_points(products, tol: float) -> np.ndarray:
    """Group products ``W2 W1`` (leading batch axis) by distance: a label per product, the
    same label when ``||M - M'||_F <= tol`` to the first member of a group (greedy, in
    order). Labels are ``0, 1, ...`` in order of first appearance. Refuses a batch that is
    not a 3-d array of finite reals and a negative ``tol``."""
    M = check_array("products", products, ndim=3, allow_empty=True)
    tol = as_nonnegative_float("tol", tol)
    flat = np.asarray(M, dtype=float).reshape(len(M), int(np.prod(M.shape[1:])))
    reps, labels = [], np.empty(len(flat), dtype=int)
    for i, m in enumerate(flat):
        for k, rep in enumerate(reps):
            if np.linalg.norm(m - rep) <= tol:
                labels[i] = k
                break
        else:
            labels[i] = len(reps)
            reps.append(m)
    return labels


def describe_points(p: ShallowProblem, W1, W2, rtol: float = 1e-6, digits: int = 6):
    """The distinct critical points among end points ``(W1, W2)`` (leading batch axis; all
    critical), grouped by product (:func:`distinct_points` with :func:`product_tolerance`
    ``(p, rtol)``).

    Returns ``(labels, points)``: a label per end point, and per distinct point a dict with
    ``"count"`` (end points in the group), ``"excess"`` (``(f - min f) / (1/2 ||Y||^2)`` at the
    first member), ``"index"`` (sorted list of the numbers of Hessian eigenvalues below
    ``-1e-7 scale`` over the members, ``scale = ||X X^T||_max ||Y X^T||_max``; one entry when
    they agree), ``"lam_min"`` (smallest relative eigenvalue over the members) and
    ``"product"`` (``W2 W1`` of the first member, rows as lists, rounded to ``digits``
    significant digits).

    Refuses a ``p`` that is not a :class:`~landscape.models.shallow.ShallowProblem` (or whose dense
    Hessian is above the dense-size limit), weights of the wrong shapes or with NaN,
    infinite or non-real entries, a non-positive ``rtol`` and a ``digits`` below 1."""
    p = _check_p(p)
    A1 = check_array("W1", W1, ndim=3, allow_empty=True)
    A2 = check_array("W2", W2, ndim=3, allow_empty=True)
    if len(A1):
        p.as_weights(A1, A2, check_only=True)
    if len(A1) != len(A2):
        raise ValueError(f"W1 and W2 must hold the same number of points; got {len(A1)} and {len(A2)}")
    check_dense("p", p.n_params, what="dense Hessian (to count negative eigenvalues)")
    digits = as_positive_int("digits", digits)
    g_scale = float(np.abs(p.XXt).max() * np.abs(p.YXt).max())
    v_scale = 0.5 * float(np.sum(p.Y**2))
    labels = distinct_points(A2 @ A1, product_tolerance(p, rtol))
    points = []
    for k in range(int(labels.max()) + 1 if len(labels) else 0):
        members = np.flatnonzero(labels == k)
        lams = [np.linalg.eigvalsh(p.hessian(A1[i], A2[i])) / g_scale for i in members]
        first = members[0]
        M = A2[first] @ A1[first]
        points.append({
            "count": int(len(members)),
            "excess": float((p.f(A1[first], A2[first]) - p.global_minimum()) / v_scale),
            "index": sorted({int(np.sum(lam < -1e-7)) for lam in lams}),
            "lam_min": float(min(lam[0] for lam in lams)),
            "product": [[float(f"{x:.{digits}g}") for x in row] for row in M]})
    return labels, points


def product_residual(p: ShallowProblem, M) -> float:
    r"""How far a product ``M = W2 W1`` is from the product of a critical point of f.

    At a critical point, with ``Mt = M U Sigma`` and ``Ytilde = Y V``, the two blocks of the
    gradient are ``(Mt - Ytilde) Wt1^T = 0`` and ``W2^T (Mt - Ytilde) = 0`` (``Wt1 = W1 U
    Sigma``), so ``Mt (Mt - Ytilde)^T = 0`` and ``(Mt - Ytilde)^T Mt = 0``. Returns the larger
    Frobenius norm of the two, relative to ``||Ytilde||_F^2`` (roundoff at a critical point's
    product; the rounding of a stored product adds its relative precision). Refuses a ``p``
    that is not a :class:`~landscape.models.shallow.ShallowProblem` and an ``M`` that is not a
    finite real ``(d2, d0)`` matrix."""
    p = _check_p(p)
    M = check_array("M", M)
    if M.shape != (p.d2, p.d0):
        raise ValueError(f"M must have shape (d2, d0) = ({p.d2}, {p.d0}); got {M.shape}")
    Mt = M @ (p.U * p.sigma)
    E = Mt - p.Ytilde
    scale = max(float(np.sum(p.Ytilde**2)), np.finfo(float).tiny)
    return max(float(np.linalg.norm(Mt @ E.T)), float(np.linalg.norm(E.T @ Mt))) / scale


def point_counts(distinct) -> dict:
    """Counts over a list of distinct points (the dicts of :func:`describe_points`):
    ``"points"``, ``"minima"`` (index 0 and value at the minimum, relative ``1e-8``),
    ``"saddles"`` (an index >= 1) and ``"indices"`` (``{index: number of saddles}``; a point
    whose members disagree on the index counts under its smallest). Refuses a non-list."""
    if not isinstance(distinct, list):
        raise TypeError(f"distinct must be a list of dicts; got {type(distinct).__name__}")
    minima = sum(1 for q in distinct if q["index"][0] == 0 and q["excess"] <= 1e-8)
    indices = {}
    for q in distinct:
        if q["index"][0] >= 1:
            indices[q["index"][0]] = indices.get(q["index"][0], 0) + 1
    return {"points": len(distinct), "minima": minima, "saddles": sum(indices.values()),
            "indices": dict(sorted(indices.items()))}
