"""Extreme eigenvalues of the Hessian of a :class:`~landscape.shallow.ShallowProblem`.

Two ways to the smallest eigenvalue ``lambda_min`` of the Hessian, the quantity that
decides whether a critical point is a strict saddle (Definition 2 of paper A):

* dense: assemble the Hessian in closed form and call ``numpy.linalg.eigvalsh``
  (``O(n^3)`` time, ``O(n^2)`` memory);
* matrix-free: Lanczos (ARPACK through ``scipy.sparse.linalg.eigsh``) on Hessian-vector
  products, each costing a few small matrix products and no ``n x n`` array.

:func:`smallest_eigenvalue` picks the dense path up to :data:`DENSE_MAX` parameters and the
matrix-free one above; the threshold is the crossover measured by ``bench/eigen.py``.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

from .shallow import ShallowProblem

__all__ = ["DENSE_MAX", "hessian_operator", "smallest_eigenvalue"]

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
