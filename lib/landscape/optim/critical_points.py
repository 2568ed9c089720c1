r"""Searching for critical points of f and g numerically, and sorting what is found.

A descent method finds minima; to find *every kind* of critical point (saddles too) one can
instead minimize the squared gradient norm

.. math::
    \phi(W) &= \tfrac12 \|\nabla g(W)\|_F^2, \\
    \nabla\phi(W) &= \nabla^2 g(W)\,\nabla g(W),

whose zeros are exactly the critical points of g (of f when ``mu = 0``). Its gradient is one
Hessian-vector product, computed here for many starts at once (the products of
:meth:`landscape.models.shallow.ShallowProblem.hessian_vector_product`, with leading batch axes).
Minimizing phi can also end at a local minimum of phi that is not a zero; those are reported
by their gradient norm and discarded.

A point found this way is sorted with the dense Hessian (:func:`~landscape.optim.curvature.classify`): a *strict saddle*
has an eigenvalue below ``-tol``; a point with no such eigenvalue is a *second-order
critical point*, which is a global minimum if its value is the global minimum value, and
otherwise a candidate spurious local minimum (or a non-strict saddle), which
:func:`~landscape.studies.conjecture.escapes` then tests by descending from small perturbations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_matrix, as_nonnegative_float, as_positive_int, check_dense
from ..models.shallow import (
    ProblemStack,
    ShallowProblem,
    check_problem,
    gradient_kernel,
    hvp_kernel,
    invariants,
)
from ..optim.lbfgs import minimize_lbfgs

__all__ = ['Search', 'SearchResult', 'find_critical_points', 'minimize_gradient_norm']


@dataclass(frozen=True)
class Search:
    """Outcome of :func:`minimize_gradient_norm`, one entry per start.

    Attributes
    ----------
    W1, W2 : ndarray
        Where each minimization of ``phi`` ended.
    grad_norm : ndarray
        ``||grad g||`` there; a critical point when it is at roundoff level.
    value : ndarray
        ``g`` there.
    n_iter : ndarray of int
    """

    W1: np.ndarray
    W2: np.ndarray
    grad_norm: np.ndarray
    value: np.ndarray
    n_iter: np.ndarray


def minimize_gradient_norm(problem, W1, W2, max_iter: int = 2000, memory: int = 20) -> Search:
    """Minimize ``phi = 1/2 ||grad g||^2`` from every start at once (batched L-BFGS,
    :func:`landscape.optim.lbfgs.minimize_lbfgs`), and report where each run ended.

    Refuses a ``problem`` of another type, weights of the wrong shapes or with NaN, infinite
    or non-real entries, and ``max_iter``, ``memory`` that are not integers >= 1."""
    max_iter, memory = as_positive_int("max_iter", max_iter), as_positive_int("memory", memory)
    if not isinstance(problem, (ShallowProblem, ProblemStack)):
        raise TypeError(f"problem must be a ShallowProblem or a ProblemStack; got {type(problem).__name__}")
    W1, W2 = problem.as_weights(W1, W2)
    data, mu = invariants(problem), problem.mu
    batch = W1.shape[:-2]
    (d1, d0), d2 = W1.shape[-2:], W2.shape[-2]
    n1 = d1 * d0

    def split(v):
        return v[..., :n1].reshape(*batch, d1, d0), v[..., n1:].reshape(*batch, d2, d1)

    def join(A1, A2):
        return np.concatenate([A1.reshape(*batch, n1), A2.reshape(*batch, -1)], axis=-1)

    def fun(v):
        A1, A2 = split(v)
        G1, G2 = gradient_kernel(data, mu, A1, A2)
        H1, H2 = hvp_kernel(data, mu, A1, A2, G1, G2)
        phi = 0.5 * (np.sum(G1 * G1, axis=(-2, -1)) + np.sum(G2 * G2, axis=(-2, -1)))
        return phi, join(H1, H2), phi[..., None]

    res = minimize_lbfgs(fun, join(W1, W2), memory=memory, max_iter=max_iter,
                         max_fev=4 * max_iter)
    A1, A2 = split(res.x)
    G1, G2 = gradient_kernel(data, mu, A1, A2)
    gnorm = np.sqrt(np.sum(G1 * G1, axis=(-2, -1)) + np.sum(G2 * G2, axis=(-2, -1)))
    value = problem.value(A1, A2)
    return Search(A1.copy(), A2.copy(), gnorm, np.asarray(value), res.n_iter)


@dataclass(frozen=True)
class SearchResult:
    """Outcome of :func:`find_critical_points` (one entry per start).

    Attributes
    ----------
    W1, W2 : ndarray
        Final weights, shapes ``(B, d1, d0)`` and ``(B, d2, d1)``.
    grad_norm : ndarray (B,)
        Final ``||grad||_F``.
    converged : ndarray of bool (B,)
        ``grad_norm <= gtol``.
    n_iter : ndarray of int (B,)
        Steps taken by each start, accepted or refused.
    n_eig : ndarray of int (B,)
        Dense Hessian eigendecompositions used (the first, then one per accepted step: a
        refused step reuses the last one).
    gtol : float
        The tolerance used.
    """

    W1: np.ndarray
    W2: np.ndarray
    grad_norm: np.ndarray
    converged: np.ndarray
    n_iter: np.ndarray
    n_eig: np.ndarray
    gtol: float


def find_critical_points(problem: ShallowProblem, W1, W2, max_iter: int = 200, gtol=None,
                         damping: float = 1e-3) -> SearchResult:
    r"""Solve ``grad g(W) = 0`` from a batch of starts (Levenberg-Marquardt, batched): damped
    Newton steps, each the minimal-residual (least-squares) step with damping ``lambda``.

    The gradient is a map from the ``n`` parameters to ``R^n`` whose Jacobian is the
    Hessian ``H``; each start takes damped Gauss-Newton steps

    .. math::
        \delta = -(H^2 + \lambda I)^{-1} H \nabla g ,

    computed in the eigenbasis of the dense Hessian (one eigendecomposition per point,
    reused when a step is refused), accepted when ``||grad g||`` decreases (then
    ``lambda <- lambda / 3``), refused otherwise (``lambda <- 4 lambda``). Unlike a descent method on g it converges to critical points
    of every kind (minima, saddles), the nearest ones first, and ``H`` may be singular (the
    rotation symmetry makes it so at every critical point of g). Starts that end at a
    point where ``||grad g||`` stalls above ``gtol`` (a local minimum of ``||grad g||^2``
    that is not a critical point) are reported as not converged.

    Parameters
    ----------
    problem : ShallowProblem
        ``mu = 0`` searches critical points of f.
    W1, W2 : array_like
        Starts with one leading batch axis: shapes ``(B, d1, d0)``, ``(B, d2, d1)``.
    max_iter : int
        Iterations per start.
    gtol : float, optional
        Convergence threshold on ``||grad||_F``; default ``1e-10 * ||Y X^T||_F``.
    damping : float
        Initial ``lambda`` relative to the mean of ``diag(H^2)`` at each start.

    Returns
    -------
    SearchResult

    >>> import numpy as np
    >>> from landscape import ShallowProblem
    >>> p = ShallowProblem(np.eye(2), np.diag([2.0, 1.0]), 1)
    >>> W1, W2 = p.random_weights(np.random.default_rng(0), batch=(3,))
    >>> bool(find_critical_points(p, W1, W2).converged.all())
    True

    Refuses a ``problem`` that is not a :class:`~landscape.models.shallow.ShallowProblem`,
    starts of the wrong shapes, or with NaN, infinite or non-real entries, a ``max_iter``
    that is not an integer >= 1, a negative or non-finite ``gtol`` or ``damping``, and a
    batch of dense Hessians above the dense-size limit.
    """
    from ..optim.curvature import hessians

    problem = check_problem(problem)
    W1 = as_matrix("W1", W1, ndim=3)
    W2 = as_matrix("W2", W2, ndim=3)
    problem.as_weights(W1, W2)  # shapes
    check_dense("W1, W2", problem.n_params, count=W1.shape[0], what="batch of dense Hessians")
    max_iter = as_positive_int("max_iter", max_iter)
    damping = as_nonnegative_float("damping", damping)
    if gtol is None:
        gtol = 1e-10 * max(float(np.linalg.norm(problem.YXt)), np.finfo(np.float64).tiny)
    gtol = as_nonnegative_float("gtol", gtol)
    B = W1.shape[0]

    def pack(A1, A2):
        return np.concatenate([A1.reshape(A1.shape[0], -1), A2.reshape(A2.shape[0], -1)], axis=1)

    def grad(theta):
        return pack(*problem.gradient(*problem.unpack(theta)))

    theta = pack(W1, W2)
    G = grad(theta)
    gn = np.linalg.norm(G, axis=1)
    lam = np.full(B, np.nan)  # damping, set at the first iteration of each start
    floor = np.zeros(B)  # lambda stays within [1e-30, 1e6] x its scale
    n_iter = np.zeros(B, dtype=int)
    n_eig = np.zeros(B, dtype=int)
    stalled = np.zeros(B, dtype=bool)
    n = problem.n_params
    h_all, Q_all = np.zeros((B, n)), np.zeros((B, n, n))
    moved = np.ones(B, dtype=bool)     # the eigendecomposition at theta is still to compute
    for _ in range(max_iter):
        active = np.flatnonzero((gn > gtol) & ~stalled)
        if active.size == 0:
            break
        th = theta[active]
        fresh_eig = active[moved[active]]
        if fresh_eig.size:
            h_all[fresh_eig], Q_all[fresh_eig] = np.linalg.eigh(
                hessians(problem, *problem.unpack(theta[fresh_eig])))
            n_eig[fresh_eig] += 1
        h, Qh = h_all[active], Q_all[active]
        la = lam[active]
        fresh = np.isnan(la)
        if fresh.any():
            scale = np.maximum(np.mean(h[fresh] ** 2, axis=1), np.finfo(np.float64).tiny)
            floor[active[fresh]] = 1e-30 * scale
            la[fresh] = damping * scale
        # delta = -(H^2 + lambda I)^-1 H grad, in H's eigenbasis (never singular)
        coef = np.einsum("aji,aj->ai", Qh, G[active])
        delta = np.einsum("aij,aj->ai", Qh, -coef * h / (h * h + la[:, None]))
        new = th + delta
        Gn = grad(new)
        gnn = np.linalg.norm(Gn, axis=1)
        ok = gnn < gn[active]
        idx = active[ok]
        theta[idx], G[idx], gn[idx] = new[ok], Gn[ok], gnn[ok]
        moved[active] = ok
        lam[active] = np.maximum(np.where(ok, la / 3.0, la * 4.0), floor[active])
        stalled[active] = lam[active] > 1e36 * floor[active]
        n_iter[active] += 1
    W1f, W2f = problem.unpack(theta)
    return SearchResult(W1f, W2f, gn, gn <= gtol, n_iter, n_eig, gtol)
