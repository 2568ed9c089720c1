"""Paper A, Lemma 2: every element of C that is not a global minimum is a strict saddle.

This module holds the bound (16)/(17) on the smallest Hessian eigenvalue at every saddle
(:func:`saddle_bound`), its check over the whole set C (:func:`check_saddles`,
:class:`SaddleCheck`, with the exact eigenvalues of :func:`smallest_eigenvalues_at`), the
dependence of both on the basis chosen inside tied singular values (:func:`tied_bases`,
:func:`tie_dependence`, :class:`TieDependence`), and the proof's own computation: the
negative-curvature direction (:func:`negative_curvature_direction`,
:class:`CurvatureDirection`) and the terms of the Hessian's quadratic form (31)
(:func:`hessian_form_terms`). The set C itself is :mod:`landscape.theory.paper_a.lemma1`;
the bound over a whole circle of tied bases is :mod:`landscape.theory.paper_a.ties`.

The direction of the proof at a saddle in C is ``Delta2 = p_k alpha^T R^T`` and
``Delta1 = R alpha q_k^T Sigma^-1 U^T`` (in the convention ``W2 = Wtilde2 R^T`` of (12)); the
proof computes the Hessian's quadratic form along it, ``2 (||Wtilde2 alpha||^2 - lambda_k)``,
and its norm ``1 + ||Sigma^-1 q_k||^2``.

For example, at a saddle of C the smallest Hessian eigenvalue is below the bound, which is
negative:

>>> import numpy as np
>>> from landscape.theory.paper_a.lemma1 import critical_point, problem_with_spectrum
>>> from landscape.optim.curvature import smallest_eigenvalue
>>> p = problem_with_spectrum([3.0, 2.0, 1.0], d0=3, d1=2, d2=3, mu=0.5,
...                           rng=np.random.default_rng(0))
>>> c = critical_point(p, (0, 2))               # not the global support (0, 1): a saddle
>>> bool(smallest_eigenvalue(p, c.W1, c.W2) <= saddle_bound(p) < 0)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ... import canonical
from ..._checks import as_bool, as_generator, as_int, as_positive_int, check_dense
from ...models.shallow import ShallowProblem, check_problem
from ...theory.paper_a.lemma1 import (
    TIE_RTOL,
    critical_point,
    critical_points,
    haar_orthogonal,
    identify,
    is_global_support,
    singular_value_blocks,
)

__all__ = ['CurvatureDirection', 'SaddleCheck', 'TieDependence', 'check_saddles', 'hessian_form_terms', 'negative_curvature_direction', 'saddle_bound', 'smallest_eigenvalues_at', 'tie_dependence', 'tied_bases']


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
    problem = check_problem(problem)
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
        Objects with attributes ``W1`` and ``W2`` (e.g. :class:`~landscape.theory.paper_a.lemma1.CriticalPoint` from
        :func:`~landscape.theory.paper_a.lemma1.critical_points`), all of the problem's shapes.

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
    from ...optim.curvature import smallest_eigenvalues

    problem = check_problem(problem)
    if isinstance(points, (str, bytes)) or not hasattr(points, "__iter__"):
        raise TypeError(f"points must be a sequence of objects with W1 and W2; got {type(points).__name__}")
    points = list(points)
    for i, c in enumerate(points):
        if not (hasattr(c, "W1") and hasattr(c, "W2")):
            raise TypeError(f"points[{i}] must have attributes W1 and W2 (e.g. a CriticalPoint); "
                            f"got {type(c).__name__}")
        problem.as_weights(c.W1, c.W2, batch=False, check_only=True,
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
    """List C (:func:`~landscape.theory.paper_a.lemma1.critical_points` with ``rng``) and the exact ``lambda_min`` at every element.

    Together with the two readings of Lemma 2's bound, this is everything needed to check
    the lemma on the problem: the global minima should have the minimum value and a
    positive semidefinite Hessian, every other element ``lam_min <= bound < 0``.

    Refuses a ``problem`` of another type and an ``rng`` that is neither None nor a Generator.
    """
    problem = check_problem(problem)
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
    problem = check_problem(problem)
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
                O = haar_orthogonal(rng, block.size)
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
        One support per element of C (:func:`~landscape.theory.paper_a.lemma1.critical_points` order).
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
    problem = check_problem(problem)
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

    The point is first mapped to C with :func:`~landscape.theory.paper_a.lemma1.identify` (it must be in C). With ``alpha``
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
    problem = check_problem(problem)
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
    problem = check_problem(problem)
    problem.as_weights(V1, V2, batch=False, check_only=True, names=("V1", "V2"))
    W1, W2 = problem.as_weights(W1, W2, batch=False)
    V1, V2 = problem.as_weights(V1, V2, batch=False)
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
