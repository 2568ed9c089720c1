"""Extreme eigenvalues of the Hessian of a :class:`~landscape.shallow.ShallowProblem`.

Two ways to the smallest eigenvalue ``lambda_min`` of the Hessian, the quantity that
decides whether a critical point is a strict saddle (Definition 2 of paper A):

* dense: assemble the Hessian in closed form and call ``numpy.linalg.eigvalsh``
  (``O(n^3)`` time, ``O(n^2)`` memory);
* matrix-free: Lanczos (ARPACK through ``scipy.sparse.linalg.eigsh``) on Hessian-vector
  products, each costing a few small matrix products and no ``n x n`` array.

:func:`smallest_eigenvalue` picks the dense path up to :data:`DENSE_MAX` parameters and the
matrix-free one above; the threshold is the crossover measured by ``bench/eigen.py``.

Many small problems at once: :func:`hessian_vector_products` and :func:`hessians` accept
weights with leading batch axes (one point per batch entry), and
:func:`smallest_eigenvalues` returns ``lambda_min`` at all of them from one stacked
``eigvalsh``. This is how the book computes the Hessian spectrum at every element of
Lemma 1's set C, or at hundreds of points found by a numerical search, in one call.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

from .shallow import ShallowProblem

__all__ = [
    "BATCH_HVP_MAX",
    "DENSE_MAX",
    "hessian_operator",
    "hessian_vector_products",
    "hessians",
    "smallest_eigenvalue",
    "smallest_eigenvalues",
]

#: Largest number of parameters for which :func:`smallest_eigenvalue` uses the dense path
#: by default (measured crossover on 2 cores; see ``bench/eigen.py``).
DENSE_MAX = 1000


def hessian_operator(problem: ShallowProblem, W1, W2) -> LinearOperator:
    """The Hessian at ``(W1, W2)`` as a symmetric ``LinearOperator`` (matrix-free)."""
    if not isinstance(problem, ShallowProblem):
        raise TypeError(f"problem must be a ShallowProblem; got {type(problem).__name__}")
    W1, W2 = problem._weights(W1, W2, batch=False)
    n = problem.n_params

    def matvec(v):
        V1, V2 = problem.unpack(np.ravel(v))
        H1, H2 = problem.hessian_vector_product(W1, W2, V1, V2)
        return np.concatenate([H1.ravel(), H2.ravel()])

    return LinearOperator((n, n), matvec=matvec, rmatvec=matvec, dtype=np.float64)


def smallest_eigenvalue(problem: ShallowProblem, W1, W2, method: str = "auto", tol: float = 1e-10,
                        seed: int = 0) -> float:
    """Smallest eigenvalue of the Hessian of ``problem.value`` at ``(W1, W2)``.

    Parameters
    ----------
    method : {"auto", "dense", "lanczos"}
        ``"auto"`` is dense for ``n_params <= DENSE_MAX`` and Lanczos above.
    tol : float
        Relative accuracy asked of ARPACK (Lanczos only).
    seed : int
        Seed of the Lanczos start vector (results are deterministic for a given seed).
    """
    if method not in ("auto", "dense", "lanczos"):
        raise ValueError(f"method must be 'auto', 'dense' or 'lanczos'; got {method!r}")
    n = problem.n_params
    if method == "dense" or (method == "auto" and n <= DENSE_MAX) or n < 3:
        return float(np.linalg.eigvalsh(problem.hessian(W1, W2))[0])
    op = hessian_operator(problem, W1, W2)
    v0 = np.random.default_rng(seed).standard_normal(n)
    ncv = min(n - 1, 40)
    try:
        vals = eigsh(op, k=1, which="SA", v0=v0, tol=tol, ncv=ncv, maxiter=50 * n,
                     return_eigenvectors=False)
    except ArpackNoConvergence as exc:  # pragma: no cover - reported, not hidden
        raise RuntimeError(f"Lanczos did not converge for n = {n} (tol = {tol}): {exc}") from exc
    return float(vals[0])


def _mT(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def _check(problem) -> ShallowProblem:
    if not isinstance(problem, ShallowProblem):
        raise TypeError(f"problem must be a ShallowProblem; got {type(problem).__name__}")
    return problem


def hessian_vector_products(problem: ShallowProblem, W1, W2, V1, V2):
    r"""Hessian-vector products ``H(W) V`` with batch axes (broadcast between W and V).

    :meth:`~landscape.shallow.ShallowProblem.hessian_vector_product` (the directional
    derivative of the gradient (18)-(19) along ``(V1, V2)``), which takes batch axes:
    ``W1`` of shape ``(..., d1, d0)`` and ``V1`` of shape ``(..., d1, d0)`` broadcast
    against each other (likewise ``W2``, ``V2``).

    Returns
    -------
    (H1, H2) : ndarray
        The two blocks of ``H v``, with the broadcast batch shape.
    """
    return _check(problem).hessian_vector_product(W1, W2, V1, V2)


#: Largest number of parameters for which :func:`hessians` assembles a batch of Hessians
#: from batched Hessian-vector products; above it, the closed-form
#: :meth:`~landscape.shallow.ShallowProblem.hessian` point by point is faster (crossover measured by
#: ``bench/critical.py``).
BATCH_HVP_MAX = 48


def hessians(problem: ShallowProblem, W1, W2) -> np.ndarray:
    """Dense Hessians at a batch of points: shape ``(*batch, n, n)``, ``n = n_params``.

    ``W1`` has shape ``(*batch, d1, d0)`` and ``W2`` ``(*batch, d2, d1)`` (no batch axis
    gives one ``(n, n)`` Hessian, equal to :meth:`~landscape.shallow.ShallowProblem.hessian`). Up to
    :data:`BATCH_HVP_MAX` parameters, column ``j`` of every Hessian is the Hessian-vector
    product with the ``j``-th unit vector, all columns and all points in one batched
    evaluation (then symmetrized); above it, the closed-form Hessian is assembled point by
    point. Memory ``batch x n^2``.
    """
    problem = _check(problem)
    W1, W2 = problem._weights(W1, W2)
    n, n1 = problem.n_params, problem.d1 * problem.d0
    batch = W1.shape[:-2]
    if n > BATCH_HVP_MAX:
        flat1 = W1.reshape(-1, *W1.shape[-2:])
        flat2 = W2.reshape(-1, *W2.shape[-2:])
        H = np.array([problem.hessian(a, b) for a, b in zip(flat1, flat2)])
        return H.reshape(*batch, n, n)
    V1, V2 = problem.unpack(np.eye(n))  # (n, d1, d0), (n, d2, d1)
    H1, H2 = hessian_vector_products(problem, W1[..., None, :, :], W2[..., None, :, :], V1, V2)
    lead = H1.shape[:-2]  # (*batch, n)
    H = np.concatenate([H1.reshape(*lead, n1), H2.reshape(*lead, n - n1)], axis=-1)
    return 0.5 * (H + _mT(H))


def smallest_eigenvalues(problem: ShallowProblem, W1, W2) -> np.ndarray:
    """``lambda_min`` of the Hessian at each point of a batch (dense, stacked ``eigvalsh``).

    Returns an array of the batch shape (a 0-d array for unbatched weights).
    """
    return np.linalg.eigvalsh(hessians(problem, W1, W2))[..., 0]
