r"""The smallest Hessian eigenvalue over a whole circle of tied singular vectors.

When two singular values of ``Ytilde`` are equal, the singular vectors of the tied pair are
any orthonormal basis of a plane: ``(p, p') -> (p, p') O(theta)`` (and the same on the ``q``
side). An element of C that uses one vector of the pair is then a whole circle of critical
points, ``theta in [0, pi)`` (``theta + pi`` flips signs, which the rotation ``R`` absorbs),
and unless ``X X^T`` is a multiple of the identity its Hessian spectrum moves along it.

A grid of angles only samples the circle. :func:`tie_circle` turns the grid into a
statement about every angle: the weights are linear in ``(cos theta, sin theta)`` and the
Hessian of g is quadratic in the weights, so

.. math::
    H(\theta) = H_0 + \sum_{m=1}^{2} \bigl(C_m \cos m\theta + S_m \sin m\theta\bigr)

exactly. The five matrices are fitted on the grid (the fit's residual, reported, is at
roundoff level when the structure holds), and Weyl's inequality gives
``|lambda_min(theta) - lambda_min(theta')| <= L |theta - theta'|`` with
``L = sum_m m (||C_m||_2 + ||S_m||_2)``. So every angle is within ``L h / 2`` of a grid
value, ``h = pi / n``: ``max_theta lambda_min <= max_grid + L h / 2``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..._checks import as_int, as_positive_int
from ...theory.paper_a.lemma1 import check_problem, critical_point, singular_value_blocks

__all__ = ['TieCircle', 'tie_circle']


@dataclass(frozen=True)
class TieCircle:
    """``lambda_min`` of the Hessian along the circle of one support (see :func:`tie_circle`).

    Attributes
    ----------
    support : tuple of int
    angles : ndarray (n,)
        The grid ``j pi / n``.
    lam_min : ndarray (n,)
        ``lambda_min`` on the grid.
    fit_residual : float
        ``max_j ||H(theta_j) - fit(theta_j)||_2`` relative to ``max_j ||H(theta_j)||_2``.
    lipschitz : float
        ``L`` of the module docstring.
    low, high : float
        The minimum and maximum of ``lambda_min`` over the circle, refined from the grid by
        a bounded scalar search (converged values).
    upper : float
        A certified upper bound over every angle, ``max(grid) + L h / 2``.
    lower : float
        A certified lower bound over every angle, ``min(grid) - L h / 2``.
    """

    support: tuple
    angles: np.ndarray
    lam_min: np.ndarray
    fit_residual: float
    lipschitz: float
    low: float
    high: float
    upper: float
    lower: float


def _tied_pair(problem):
    r = problem.rank_Y
    pairs = [b for b in singular_value_blocks(problem.lam[:r]) if b.size > 1]
    if len(pairs) != 1 or pairs[0].size != 2:
        raise ValueError("problem: tie_circle needs exactly one block of two tied singular values of YV; "
                         f"got blocks of sizes {[b.size for b in pairs]}")
    return pairs[0]


def _point_hessian(problem, support, block, theta):
    r = problem.rank_Y
    P, Q = problem.P[:, :r].copy(), problem.Q[:, :r].copy()
    c, s = np.cos(theta), np.sin(theta)
    O = np.array([[c, -s], [s, c]])
    P[:, block] = P[:, block] @ O
    Q[:, block] = Q[:, block] @ O
    pt = critical_point(problem, support, basis=(P, Q))
    return problem.hessian(pt.W1, pt.W2)


def _lam_min(problem, support, block, theta) -> float:
    return float(np.linalg.eigvalsh(_point_hessian(problem, support, block, theta))[0])


def tie_circle(problem, support, n: int = 64) -> TieCircle:
    """``lambda_min`` over the circle of bases of the one tied pair, with certified bounds.

    Parameters
    ----------
    problem : ShallowProblem
        ``Ytilde`` must have exactly one pair of equal singular values (a block of two).
    support : iterable of int
        The element of C (0-based support, :func:`landscape.theory.paper_a.lemma1.critical_point`).
    n : int
        Grid size on ``[0, pi)`` (at least 5).

    Refuses a ``problem`` of another type or without exactly one tied pair, a ``support``
    that is not a sequence of integer indices (checked as
    :func:`landscape.theory.paper_a.lemma1.critical_point` checks it) and an ``n`` below 5.
    """
    from scipy.optimize import minimize_scalar

    problem = check_problem(problem)
    n = as_positive_int("n", n)
    if n < 5:
        raise ValueError(f"n must be at least 5 (five matrices are fitted); got {n}")
    if isinstance(support, (str, bytes)) or not hasattr(support, "__iter__"):
        raise TypeError(f"support must be a sequence of integer indices; got {support!r}")
    support = tuple(sorted(as_int(f"support[{i}]", j, 0) for i, j in enumerate(support)))
    block = _tied_pair(problem)
    th = np.arange(n) * np.pi / n
    H = np.array([_point_hessian(problem, support, block, t) for t in th])
    lam = np.linalg.eigvalsh(H)[:, 0]
    basis = np.stack([np.ones(n), np.cos(th), np.sin(th), np.cos(2 * th), np.sin(2 * th)], axis=1)
    flat = H.reshape(n, -1)
    coef, *_ = np.linalg.lstsq(basis, flat, rcond=None)
    fit = (basis @ coef).reshape(H.shape)
    scale = max(float(np.linalg.norm(H, 2, axis=(1, 2)).max()), np.finfo(float).tiny)
    fit_residual = float(np.linalg.norm(H - fit, 2, axis=(1, 2)).max()) / scale
    M = coef.reshape(5, *H.shape[1:])
    norm2 = lambda A: float(np.linalg.norm(A, 2))
    L = norm2(M[1]) + norm2(M[2]) + 2 * (norm2(M[3]) + norm2(M[4]))
    h = np.pi / n

    def refine(sign):
        j = int(np.argmin(sign * lam))
        res = minimize_scalar(lambda t: sign * _lam_min(problem, support, block, t),
                              bounds=(th[j] - h, th[j] + h), method="bounded",
                              options={"xatol": 1e-10})
        return min(sign * lam[j], float(res.fun)) * sign

    return TieCircle(support=support, angles=th, lam_min=lam, fit_residual=fit_residual,
                     lipschitz=L, low=refine(1.0), high=refine(-1.0),
                     upper=float(lam.max()) + L * h / 2, lower=float(lam.min()) - L * h / 2)
