r"""Critical points of the regularized shallow objective g: Lemmas 1 and 2 of paper A.

Lemma 1 says that every critical point of g (for ``mu > 0``) is *balanced*,
``W2^T W2 = W1 X X^T W1^T`` (11), and is, up to a rotation ``R`` in ``O(d1)``,

.. math::
    W_2 = \widetilde W_2 R^\top, \qquad W_1 = R\,\widetilde W_1 \Sigma^{-1} U^\top,

where the columns of ``Ztilde = [Wtilde2; Wtilde1^T]`` are ``sqrt(lambda_j) [p_j; q_j]`` for
distinct indices ``j`` of the singular triplets of ``Ytilde = Y V = P Lambda Q^T``, or zero
(the set C of (12)). Such a point is fixed by its *support*: the set of indices ``j`` used.
Lemma 2 splits C into global minima and strict saddles, with the bound (16) or (17) on
the smallest Hessian eigenvalue at every saddle.

Repeated singular values
------------------------
When ``Ytilde`` has a repeated singular value, its singular vectors are not unique: any
orthonormal basis of the singular subspace serves. The set (12), written for one fixed
SVD, then misses critical points that are not rotations of the listed ones (the proof of
Lemma 1 says "phi is a left singular vector", which is a whole subspace in that case).
:func:`critical_points` lists one representative per support for the SVD computed by
NumPy, and with an ``rng`` it also draws a random orthonormal basis inside each block of
equal singular values, so that a test sees generic members of the larger set.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from math import comb

import numpy as np

from .shallow import ShallowProblem

__all__ = [
    "CriticalPoint",
    "count_critical_points",
    "critical_points",
    "critical_point",
    "is_global_support",
    "saddle_bound",
    "singular_value_blocks",
]

#: Relative tolerance under which two singular values of ``Ytilde`` count as equal.
TIE_RTOL = 1e-9


@dataclass(frozen=True)
class CriticalPoint:
    """One element of Lemma 1's set C (a critical point of g for every ``mu``).

    Attributes
    ----------
    W1 : ndarray
        First-layer weights, shape ``(d1, d0)``.
    W2 : ndarray
        Second-layer weights, shape ``(d2, d1)``.
    support : tuple of int
        Indices ``j`` (0-based, ascending) of the singular pairs ``(p_j, q_j)`` of
        ``Ytilde`` used by the nonzero columns of ``Ztilde``.
    is_global : bool
        Whether the point is a global minimum of g (the set X of (15)); otherwise it is
        a strict saddle (Lemma 2).
    value : float
        ``g = f`` at the point (they agree because the point is balanced).
    """

    W1: np.ndarray
    W2: np.ndarray
    support: tuple
    is_global: bool
    value: float

    @property
    def kind(self) -> str:
        """``"global minimum"`` or ``"strict saddle"``."""
        return "global minimum" if self.is_global else "strict saddle"


def _check_problem(problem) -> ShallowProblem:
    if not isinstance(problem, ShallowProblem):
        raise TypeError(f"problem must be a landscape.shallow.ShallowProblem; got {type(problem).__name__}")
    return problem


def singular_value_blocks(lam, rtol: float = TIE_RTOL) -> list[np.ndarray]:
    """Group indices of descending values ``lam`` into blocks of equal values.

    Two consecutive values are equal when they differ by at most ``rtol * lam[0]``.
    Returns a list of index arrays, in descending order of value.
    """
    lam = np.asarray(lam, dtype=np.float64)
    if lam.size == 0:
        return []
    tol = rtol * max(float(lam[0]), np.finfo(np.float64).tiny)
    breaks = np.flatnonzero(np.abs(np.diff(lam)) > tol) + 1
    return np.split(np.arange(lam.size), breaks)


def count_critical_points(r: int, d1: int) -> int:
    r"""Number of elements of C up to rotation: ``sum_{k=0}^{min(r, d1)} binom(r, k)``.

    One element per support, a subset of the ``r`` singular pairs with at most ``d1``
    members. For ``r <= d1`` this is ``2^r``.
    """
    return sum(comb(r, k) for k in range(min(r, d1) + 1))


def is_global_support(problem: ShallowProblem, support, rtol: float = TIE_RTOL) -> bool:
    r"""Whether the element of C with this support is a global minimum (the set (15)).

    The value at the point is ``1/2 sum_{j not in support} lambda_j^2`` plus a constant, so
    it is minimal exactly when the support has ``min(r, d1)`` members whose values are
    the ``min(r, d1)`` largest singular values (counting ties: any member of a block of
    equal values at the cut will do).
    """
    problem = _check_problem(problem)
    support = tuple(int(j) for j in support)
    r, lam = problem.rank_Y, problem.lam
    k = min(r, problem.d1)
    if len(support) != k:
        return False
    if k == 0:
        return True
    tol = rtol * lam[0]
    cut = lam[k - 1]
    above = set(np.flatnonzero(lam[:r] > cut + tol).tolist())  # must all be used
    return above.issubset(support) and all(lam[j] >= cut - tol for j in support)


def _haar_orthogonal(rng: np.random.Generator, n: int) -> np.ndarray:
    """A Haar-distributed orthogonal matrix (QR of a Gaussian with sign correction)."""
    A = rng.standard_normal((n, n))
    Qm, Rm = np.linalg.qr(A)
    return Qm * np.sign(np.diag(Rm))


def _singular_basis(problem: ShallowProblem, rng):
    """``(P, Q)`` of the first r singular pairs, rotated at random inside tie blocks if rng."""
    r = problem.rank_Y
    P = problem.P[:, :r].copy()
    Q = problem.Q[:, :r].copy()
    if rng is not None:
        for block in singular_value_blocks(problem.lam[:r]):
            if block.size > 1:
                O = _haar_orthogonal(rng, block.size)
                P[:, block] = P[:, block] @ O
                Q[:, block] = Q[:, block] @ O
    return P, Q


def critical_point(problem: ShallowProblem, support, R=None, basis=None) -> CriticalPoint:
    """The element of C with the given support and rotation ``R`` (identity by default).

    Parameters
    ----------
    problem : ShallowProblem
    support : iterable of int
        Distinct indices in ``range(r)``, at most ``d1`` of them.
    R : ndarray (d1, d1), optional
        An orthogonal matrix; the point is ``W2 = Wtilde2 R^T``, ``W1 = R Wtilde1 Sigma^-1 U^T``.
    basis : (P, Q), optional
        Singular vectors to use instead of ``problem.P, problem.Q`` (for repeated
        singular values).
    """
    problem = _check_problem(problem)
    d0, d1, d2, r = problem.d0, problem.d1, problem.d2, problem.rank_Y
    support = tuple(sorted(int(j) for j in support))
    if len(set(support)) != len(support) or any(j < 0 or j >= r for j in support):
        raise ValueError(f"support must be distinct indices in range(r) = range({r}); got {support}")
    if len(support) > d1:
        raise ValueError(f"support can use at most d1 = {d1} singular pairs; got {len(support)}")
    P, Q = basis if basis is not None else (problem.P, problem.Q)
    k = len(support)
    s = np.sqrt(problem.lam[list(support)])
    Wt2 = np.zeros((d2, d1))
    Wt1 = np.zeros((d1, d0))
    if k:
        Wt2[:, :k] = P[:, list(support)] * s
        Wt1[:k, :] = s[:, None] * Q[:, list(support)].T
    if R is None:
        R = np.eye(d1)
    else:
        R = np.asarray(R, dtype=np.float64)
        if R.shape != (d1, d1) or not np.allclose(R.T @ R, np.eye(d1), atol=1e-10):
            raise ValueError(f"R must be an orthogonal (d1, d1) = ({d1}, {d1}) matrix; got shape {R.shape}")
    W2 = Wt2 @ R.T
    W1 = R @ (Wt1 / problem.sigma) @ problem.U.T
    return CriticalPoint(
        W1=W1,
        W2=W2,
        support=support,
        is_global=is_global_support(problem, support),
        value=float(problem.value(W1, W2)),
    )


def critical_points(problem: ShallowProblem, rng=None, max_points: int = 4096) -> list[CriticalPoint]:
    """Lemma 1's set C, one element per support (up to the rotation ``R``).

    Parameters
    ----------
    problem : ShallowProblem
    rng : numpy.random.Generator, optional
        Without it every point uses ``R = I`` and NumPy's singular vectors. With it,
        each point gets its own Haar-random ``R`` in ``O(d1)``, and the singular vectors
        of each block of repeated singular values are rotated by one random orthogonal
        matrix (shared by all points) -- generic members of C.
    max_points : int
        Refuse to enumerate more than this many points (C has
        :func:`count_critical_points` ``(r, d1)`` elements up to rotation).

    Returns
    -------
    list of CriticalPoint
        Ordered by support size, then lexicographically; the global minima have
        ``is_global``.
    """
    problem = _check_problem(problem)
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator or None; got {type(rng).__name__}")
    r, d1 = problem.rank_Y, problem.d1
    total = count_critical_points(r, d1)
    if total > max_points:
        raise ValueError(
            f"C has {total} elements up to rotation for r = rank(Y V) = {r} and d1 = {d1}; "
            f"more than max_points = {max_points} (raise max_points to enumerate them)"
        )
    basis = _singular_basis(problem, rng)
    points = []
    for k in range(min(r, d1) + 1):
        for support in combinations(range(r), k):
            R = _haar_orthogonal(rng, d1) if rng is not None else None
            points.append(critical_point(problem, support, R=R, basis=basis))
    return points


def saddle_bound(problem: ShallowProblem, literal: bool = False) -> float:
    r"""Right side of (16) or (17): an upper bound on ``lambda_min`` of the Hessian at every saddle.

    * ``r <= d1`` (16): ``-2 lambda_r / (1 + sum_i sigma_i^-2)``.
    * ``r > d1`` (17): ``-2 (lambda_{d1} - lambda_{r'}) / (1 + sum_i sigma_i^-2)`` with
      ``lambda_{r'}`` the largest singular value of ``Ytilde`` strictly below ``lambda_{d1}``.

    Here ``r = rank(Y V)``, ``lambda_j`` the singular values of ``Y V`` and ``sigma_i``
    those of ``X``. The bound does not depend on ``mu``.

    Repeated singular values at ``lambda_{d1}``
        The paper proves (17) only when ``lambda_{d1} > lambda_{d1+1}`` and says that "the
        argument is similar" otherwise. Two things are left open there. (a) If no
        singular value is below ``lambda_{d1}`` (all of ``lambda_{d1}, ..., lambda_r`` are
        equal), ``lambda_{r'}`` does not exist; we take ``lambda_{r'} = 0``, the value a
        zero column of ``Ztilde`` contributes in the proof. (b) When ``lambda_{d1}`` is
        tied with ``lambda_{d1+1}``, C also has saddles that drop a pair with a value
        *above* the tie and keep tied pairs instead; along the proof's direction their
        curvature is ``-2 (lambda_above - lambda_{d1})``, where ``lambda_above`` is the
        smallest singular value strictly above ``lambda_{d1}``. That gap can be smaller
        than ``lambda_{d1} - lambda_{r'}``, so (17) as printed is not what the proof
        shows. By default we return the bound that the proof's construction certifies
        at every saddle: the gap is ``min(lambda_{d1} - lambda_{r'}, lambda_above - lambda_{d1})``
        when ``lambda_{d1} = lambda_{d1+1}`` (just ``lambda_{d1} - lambda_{r'}`` when no
        value is above the tie), and exactly (17) otherwise. ``literal=True``
        returns (17) as printed, with (a).

    Returns ``nan`` when ``Y V = 0`` (r = 0): C is then the single point ``W1 = W2 = 0``,
    a global minimum, and there is no saddle to bound.
    """
    problem = _check_problem(problem)
    r, d1, lam = problem.rank_Y, problem.d1, problem.lam
    if r == 0:
        return float("nan")
    denom = 1.0 + float(np.sum(problem.sigma ** -2.0))
    if r <= d1:
        return -2.0 * float(lam[r - 1]) / denom
    tol = TIE_RTOL * float(lam[0])
    lam_d1 = float(lam[d1 - 1])
    below = lam[:r][lam[:r] < lam_d1 - tol]
    lam_rp = float(below[0]) if below.size else 0.0
    gap = lam_d1 - lam_rp
    tied = abs(float(lam[d1]) - lam_d1) <= tol
    if tied and not literal:
        above = lam[:r][lam[:r] > lam_d1 + tol]
        if above.size:
            gap = min(gap, float(above[-1]) - lam_d1)
    return -2.0 * gap / denom
