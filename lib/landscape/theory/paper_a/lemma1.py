r"""Paper A, Lemma 1: the set C of the critical points of the regularized shallow objective g.

Lemma 1 says that every critical point of g (for ``mu > 0``) is *balanced*,
``W2^T W2 = W1 X X^T W1^T`` (11), and is, up to a rotation ``R`` in ``O(d1)``,

.. math::
    W_2 = \widetilde W_2 R^\top, \qquad W_1 = R\,\widetilde W_1 \Sigma^{-1} U^\top,

where the columns of ``Ztilde = [Wtilde2; Wtilde1^T]`` are ``sqrt(lambda_j) [p_j; q_j]`` for
distinct indices ``j`` of the singular triplets of ``Ytilde = Y V = P Lambda Q^T``, or zero
(the set C of (12)). Such a point is fixed by its *support*: the set of indices ``j`` used.

This module holds the set C (:class:`CriticalPoint`, :func:`critical_point`,
:func:`critical_points`, :func:`count_critical_points`, :func:`is_global_support`,
:func:`singular_value_blocks`), the way back from weights to C (:func:`identify`,
:class:`Pattern`), and the problems the book builds to show it
(:func:`problem_with_spectrum`, :func:`lemma1_instances`). Lemma 2 (which elements of C are
saddles, and how strict) is :mod:`landscape.theory.paper_a.lemma2`; the Lemma 1 chapter's
survey from random starts is :mod:`landscape.studies.lemma1`.

Repeated singular values
------------------------
When ``Ytilde`` has a repeated singular value, its singular vectors are not unique: any
orthonormal basis of the singular subspace serves. The set (12), written for one fixed
SVD, then misses critical points that are not rotations of the listed ones (the proof of
Lemma 1 says "phi is a left singular vector", which is a whole subspace in that case).
:func:`critical_points` lists one representative per support for the canonical SVD
(:mod:`landscape.canonical`), and with an ``rng`` it also draws a random orthonormal basis
inside each block of equal singular values, so that a test sees generic members of the
larger set.

Going back from weights to the set C
------------------------------------
:func:`identify` takes any ``(W1, W2)`` (for instance a point found by a numerical search,
:func:`landscape.optim.critical_points.find_critical_points`) and maps it back the way the
proof of Lemma 1 does: ``R`` from the eigenvectors of the balanced Gram matrix, then
``Wtilde2 = W2 R`` and ``Wtilde1 = R^T W1 U Sigma`` (22). Each column of ``Ztilde`` is matched
with a block of equal singular values of ``Ytilde`` (or with zero), snapped to the nearest
exact column of that block, and the distance from the weights to the snapped element of C
is reported.

**Internal API** (offered to the other packages, not exported to readers):
``haar_orthogonal`` (a Haar-distributed orthogonal matrix from a generator) and
``problem_scale`` (``lambda_1`` of ``Ytilde``, the scale that tolerances are relative to).

For example, with three distinct singular values and ``d1 = 2``, C has ``1 + 3 + 3``
elements up to rotation, and :func:`identify` recovers the support of one of them:

>>> import numpy as np
>>> p = problem_with_spectrum([3.0, 2.0, 1.0], d0=3, d1=2, d2=3, mu=0.5,
...                           rng=np.random.default_rng(0))
>>> C = critical_points(p)
>>> len(C) == count_critical_points(3, 2)     # 1 + 3 + 3 supports of size <= d1 = 2
True
>>> c = critical_point(p, (0, 2))
>>> bool(p.gradient_norm(c.W1, c.W2) < 1e-10), identify(p, c.W1, c.W2).support
(True, (0, 2))
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from math import comb

import numpy as np

from ... import canonical
from ..._checks import as_int, as_matrix, as_nonnegative_float, as_positive_int, check_array
from ...models.shallow import ShallowProblem, check_problem

__all__ = ['CriticalPoint', 'Pattern', 'count_critical_points', 'critical_point', 'critical_points',
    'identify', 'is_global_support', 'lemma1_instances', 'problem_with_spectrum', 'singular_value_blocks']


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




def singular_value_blocks(lam, rtol: float = TIE_RTOL) -> list[np.ndarray]:
    """Group indices of descending values ``lam`` into blocks of equal values.

    Two consecutive values are equal when they differ by at most ``rtol * lam[0]``.
    Returns a list of index arrays, in descending order of value. Refuses ``lam`` that is
    not a 1-D array of finite real numbers, and a negative or non-finite ``rtol``.
    """
    check_array("lam", lam, ndim=1, allow_empty=True)
    rtol = as_nonnegative_float("rtol", rtol)
    lam = np.asarray(lam, dtype=np.float64)
    if lam.size == 0:
        return []
    tol = rtol * max(float(lam[0]), np.finfo(np.float64).tiny)
    breaks = np.flatnonzero(np.abs(np.diff(lam)) > tol) + 1
    return np.split(np.arange(lam.size), breaks)


def count_critical_points(r: int, d1: int) -> int:
    r"""Number of elements of C up to rotation: ``sum_{k=0}^{min(r, d1)} binom(r, k)``.

    One element per support, a subset of the ``r`` singular pairs with at most ``d1``
    members. For ``r <= d1`` this is ``2^r``. Refuses an ``r`` that is not an integer >= 0
    and a ``d1`` that is not an integer >= 1.
    """
    r, d1 = as_int("r", r, 0), as_positive_int("d1", d1)
    return sum(comb(r, k) for k in range(min(r, d1) + 1))


def is_global_support(problem: ShallowProblem, support, rtol: float = TIE_RTOL) -> bool:
    r"""Whether the element of C with this support is a global minimum (the set (15)).

    The value at the point is ``1/2 sum_{j not in support} lambda_j^2`` plus a constant, so
    it is minimal exactly when the support has ``min(r, d1)`` members whose values are
    the ``min(r, d1)`` largest singular values (counting ties: any member of a block of
    equal values at the cut will do).

    Refuses a ``problem`` of another type and a negative or non-finite ``rtol``.
    """
    rtol = as_nonnegative_float("rtol", rtol)
    problem = check_problem(problem)
    support = tuple(as_int("support", j) for j in support)
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


def haar_orthogonal(rng: np.random.Generator, n: int) -> np.ndarray:
    """A Haar-distributed orthogonal matrix (QR of a Gaussian with sign correction)."""
    return canonical.orthonormal(rng.standard_normal((n, n)))


def _singular_basis(problem: ShallowProblem, rng, rotate_ties: bool = True):
    """``(P, Q)`` of the first r singular pairs, rotated at random inside tie blocks if rng."""
    r = problem.rank_Y
    P = problem.P[:, :r].copy()
    Q = problem.Q[:, :r].copy()
    if rng is not None and rotate_ties:
        for block in singular_value_blocks(problem.lam[:r]):
            if block.size > 1:
                O = haar_orthogonal(rng, block.size)
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

    Raises
    ------
    TypeError
        ``problem`` of another type, a non-real ``R``.
    ValueError
        A support with repeated or out-of-range indices or more than ``d1`` of them; an
        ``R`` that is not orthogonal ``(d1, d1)``; a ``basis`` that is not a pair of finite
        arrays of shapes ``(d2, k)`` and ``(d0, k)`` with ``k >= r``.
    """
    problem = check_problem(problem)
    if R is not None:
        check_array("R", R)
    if basis is not None:
        if not isinstance(basis, (tuple, list)) or len(basis) != 2:
            raise ValueError(f"basis must be a pair (P, Q) of singular vectors; got {type(basis).__name__}"
                             f"{' of length ' + str(len(basis)) if hasattr(basis, '__len__') else ''}")
        bP = check_array("basis[0] (P)", basis[0], allow_empty=True)
        bQ = check_array("basis[1] (Q)", basis[1], allow_empty=True)
        if bP.shape[0] != problem.d2 or bQ.shape[0] != problem.d0 or min(bP.shape[1], bQ.shape[1]) < problem.rank_Y:
            raise ValueError(f"basis must be (P, Q) of shapes (d2, k) = ({problem.d2}, k) and (d0, k) = "
                             f"({problem.d0}, k) with k >= r = {problem.rank_Y}; got {bP.shape} and {bQ.shape}")
    d0, d1, d2, r = problem.d0, problem.d1, problem.d2, problem.rank_Y
    support = tuple(sorted(as_int("support", j) for j in support))
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
        if (R.shape != (d1, d1)
                or not np.allclose(R.T @ R, np.eye(d1), atol=1e-10)):
            raise ValueError(f"R must be an orthogonal (d1, d1) = ({d1}, {d1}) "
                             f"matrix; got shape {R.shape}")
    W2 = Wt2 @ R.T
    W1 = R @ (Wt1 / problem.sigma) @ problem.U.T
    return CriticalPoint(
        W1=W1,
        W2=W2,
        support=support,
        is_global=is_global_support(problem, support),
        value=float(problem.value(W1, W2)),
    )


def critical_points(problem: ShallowProblem, rng=None, max_points: int = 4096,
                    rotate_ties: bool = True) -> list[CriticalPoint]:
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
    rotate_ties : bool
        With ``rng``, whether to rotate the blocks of repeated singular values at random
        (default). ``False`` keeps the canonical singular vectors of ``problem.P, problem.Q``
        (:mod:`landscape.canonical`) and draws only the rotations ``R``.

    Returns
    -------
    list of CriticalPoint
        Ordered by support size, then lexicographically; the global minima have
        ``is_global``.

    Raises
    ------
    TypeError
        ``problem`` of another type, an ``rng`` that is not a Generator, a non-integer
        ``max_points``.
    ValueError
        ``max_points < 1``, or more elements than ``max_points``.
    """
    max_points = as_positive_int("max_points", max_points)
    problem = check_problem(problem)
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator or None; got {type(rng).__name__}")
    r, d1 = problem.rank_Y, problem.d1
    total = count_critical_points(r, d1)
    if total > max_points:
        raise ValueError(
            f"C has {total} elements up to rotation for r = rank(Y V) = {r} and d1 = {d1}; "
            f"more than max_points = {max_points} (raise max_points to enumerate them)"
        )
    basis = _singular_basis(problem, rng, rotate_ties)
    points = []
    for k in range(min(r, d1) + 1):
        for support in combinations(range(r), k):
            R = haar_orthogonal(rng, d1) if rng is not None else None
            points.append(critical_point(problem, support, R=R, basis=basis))
    return points


def problem_with_spectrum(lam, d0: int, d1: int, d2: int, mu: float = 0.0, rng=None, N=None,
                          X=None) -> ShallowProblem:
    r"""A problem whose projected targets ``Ytilde = Y V`` have the singular values ``lam``.

    Lemmas 1 and 2 depend on the data only through ``X = U Sigma V^T`` and the SVD of
    ``Ytilde``; this builds instances with a prescribed spectrum (ties, zeros, gaps) to test
    them where it matters.

    Parameters
    ----------
    lam : array_like
        The nonzero singular values wanted (any order; at most ``min(d0, d2)`` of them,
        all ``> 0``). The rank ``r`` of ``Ytilde`` is ``len(lam)``.
    d0, d1, d2 : int
        Layer sizes.
    mu : float
        Weight of the regularizer.
    rng : numpy.random.Generator
        Draws ``X`` (unless given) and Haar-random singular vectors ``P, Q``.
    N : int, optional
        Number of samples (default ``d0 + 3``); ignored when ``X`` is given.
    X : array_like (d0, N), optional
        Inputs to use (must have full row rank).

    Returns
    -------
    ShallowProblem
        With ``Y = P diag(lam) Q^T V^T`` in the row space of ``X`` (so ``Y V = Ytilde``
        and nothing of ``Y`` is out of reach).

    Raises
    ------
    TypeError
        An ``rng`` that is not a Generator; non-integer sizes or ``N``; non-real ``lam``,
        ``X`` or ``mu``.
    ValueError
        Sizes below 1; ``lam`` empty, not 1-D, with non-positive, NaN or infinite values or
        more than ``min(d0, d2)`` of them; ``X`` of the wrong shape or without full row rank;
        ``mu < 0``.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    d0, d1, d2 = (as_positive_int(n, v) for n, v in (("d0", d0), ("d1", d1), ("d2", d2)))
    lam = np.sort(as_matrix("lam", np.atleast_1d(lam), ndim=1))[::-1]
    if lam.size > min(d0, d2):
        raise ValueError(f"lam can have at most min(d0, d2) = {min(d0, d2)} values; got {lam.size}")
    if lam[-1] <= 0:
        raise ValueError(f"lam must be positive (the nonzero singular values); got min {lam[-1]}")
    if X is None:
        N = d0 + 3 if N is None else as_positive_int("N", N)
        X = rng.standard_normal((d0, N))
    X = as_matrix("X", X)
    if X.shape[0] != d0:
        raise ValueError(f"X must have d0 = {d0} rows; got shape {X.shape}")
    _, _, Vt = canonical.svd(X)
    P = haar_orthogonal(rng, d2)[:, : lam.size]
    Q = haar_orthogonal(rng, d0)[:, : lam.size]
    Y = ((P * lam) @ Q.T) @ Vt
    return ShallowProblem(X, Y, d1, mu)


def lemma1_instances(mu: float) -> dict:
    """The six instances of the search of the Lemma 1 chapter (``book/shallow/lemma1.ipynb``).

    ``r > d1``, ``r = d1``, a hidden layer wider than the input, rank-deficient targets, and
    repeated singular values of ``Ytilde`` at the cut (``X = 3 I``, ``Y = diag(3, 2, 2)``)
    and at the top; shared by the chapter and ``scripts/lemma1_data.py``.

    Refuses a ``mu`` that is negative or not finite.
    """
    mu = as_nonnegative_float("mu", mu)
    rng = np.random.default_rng(7)
    return {
        "r > d1": problem_with_spectrum([3, 2, 1], 3, 2, 4, mu, rng),
        "r = d1": problem_with_spectrum([3, 2, 1], 3, 3, 4, mu, rng),
        "d1 > d0, d2 > d0": problem_with_spectrum([3, 1.5], 2, 3, 4, mu, rng),
        "rank-deficient Y": problem_with_spectrum([3, 1], 4, 3, 4, mu, rng),
        "tie at the cut": ShallowProblem(3 * np.eye(3), np.diag([3.0, 2, 2]), 2, mu),
        "tie at the top": problem_with_spectrum([2, 2, 2, 1], 4, 2, 4, mu, rng),
    }


@dataclass(frozen=True)
class Pattern:
    """What :func:`identify` found: the element of C nearest to some weights.

    Attributes
    ----------
    support : tuple of int
        Canonical support: for each block of equal singular values of ``Ytilde`` used by
        ``c`` columns, the first ``c`` indices of the block (with distinct values this is
        just the set of pairs used).
    counts : tuple of int
        Number of columns of ``Ztilde`` in each block of :func:`singular_value_blocks`
        ``(lam[:r])``, in order.
    columns : tuple of int
        For each column of ``Ztilde``: the block it was matched with, or ``-1`` for zero.
    R : ndarray (d1, d1)
        The rotation of (22): ``Wtilde2 = W2 R``, ``Wtilde1 = R^T W1 U Sigma``.
    Wt1, Wt2 : ndarray
        ``Wtilde1`` (d1, d0) and ``Wtilde2`` (d2, d1) of (22).
    W1, W2 : ndarray
        The snapped element of C (exactly a critical point of g, up to roundoff).
    imbalance : float
        ``||W2^T W2 - W1 X X^T W1^T||_F / lambda_1``: zero on C, by (11).
    residual : float
        Distance from the given weights to the snapped element of C, relative to the size
        ``sqrt(lambda_1) (1 + 1/sigma_min)`` of one column of a point of C.
    in_C : bool
        ``residual <= rtol`` (the weights are, to that tolerance, an element of C).
    is_global : bool
        Whether the snapped element is a global minimum (the set (15)).
    """

    support: tuple
    counts: tuple
    columns: tuple
    R: np.ndarray
    Wt1: np.ndarray
    Wt2: np.ndarray
    W1: np.ndarray
    W2: np.ndarray
    imbalance: float
    residual: float
    in_C: bool
    is_global: bool

    @property
    def kind(self) -> str:
        """``"global minimum"``, ``"strict saddle"`` or ``"not in C"``."""
        if not self.in_C:
            return "not in C"
        return "global minimum" if self.is_global else "strict saddle"


def problem_scale(problem: ShallowProblem) -> float:
    lam1 = float(problem.lam[0]) if problem.lam.size else 0.0
    return max(lam1, np.finfo(np.float64).tiny)


def identify(problem: ShallowProblem, W1, W2, rtol: float = 1e-6) -> Pattern:
    r"""Map weights back to Lemma 1's set C and name their pattern (support).

    The steps are those of the proof of Lemma 1 (Appendix A of paper A):

    1. ``R``: eigenvectors of ``S = (W2^T W2 + W1 X X^T W1^T) / 2``, by decreasing
       eigenvalue. On C both Gram matrices equal ``R Pi^T Pi R^T`` (11), (23).
    2. ``Wtilde2 = W2 R`` and ``Wtilde1 = R^T W1 U Sigma`` (22); column ``i`` of
       ``Ztilde`` is ``(phi_i, psi_i)`` with ``phi_i`` column ``i`` of ``Wtilde2`` and
       ``psi_i`` row ``i`` of ``Wtilde1``.
    3. Each column is matched with the nearest value among 0 and the distinct singular
       values of ``Ytilde`` by its energy ``(|phi_i|^2 + |psi_i|^2)/2``, which is
       ``lambda_j`` on C (26)-(30).
    4. Inside each block of equal singular values ``lambda_b`` (left and right singular
       bases ``P_b, Q_b``), the columns matched with it are snapped to
       ``sqrt(lambda_b) (P_b O, Q_b O)`` with ``O`` the orthonormal matrix nearest to the
       average of their coordinates ``P_b^T phi / sqrt(lambda_b)`` and
       ``Q_b^T psi / sqrt(lambda_b)``. Rotating inside a block keeps a point in C (for
       another choice of singular vectors), so the snapped weights are exactly critical.
    5. The distance from the weights to the snapped point decides membership.

    Refuses a ``problem`` of another type, weights (one point) of the wrong shapes or with
    NaN, infinite or non-real entries, and a negative or non-finite ``rtol``.

    Parameters
    ----------
    problem : ShallowProblem
    W1, W2 : array_like
        Weights, shapes ``(d1, d0)`` and ``(d2, d1)``.
    rtol : float
        Relative tolerance on :attr:`Pattern.residual` for :attr:`Pattern.in_C`.

    Returns
    -------
    Pattern"""
    problem = check_problem(problem)
    W1, W2 = problem.as_weights(W1, W2, batch=False)
    rtol = as_nonnegative_float("rtol", rtol)
    r = problem.rank_Y
    lam1 = problem_scale(problem)
    G2 = W2.T @ W2
    G1 = W1 @ problem.XXt @ W1.T
    imbalance = float(np.linalg.norm(G2 - G1)) / lam1
    S = 0.5 * (G2 + G1)
    _, R = canonical.eigh(S)
    R = R[:, ::-1]
    US = problem.U * problem.sigma
    Wt2 = W2 @ R
    Wt1 = R.T @ W1 @ US
    energy = 0.5 * (np.sum(Wt2**2, axis=0) + np.sum(Wt1**2, axis=1))
    blocks = singular_value_blocks(problem.lam[:r])
    values = np.array([0.0] + [float(np.mean(problem.lam[b])) for b in blocks])
    match = np.argmin(np.abs(energy[:, None] - values[None, :]), axis=1) - 1  # -1: zero
    St2 = np.zeros_like(Wt2)
    St1 = np.zeros_like(Wt1)
    counts, support, feasible = [], [], True
    for b, block in enumerate(blocks):
        cols = np.flatnonzero(match == b)
        counts.append(int(cols.size))
        if cols.size == 0:
            continue
        if cols.size > block.size:
            feasible = False
            continue
        s = np.sqrt(values[b + 1])
        Pb, Qb = problem.P[:, block], problem.Q[:, block]
        M = 0.5 * (Pb.T @ Wt2[:, cols] + Qb.T @ Wt1[cols, :].T) / s  # (m, c)
        L, _, Rt = np.linalg.svd(M, full_matrices=False)
        O = L @ Rt  # nearest matrix with orthonormal columns
        St2[:, cols] = s * (Pb @ O)
        St1[cols, :] = (s * (Qb @ O)).T
        support.extend(block[: cols.size].tolist())
    S1 = R @ (St1 / problem.sigma) @ problem.U.T
    S2 = St2 @ R.T
    ref = np.sqrt(lam1) * (1.0 + 1.0 / float(problem.sigma[-1]))
    dist = float(np.sqrt(np.sum((W1 - S1) ** 2) + np.sum((W2 - S2) ** 2)))
    residual = dist / ref if feasible else float("inf")
    support = tuple(sorted(support))
    in_C = bool(residual <= rtol)
    return Pattern(
        support=support,
        counts=tuple(counts),
        columns=tuple(int(m) for m in match),
        R=R,
        Wt1=Wt1,
        Wt2=Wt2,
        W1=S1,
        W2=S2,
        imbalance=imbalance,
        residual=residual,
        in_C=in_C,
        is_global=bool(feasible and is_global_support(problem, support)),
    )
