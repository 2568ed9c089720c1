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

Going back from weights to the set C
------------------------------------
:func:`identify` takes any ``(W1, W2)`` (for instance a point found by a numerical search)
and maps it back the way the proof of Lemma 1 does: ``R`` from the eigenvectors of the
balanced Gram matrix, then ``Wtilde2 = W2 R`` and ``Wtilde1 = R^T W1 U Sigma`` (22). Each
column of ``Ztilde`` is matched with a block of equal singular values of ``Ytilde`` (or
with zero), snapped to the nearest exact column of that block, and the distance from the
weights to the snapped element of C is reported. :func:`find_critical_points` is the
numerical search itself (Levenberg-Marquardt on ``grad g = 0``, batched over starts).

Lemma 2's negative curvature
----------------------------
:func:`negative_curvature_direction` builds the direction of the proof of Lemma 2 at a
saddle in C, ``Delta2 = p_k alpha^T R^T`` and ``Delta1 = R alpha q_k^T Sigma^-1 U^T`` (in
the convention ``W2 = Wtilde2 R^T`` of (12)), together with the value of the Hessian's
quadratic form along it that the proof computes, ``2 (||Wtilde2 alpha||^2 - lambda_k)``, and
its norm ``1 + ||Sigma^-1 q_k||^2``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from itertools import combinations
from math import comb

import numpy as np

from . import canonical
from ._checks import (as_bool, as_generator, as_int, as_matrix, as_nonnegative_float,
                      as_positive_float, as_positive_int, check_array, check_dense)
from .shallow import ShallowProblem

__all__ = [
    "CriticalPoint",
    "CurvatureDirection",
    "FlatDirections",
    "Pattern",
    "SaddleCheck",
    "SearchResult",
    "Survey",
    "TieDependence",
    "check_saddles",
    "count_critical_points",
    "critical_points",
    "critical_point",
    "find_critical_points",
    "flat_directions",
    "hessian_form_terms",
    "identify",
    "is_global_support",
    "lemma1_instances",
    "negative_curvature_direction",
    "problem_with_spectrum",
    "saddle_bound",
    "singular_value_blocks",
    "smallest_eigenvalues_at",
    "support_label",
    "survey",
    "survey_summary",
    "symmetry_directions",
    "tie_dependence",
    "tied_bases",
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
    problem = _check_problem(problem)
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


def _haar_orthogonal(rng: np.random.Generator, n: int) -> np.ndarray:
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

    Raises
    ------
    TypeError
        ``problem`` of another type, a non-real ``R``.
    ValueError
        A support with repeated or out-of-range indices or more than ``d1`` of them; an
        ``R`` that is not orthogonal ``(d1, d1)``; a ``basis`` that is not a pair of finite
        arrays of shapes ``(d2, k)`` and ``(d0, k)`` with ``k >= r``.
    """
    problem = _check_problem(problem)
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
    basis = _singular_basis(problem, rng, rotate_ties)
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
    a global minimum, and there is no saddle to bound. Refuses a ``problem`` of another type
    and a ``literal`` that is not a bool.
    """
    literal = as_bool("literal", literal)
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


def smallest_eigenvalues_at(problem: ShallowProblem, points) -> np.ndarray:
    """``lambda_min`` of the Hessian at every point of a list (one batched dense computation).

    Parameters
    ----------
    problem : ShallowProblem
    points : sequence
        Objects with attributes ``W1`` and ``W2`` (e.g. :class:`CriticalPoint` from
        :func:`critical_points`), all of the problem's shapes.

    Returns
    -------
    ndarray (len(points),)
        The smallest Hessian eigenvalue at each point, in order (empty for no points).

    Raises
    ------
    TypeError
        ``problem`` of another type; ``points`` not a sequence of objects with ``W1`` and
        ``W2``; non-real weights.
    ValueError
        Weights of the wrong shapes or with NaN or infinite entries; more points than the
        dense-size limit allows for their Hessians (checked before allocating them).
    """
    from .spectrum import smallest_eigenvalues

    problem = _check_problem(problem)
    if isinstance(points, (str, bytes)) or not hasattr(points, "__iter__"):
        raise TypeError(f"points must be a sequence of objects with W1 and W2; got {type(points).__name__}")
    points = list(points)
    for i, c in enumerate(points):
        if not (hasattr(c, "W1") and hasattr(c, "W2")):
            raise TypeError(f"points[{i}] must have attributes W1 and W2 (e.g. a CriticalPoint); "
                            f"got {type(c).__name__}")
        problem._weights(c.W1, c.W2, batch=False, check_only=True,
                         names=(f"points[{i}].W1", f"points[{i}].W2"))
    check_dense("points", problem.n_params, count=len(points), what="batch of dense Hessians")
    points = list(points)
    if not points:
        return np.zeros(0)
    W1 = np.array([c.W1 for c in points])
    W2 = np.array([c.W2 for c in points])
    return np.asarray(smallest_eigenvalues(problem, W1, W2), dtype=np.float64).reshape(len(points))


@dataclass(frozen=True)
class SaddleCheck:
    """Lemma 2 at every element of C of one problem (:func:`check_saddles`).

    Attributes
    ----------
    problem : ShallowProblem
    points : list of CriticalPoint
        Lemma 1's set C, one element per support.
    lam_min : ndarray
        The exact smallest Hessian eigenvalue at each point.
    bound : float
        :func:`saddle_bound` ``(problem)``: (16) or (17), corrected for a tie at the cut.
    literal : float
        :func:`saddle_bound` ``(problem, literal=True)``: (17) as printed.
    """

    problem: ShallowProblem
    points: list
    lam_min: np.ndarray
    bound: float
    literal: float

    @property
    def is_global(self) -> np.ndarray:
        """Boolean mask of the global minima (the set X of (15)); the others are saddles."""
        return np.array([c.is_global for c in self.points], dtype=bool)

    @property
    def values(self) -> np.ndarray:
        """The value of g at each point."""
        return np.array([c.value for c in self.points])

    @property
    def tol(self) -> float:
        """Roundoff tolerance for eigenvalue comparisons: ``1e-9 max |lam_min|`` (relative to
        the problem's scale, not to 1)."""
        return 1e-9 * max(float(np.abs(self.lam_min).max()), np.finfo(np.float64).tiny)

    @property
    def ratios(self) -> np.ndarray:
        """``lam_min / bound`` at each saddle (at least 1 where the bound holds)."""
        return self.lam_min[~self.is_global] / self.bound

    @property
    def literal_failures(self) -> int:
        """Number of saddles where ``lam_min`` is above (17) as printed (it fails there)."""
        return int(np.count_nonzero(self.lam_min[~self.is_global] > self.literal + self.tol))


def check_saddles(problem: ShallowProblem, rng=None, rotate_ties: bool = True) -> SaddleCheck:
    """List C (:func:`critical_points` with ``rng``) and the exact ``lambda_min`` at every element.

    Together with the two readings of Lemma 2's bound, this is everything needed to check
    the lemma on the problem: the global minima should have the minimum value and a
    positive semidefinite Hessian, every other element ``lam_min <= bound < 0``.

    Refuses a ``problem`` of another type and an ``rng`` that is neither None nor a Generator.
    """
    problem = _check_problem(problem)
    points = critical_points(problem, rng=rng, rotate_ties=rotate_ties)
    return SaddleCheck(problem, points, smallest_eigenvalues_at(problem, points),
                       saddle_bound(problem), saddle_bound(problem, literal=True))


def tied_bases(problem: ShallowProblem, n: int, rng=None) -> list:
    """The canonical singular vectors of ``Ytilde`` and ``n - 1`` other valid choices.

    Returns a list of ``n`` pairs ``(P, Q)`` (first ``r`` columns), the first one
    ``problem.P, problem.Q`` (:mod:`landscape.canonical`). In basis ``j`` every block of
    repeated singular values is rotated (the same rotation on both sides, so
    ``P diag(lam) Q^T`` is unchanged): a block of two by the angle ``j pi / n`` (a grid;
    with ``n`` even it maps each vector of the block to the other one), a larger block by
    a Haar-random orthogonal matrix drawn from ``rng`` (required then). With distinct
    singular values all ``n`` are the same basis.

    Refuses a ``problem`` of another type, an ``n`` that is not an integer >= 1 and an
    ``rng`` that is neither None nor a Generator.
    """
    problem = _check_problem(problem)
    n = as_positive_int("n", n)
    as_generator("rng", rng, optional=True)
    r = problem.rank_Y
    big = [b for b in singular_value_blocks(problem.lam[:r]) if b.size > 2]
    if big and not isinstance(rng, np.random.Generator):
        raise TypeError(f"a block of more than two tied values needs rng, a numpy.random.Generator; "
                        f"got {type(rng).__name__}")
    out = []
    for j in range(n):
        P, Q = problem.P[:, :r].copy(), problem.Q[:, :r].copy()
        for block in singular_value_blocks(problem.lam[:r]):
            if block.size == 1 or j == 0:
                continue
            if block.size == 2:
                c, s_ = np.cos(j * np.pi / n), np.sin(j * np.pi / n)
                O = np.array([[c, -s_], [s_, c]])
            else:
                O = _haar_orthogonal(rng, block.size)
            P[:, block] = P[:, block] @ O
            Q[:, block] = Q[:, block] @ O
        out.append((P, Q))
    return out


@dataclass(frozen=True)
class TieDependence:
    """How ``lambda_min`` and the proof's Rayleigh quotient depend on the basis of tied blocks.

    Attributes
    ----------
    supports : list of tuple
        One support per element of C (:func:`critical_points` order).
    is_global : ndarray of bool
        Global minima (no proof direction there).
    lam_min : ndarray (S, n)
        The exact smallest Hessian eigenvalue at the element of each support built from
        each basis of :func:`tied_bases` (column 0: the canonical basis).
    quotient : ndarray (S, n)
        The Rayleigh quotient of :func:`negative_curvature_direction` built from the same
        basis (``nan`` at the global minima).
    """

    supports: list
    is_global: np.ndarray
    lam_min: np.ndarray
    quotient: np.ndarray

    @staticmethod
    def _spread(a) -> np.ndarray:
        return np.nanmax(a, axis=1) - np.nanmin(a, axis=1) if a.size else np.zeros(0)

    @property
    def lam_spread(self) -> np.ndarray:
        """Per support: ``max - min`` of ``lambda_min`` over the bases."""
        return self._spread(self.lam_min)

    @property
    def quotient_spread(self) -> np.ndarray:
        """Per saddle support (``nan`` at the minima): ``max - min`` of the quotient."""
        out = np.full(len(self.supports), np.nan)
        sad = ~self.is_global
        out[sad] = self._spread(self.quotient[sad])
        return out


def tie_dependence(problem: ShallowProblem, n: int = 16, rng=None) -> TieDependence:
    """``lambda_min`` and the proof's quotient at every element of C, for ``n`` bases of the ties.

    The bases are :func:`tied_bases` ``(problem, n, rng)`` (the canonical one first; ``rng``,
    needed for blocks of more than two, defaults to ``numpy.random.default_rng(0)``). A quantity that does not depend on the
    choice has a spread at roundoff level. When ``X X^T`` is a multiple of the identity,
    rotating a tied block is an orthogonal symmetry of g (it maps the elements of C for one
    basis to those for another), so ``lambda_min`` and the quotient do not depend on it;
    otherwise the map ``W1 -> W1 U Sigma B^T Sigma^-1 U^T`` (``B`` the rotation of the right singular
    vectors) is not orthogonal, the Hessians are only congruent, and both may move.

    Refuses what :func:`tied_bases` refuses.
    """
    problem = _check_problem(problem)
    n = as_positive_int("n", n)
    as_generator("rng", rng, optional=True)
    rng = np.random.default_rng(0) if rng is None else rng
    bases = tied_bases(problem, n, rng)
    supports = [c.support for c in critical_points(problem)]
    lam = np.empty((len(supports), n))
    quo = np.full((len(supports), n), np.nan)
    is_global = np.array([is_global_support(problem, s) for s in supports], dtype=bool)
    tied = any(b.size > 1 for b in singular_value_blocks(problem.lam[:problem.rank_Y]))
    for j, basis in enumerate(bases):
        if j and not tied:                    # distinct values: every basis is the first
            lam[:, j], quo[:, j] = lam[:, 0], quo[:, 0]
            continue
        pts = [critical_point(problem, s, basis=basis) for s in supports]
        lam[:, j] = smallest_eigenvalues_at(problem, pts)
        for i, c in enumerate(pts):
            if not is_global[i]:
                quo[i, j] = negative_curvature_direction(problem, c.W1, c.W2, basis=basis).quotient
    return TieDependence(supports, is_global, lam, quo)


# --------------------------------------------------------------------------- instances
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
    P = _haar_orthogonal(rng, d2)[:, : lam.size]
    Q = _haar_orthogonal(rng, d0)[:, : lam.size]
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


# ------------------------------------------------------------------ identification
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


def _scale(problem: ShallowProblem) -> float:
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
    problem = _check_problem(problem)
    W1, W2 = problem._weights(W1, W2, batch=False)
    rtol = as_nonnegative_float("rtol", rtol)
    r = problem.rank_Y
    lam1 = _scale(problem)
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


# ------------------------------------------------------------------ the search
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
        Iterations used by each start.
    gtol : float
        The tolerance used.
    """

    W1: np.ndarray
    W2: np.ndarray
    grad_norm: np.ndarray
    converged: np.ndarray
    n_iter: np.ndarray
    gtol: float


def find_critical_points(problem: ShallowProblem, W1, W2, max_iter: int = 200, gtol=None,
                         damping: float = 1e-3) -> SearchResult:
    r"""Solve ``grad g(W) = 0`` from a batch of starts (Levenberg-Marquardt, batched).

    The gradient is a map from the ``n`` parameters to ``R^n`` whose Jacobian is the
    Hessian ``H``; each start takes damped Gauss-Newton steps

    .. math::
        \delta = -(H^2 + \lambda I)^{-1} H \nabla g ,

    accepted when ``||grad g||`` decreases (then ``lambda <- lambda / 3``), refused otherwise
    (``lambda <- 4 lambda``). Unlike a descent method on g it converges to critical points
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
    """
    from .spectrum import hessians

    problem = _check_problem(problem)
    W1 = as_matrix("W1", W1, ndim=3)
    W2 = as_matrix("W2", W2, ndim=3)
    problem._weights(W1, W2)  # shapes
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
    stalled = np.zeros(B, dtype=bool)
    for _ in range(max_iter):
        active = np.flatnonzero((gn > gtol) & ~stalled)
        if active.size == 0:
            break
        th = theta[active]
        H = hessians(problem, *problem.unpack(th))
        h, Qh = np.linalg.eigh(H)
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
        lam[active] = np.maximum(np.where(ok, la / 3.0, la * 4.0), floor[active])
        stalled[active] = lam[active] > 1e36 * floor[active]
        n_iter[active] += 1
    W1f, W2f = problem.unpack(theta)
    return SearchResult(W1f, W2f, gn, gn <= gtol, n_iter, gtol)


@dataclass(frozen=True)
class Survey:
    """Critical points found from random starts, each mapped back to C (:func:`survey`).

    Attributes
    ----------
    search : SearchResult
        The raw search.
    patterns : list
        For each start, the :class:`Pattern` of its end point if the search converged,
        else ``None``.
    rtol : ndarray (B,)
        The tolerance used for membership in C at each end point (see :func:`survey`).
    """

    search: SearchResult
    patterns: list
    rtol: np.ndarray

    @property
    def n_starts(self) -> int:
        """Number of starts."""
        return len(self.patterns)

    @property
    def n_converged(self) -> int:
        """Starts whose search reached ``||grad|| <= gtol``."""
        return int(np.count_nonzero(self.search.converged))

    @property
    def n_in_C(self) -> int:
        """Converged end points that are elements of C."""
        return sum(1 for pat in self.patterns if pat is not None and pat.in_C)

    def counts(self) -> Counter:
        """How many converged end points have each support (``"not in C"`` for the others)."""
        return Counter(pat.support if pat.in_C else "not in C" for pat in self.patterns if pat is not None)

    def residuals(self) -> np.ndarray:
        """:attr:`Pattern.residual` of every converged end point."""
        return np.array([pat.residual for pat in self.patterns if pat is not None])


def _unit_problem(problem: ShallowProblem):
    """The problem on data rescaled by powers of two to unit scale, ``(unit, kx, m)``.

    ``X / 2^kx`` and ``Y / 4^m`` with ``2^kx`` the power of two nearest the median singular
    value of X and ``4^m`` the power of four nearest ``lambda_1``. ``g`` on the original data
    at ``(W1, W2)`` is ``16^m`` times ``g`` on the unit data at ``(W1 2^(kx-m), W2 2^-m)``: the
    map takes critical points to critical points and C to C, and multiplying by powers of two
    is exact in floating point. Data within a factor ``2^2.5`` (X) and ``4^1.5`` (lambda_1) of
    unit scale is left alone (``kx = 0``, ``m = 0``; the search is made for that range, and
    its per-run results on such data do not change); ``unit`` is ``problem`` itself when
    ``kx = m = 0``.
    """
    sig = float(np.median(problem.sigma))
    lam1 = float(problem.lam[0]) if problem.lam.size else 0.0
    lx = np.log2(sig)
    ly = np.log2(lam1) / 2.0 if lam1 > 0.0 else 0.0
    kx = int(np.round(lx)) if abs(lx) > 2.5 else 0
    m = int(np.round(ly)) if abs(ly) > 1.5 else 0
    if kx == 0 and m == 0:
        return problem, 0, 0
    unit = ShallowProblem(problem.X * 2.0 ** -kx, problem.Y * 4.0 ** -m, problem.d1, problem.mu)
    return unit, kx, m


def survey(problem: ShallowProblem, rng, n_starts: int = 120, scales=(0.3, 1.0, 3.0),
           max_iter: int = 150, gtol=None, factor: float = 10.0) -> Survey:
    r"""Search critical points from random starts and identify each one (Lemma 1, "only if").

    Starts are Gaussian, in equal numbers at each of ``scales`` times the size of the
    critical points (entries of ``W2`` of standard deviation ``s sqrt(lambda_1 / d2)``, of
    ``W1`` ``s sqrt(lambda_1 / d0) / median(sigma)``), so that the search meets small and
    large critical points alike. Each start runs :func:`find_critical_points`; each converged
    end point is mapped back with :func:`identify`.

    Membership tolerance. At a critical point where g is flat to second order along some
    direction and grows like the fourth power (C has such points when a zero column of
    ``Ztilde`` can grow into directions the other columns do not use, e.g. ``d1 > r``), a
    point at distance ``delta`` has a gradient of size ``delta^3``: a search stopped at
    gradient ``epsilon`` can be ``epsilon^(1/3)`` away. So an end point counts as an element
    of C when its relative distance is at most ``factor * (epsilon / ||Y X^T||)^(1/3)``
    (and at least ``1e-9``); a point that is not near C at all fails this by far.

    Scale. The search, its stopping rule and this tolerance are those of data of unit scale:
    the survey runs on X and Y rescaled by powers of two (the median singular value of X and
    ``lambda_1`` near 1, see ``_unit_problem``) and its points are mapped back, so that
    rescaling X or Y does not change which points are found or judged in C (on data already
    of unit scale nothing is rescaled). ``gtol``, if given, and :attr:`SearchResult.grad_norm`
    are in the units of the rescaled data.

    Refuses a ``problem`` of another type, an ``rng`` that is not a Generator, ``n_starts``
    and ``max_iter`` that are not integers >= 1, ``scales`` that are empty or not finite
    numbers >= 0, and a ``factor`` that is not a finite number > 0.
    """
    if np.size(scales) == 0:
        raise ValueError(f"scales must hold at least one scale; got {scales!r}")
    problem = _check_problem(problem)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    n_starts = as_positive_int("n_starts", n_starts)
    scales = [as_nonnegative_float("scales", s) for s in np.atleast_1d(scales)]
    factor = as_positive_float("factor", factor)
    unit, kx, m = _unit_problem(problem)
    if unit is not problem:  # the same survey on data of unit scale, mapped back
        sv = survey(unit, rng, n_starts=n_starts, scales=scales, max_iter=max_iter, gtol=gtol,
                    factor=factor)
        a1, a2 = 2.0 ** (m - kx), 2.0 ** m  # W1 = a1 W1_unit, W2 = a2 W2_unit
        search = replace(sv.search, W1=a1 * sv.search.W1, W2=a2 * sv.search.W2)
        patterns = [None if pat is None else
                    replace(pat, W1=a1 * pat.W1, W2=a2 * pat.W2, Wt1=a2 * pat.Wt1, Wt2=a2 * pat.Wt2)
                    for pat in sv.patterns]
        return Survey(search, patterns, sv.rtol)
    lam1 = _scale(problem)
    s1 = np.sqrt(lam1 / problem.d0) / float(np.median(problem.sigma))
    s2 = np.sqrt(lam1 / problem.d2)
    which = np.arange(n_starts) % len(scales)
    sc = np.array(scales)[which]
    W1 = sc[:, None, None] * s1 * rng.standard_normal((n_starts, problem.d1, problem.d0))
    W2 = sc[:, None, None] * s2 * rng.standard_normal((n_starts, problem.d2, problem.d1))
    res = find_critical_points(problem, W1, W2, max_iter=max_iter, gtol=gtol)
    ref = max(float(np.linalg.norm(problem.YXt)), np.finfo(np.float64).tiny)
    rtol = np.maximum(factor * np.cbrt(res.grad_norm / ref), 1e-9)
    patterns = [identify(problem, res.W1[i], res.W2[i], rtol=rtol[i]) if res.converged[i] else None
                for i in range(n_starts)]
    return Survey(res, patterns, rtol)


def support_label(support) -> str:
    """``"{0,2}"`` for the support ``(0, 2)``; other labels (``"not in C"``) unchanged.

    Refuses a ``support`` that is neither a string nor a sequence of integers >= 0."""
    if isinstance(support, str):
        return support
    if isinstance(support, bytes) or not hasattr(support, "__iter__"):
        raise TypeError(f"support must be a sequence of integer indices or a label; got {support!r}")
    return "{" + ",".join(str(as_int(f"support[{i}]", j, 0)) for i, j in enumerate(support)) + "}"


def survey_summary(sv: Survey) -> dict:
    """The per-run details of a :class:`Survey` as plain data, for a stored file.

    ``n_starts``, ``n_converged``, ``n_in_C``, ``supports`` (label -> count, by support size
    then lexicographically, :func:`support_label`) and ``worst_residual`` (the largest
    relative distance to C of an end point in C; ``None`` if there is none).

    Refuses an ``sv`` that is not a :class:`Survey`.
    """
    if not isinstance(sv, Survey):
        raise TypeError(f"sv must be a landscape.critical.Survey (from survey); got {type(sv).__name__}")
    counts = sorted(sv.counts().items(),
                    key=lambda kv: (isinstance(kv[0], str), len(kv[0]), str(kv[0])))
    res = np.array([pat.residual for pat in sv.patterns if pat is not None and pat.in_C])
    return {"n_starts": sv.n_starts, "n_converged": sv.n_converged, "n_in_C": sv.n_in_C,
            "supports": {support_label(k): int(v) for k, v in counts},
            "worst_residual": float(res.max()) if res.size else None}


# ------------------------------------------------------- Lemma 2's direction
@dataclass(frozen=True)
class CurvatureDirection:
    r"""The negative-curvature direction of the proof of Lemma 2 at a saddle in C.

    Attributes
    ----------
    V1, V2 : ndarray
        ``Delta1 = R alpha q_k^T Sigma^-1 U^T`` (d1, d0) and ``Delta2 = p_k alpha^T R^T``
        (d2, d1), not normalized (as in the proof).
    k : int
        Index of the unused singular pair ``(p_k, q_k)`` (canonical: first unused index of
        its block of equal values).
    column : int
        The column ``alpha = e_column`` of ``Ztilde`` with the least energy (the eigenvector
        of ``Ztilde^T Ztilde`` for its smallest eigenvalue).
    lam_k : float
        ``lambda_k``.
    lam_alpha : float
        ``||Wtilde2 alpha||^2 = ||Wtilde1^T alpha||^2``: 0 in case i, at most
        ``lambda_{d1+1}`` in case ii (36).
    form : float
        The proof's value of the quadratic form ``nabla^2 g[Delta, Delta]``:
        ``2 (lam_alpha - lam_k)`` (``-2 lambda_k`` in case i).
    norm2 : float
        ``||Delta||_F^2 = 1 + ||Sigma^-1 q_k||^2``.
    """

    V1: np.ndarray
    V2: np.ndarray
    k: int
    column: int
    lam_k: float
    lam_alpha: float
    form: float
    norm2: float

    @property
    def quotient(self) -> float:
        """The Rayleigh quotient ``form / norm2`` (an upper bound on ``lambda_min``)."""
        return self.form / self.norm2


def negative_curvature_direction(problem: ShallowProblem, W1, W2, k=None,
                                 rtol: float = 1e-6, basis=None) -> CurvatureDirection:
    r"""The direction of the proof of Lemma 2 along which g curves down at a saddle.

    The point is first mapped to C with :func:`identify` (it must be in C). With ``alpha``
    the column of ``Ztilde`` of least energy and ``(p_k, q_k)`` a singular pair of
    ``Ytilde`` that the point does not use, with ``lambda_k`` above that energy, the proof
    sets ``Delta2 = p_k alpha^T R^T``, ``Delta1 = R alpha q_k^T Sigma^-1 U^T`` (our
    ``W2 = Wtilde2 R^T`` convention of (12); the proof writes ``R`` for our ``R^T``). Then
    the three terms of (31) are ``2 lam_alpha``, ``0`` and ``-2 lambda_k``. With repeated
    singular values, ``p_k`` is taken in the unused part of the singular subspace.

    Parameters
    ----------
    k : int, optional
        The singular pair to use (an index in ``range(r)`` whose block has an unused
        direction). By default the pair that gives the most negative Rayleigh quotient.
    basis : (P, Q), optional
        Singular vectors of ``Ytilde`` (first ``r`` columns) to take ``p_k, q_k`` from,
        instead of the canonical ``problem.P, problem.Q``. Only the basis inside a block of
        repeated singular values matters: another basis there is another valid direction
        of the proof, with another ``norm2`` unless ``Sigma`` is a multiple of the identity
        on it.

    Raises
    ------
    ValueError
        If the weights are not in C, or the point is a global minimum (no pair qualifies),
        or ``k`` does not qualify.
    """
    problem = _check_problem(problem)
    P_all, Q_all = (problem.P, problem.Q) if basis is None else basis
    pat = identify(problem, W1, W2, rtol=rtol)
    if not pat.in_C:
        raise ValueError(
            f"the weights are not an element of Lemma 1's set C (relative distance "
            f"{pat.residual:.2e} > rtol = {rtol:g}); the proof's direction is built only there"
        )
    r = problem.rank_Y
    blocks = singular_value_blocks(problem.lam[:r])
    energy = np.array([0.0 if m < 0 else float(np.mean(problem.lam[blocks[m]])) for m in pat.columns])
    column = int(np.argmin(energy))
    lam_alpha = float(energy[column])
    # rebuild the snapped Ztilde columns in the block coordinates
    St2 = pat.W2 @ pat.R
    candidates = []
    for b, block in enumerate(blocks):
        lam_b = float(np.mean(problem.lam[block]))
        if pat.counts[b] >= block.size or lam_b <= lam_alpha:
            continue
        Pb, Qb = P_all[:, block], Q_all[:, block]
        used = [i for i, m in enumerate(pat.columns) if m == b]
        if used:
            O = Pb.T @ St2[:, used]  # (m, c), orthogonal columns of norm sqrt(lam_b)
            full, _, _ = canonical.svd(O, full_matrices=True)
            c = full[:, len(used)]  # a unit vector orthogonal to the used ones
        else:
            c = np.eye(block.size)[:, 0]
        p, q = Pb @ c, Qb @ c
        norm2 = 1.0 + float(np.sum((q / problem.sigma) ** 2))
        form = 2.0 * (lam_alpha - lam_b)
        candidates.append((form / norm2, int(block[pat.counts[b]]), b, p, q, lam_b, form, norm2))
    if k is not None:
        k = as_int("k", k)
        pick = [cand for cand in candidates if k in blocks[cand[2]]]
        if not pick:
            raise ValueError(
                f"k = {k} does not qualify: the pair must be unused by the point and have a "
                f"singular value above lambda_alpha = {lam_alpha:.6g}; "
                f"qualifying blocks start at {[cand[1] for cand in candidates]}"
            )
        cand = pick[0]
    else:
        if not candidates:
            raise ValueError(
                f"the point (support {pat.support}) is a global minimum of g: no unused singular "
                f"pair has a value above lambda_alpha = {lam_alpha:.6g}, so the proof's "
                f"construction gives no negative curvature"
            )
        cand = min(candidates, key=lambda c: c[0])
    _, kk, _, p, q, lam_k, form, norm2 = cand
    a = pat.R[:, column]  # R alpha
    V2 = np.outer(p, a)
    V1 = np.outer(a, (q / problem.sigma) @ problem.U.T)
    return CurvatureDirection(V1=V1, V2=V2, k=kk, column=column, lam_k=lam_k, lam_alpha=lam_alpha,
                              form=form, norm2=norm2)


def hessian_form_terms(problem: ShallowProblem, W1, W2, V1, V2) -> dict:
    r"""The four terms of the Hessian's quadratic form (31) of paper A along ``(V1, V2)``.

    .. math::
        \nabla^2 g[\Delta, \Delta] &= \underbrace{\|(W_2\Delta_1 + \Delta_2W_1)X\|_F^2}_{\text{fit}} \\
        &\quad + \underbrace{2\langle \Delta_2\Delta_1, (W_2W_1X - Y)X^\top\rangle}_{\text{cross}} \\
        &\quad + \underbrace{\mu\langle D, \Delta_2^\top\Delta_2 - \Delta_1XX^\top\Delta_1^\top\rangle}_{\text{imbalance}} \\
        &\quad + \underbrace{\tfrac{\mu}{2}\|W_2^\top\Delta_2 + \Delta_2^\top W_2 - W_1XX^\top\Delta_1^\top
          - \Delta_1XX^\top W_1^\top\|_F^2}_{\text{regularizer}}

    with ``Delta1 = V1``, ``Delta2 = V2`` and ``D = W2^T W2 - W1 X X^T W1^T`` (zero at every
    critical point, by (11), which is the paper's second equality in (31)). The paper prints
    ``X1`` for ``X`` in the first term.

    Refuses a ``problem`` of another type and weights or directions (one point, no batch) of
    the wrong shapes or with NaN, infinite or non-real entries.

    Returns
    -------
    dict
        ``{"fit", "cross", "imbalance", "regularizer"}`` -> float; their sum is
        ``pack(V)^T H pack(V)``."""
    problem = _check_problem(problem)
    problem._weights(V1, V2, batch=False, check_only=True, names=("V1", "V2"))
    W1, W2 = problem._weights(W1, W2, batch=False)
    V1, V2 = problem._weights(V1, V2, batch=False)
    C, mu = problem.XXt, problem.mu
    A = W2 @ V1 + V2 @ W1
    E = W2 @ W1 @ C - problem.YXt
    D = W2.T @ W2 - W1 @ C @ W1.T
    M = W2.T @ V2 - W1 @ C @ V1.T
    return {
        "fit": float(np.sum((A @ C) * A)),
        "cross": 2.0 * float(np.sum((V2 @ V1) * E)),
        "imbalance": mu * float(np.sum(D * (V2.T @ V2 - V1 @ C @ V1.T))),
        "regularizer": 0.5 * mu * float(np.sum((M + M.T) ** 2)),
    }


# ------------------------------------------------------------ symmetries
def symmetry_directions(problem: ShallowProblem, W1, W2, group: str = "rotation") -> np.ndarray:
    r"""Tangent vectors at ``(W1, W2)`` of the orbit of a symmetry group, packed as rows.

    * ``"rotation"``: ``(W1, W2) -> (R W1, W2 R^T)`` with ``R`` in ``O(d1)``, which leaves f
      and rho (so g) unchanged; tangents ``(Omega W1, -W2 Omega)`` for the
      ``d1 (d1 - 1) / 2`` skew matrices ``Omega = E_ab - E_ba``.
    * ``"general"``: ``(W1, W2) -> (A W1, W2 A^-1)`` with ``A`` invertible, which leaves f
      unchanged (not rho); tangents ``(E W1, -W2 E)`` for the ``d1^2`` matrix units ``E``.

    Every tangent of a symmetry of the objective lies in the Hessian's null space at a
    critical point. Returns an array of shape ``(m, n_params)``; the rows need not be
    independent (the orbit's dimension is the rank).

    Refuses a ``problem`` of another type, weights of the wrong shapes or with NaN, infinite
    or non-real entries, an unknown ``group``, and (before allocating it) an ``(m, n_params)``
    array above the dense-size limit.
    """
    problem = _check_problem(problem)
    check_dense("W1, W2", problem.n_params, columns=problem.d1 ** 2 if group == "general" else
                problem.d1 * (problem.d1 - 1) // 2, what="array of orbit tangents")
    W1, W2 = problem._weights(W1, W2, batch=False)
    d1 = problem.d1
    if group == "rotation":
        gens = []
        for a, b in combinations(range(d1), 2):
            E = np.zeros((d1, d1))
            E[a, b], E[b, a] = 1.0, -1.0
            gens.append(E)
    elif group == "general":
        gens = [np.eye(d1)[:, [a]] @ np.eye(d1)[[b], :] for a in range(d1) for b in range(d1)]
    else:
        raise ValueError(f"group must be 'rotation' or 'general'; got {group!r}")
    rows = [np.concatenate([(E @ W1).ravel(), (-W2 @ E).ravel()]) for E in gens]
    return np.array(rows).reshape(len(rows), problem.n_params)


@dataclass(frozen=True)
class FlatDirections:
    """The Hessian's null space at a point, next to the orbit of a symmetry group there.

    Attributes
    ----------
    zeros : int
        Number of Hessian eigenvalues whose magnitude is below ``rtol`` times the largest.
    orbit_dim : int
        Dimension of the group orbit through the point: the rank of its tangent vectors
        (:func:`symmetry_directions`).
    psd : bool
        Whether the smallest eigenvalue is above ``-rtol`` times the largest magnitude.
    leak : float
        ``max |H t|`` over the orbit tangents ``t``, relative to the largest eigenvalue
        magnitude: zero (to roundoff) when the tangents are in the null space.
    """

    zeros: int
    orbit_dim: int
    psd: bool
    leak: float


def flat_directions(problem: ShallowProblem, W1, W2, group: str = "rotation",
                    rtol: float = 1e-9) -> FlatDirections:
    """Count the zero Hessian eigenvalues of ``problem`` at ``(W1, W2)`` and the orbit dimension.

    ``group`` is passed to :func:`symmetry_directions` (``"rotation"`` for g, ``"general"``
    for f). Uses the dense Hessian (small problems): refuses, before allocating it, a
    Hessian above the dense-size limit, as well as a ``problem`` of another type, weights of
    the wrong shapes or with NaN, infinite or non-real entries, an unknown ``group`` and a
    negative or non-finite ``rtol``.
    """
    rtol = as_nonnegative_float("rtol", rtol)
    problem = _check_problem(problem)
    H = problem.hessian(W1, W2)
    ev = np.linalg.eigvalsh(H)
    scale = max(float(np.abs(ev).max()), np.finfo(np.float64).tiny)
    T = symmetry_directions(problem, W1, W2, group=group)
    return FlatDirections(
        zeros=int(np.count_nonzero(np.abs(ev) < rtol * scale)),
        orbit_dim=int(np.linalg.matrix_rank(T)) if T.size else 0,
        psd=bool(ev[0] > -rtol * scale),
        leak=float(np.abs(T @ H).max() / scale) if T.size else 0.0,
    )
