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

For example, the fit of the five matrices is exact up to roundoff:

>>> import numpy as np
>>> from landscape.theory.paper_a.lemma1 import problem_with_spectrum
>>> p = problem_with_spectrum([2.2, 2.0, 2.0, 0.5], d0=4, d1=2, d2=4, mu=0.125,
...                           rng=np.random.default_rng(5))
>>> t = tie_circle(p, (1,), n=64)               # support (1,): one vector of the tied pair
>>> bool(t.fit_residual < 1e-12)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ... import canonical
from ..._checks import as_int, as_positive_int
from ...theory.paper_a.lemma1 import check_problem, critical_point, singular_value_blocks

__all__ = ["TieCircle", "TieRotations", "tie_circle", "tie_rotations"]


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


@dataclass(frozen=True)
class TieRotations:
    """``lambda_min`` of the Hessian over every basis of a tied block of three (see
    :func:`tie_rotations`).

    Attributes
    ----------
    support : tuple of int
    used : int
        How many vectors of the block the support uses (0 to 3).
    n : int
        Grid points per angle (``n^2`` points; 1 when ``used`` is 0 or 3).
    grid_low, grid_high : float
        The smallest and largest ``lambda_min`` on the grid.
    fit_residual : float
        The closed form against the Hessian assembled directly at ``n_checks`` random angles,
        ``max ||H - poly||_2 / max ||H||_2`` (roundoff when the form holds; 0 when the form
        is a constant).
    symmetry_residual : float
        The largest change of the sorted Hessian spectrum, relative to ``max ||H||_2``, when
        the third angle (or, for ``used`` 0 or 3, the whole rotation) is drawn at random:
        the symmetry that reduces every rotation to the grid's two angles.
    margin : float
        The largest amount by which the certified bound of a grid cell exceeds the grid
        value at its centre.
    upper : float
        A certified upper bound on ``lambda_min`` at every basis of the block.
    """

    support: tuple
    used: int
    n: int
    grid_low: float
    grid_high: float
    fit_residual: float
    symmetry_residual: float
    margin: float
    upper: float


def _rz(t):
    return np.array([[np.cos(t), -np.sin(t), 0.0], [np.sin(t), np.cos(t), 0.0], [0.0, 0.0, 1.0]])


def _ry(t):
    return np.array([[np.cos(t), 0.0, np.sin(t)], [0.0, 1.0, 0.0], [-np.sin(t), 0.0, np.cos(t)]])


def _rotated_hessian(problem, support, block, O):
    r = problem.rank_Y
    P, Q = problem.P[:, :r].copy(), problem.Q[:, :r].copy()
    P[:, block] = P[:, block] @ O
    Q[:, block] = Q[:, block] @ O
    pt = critical_point(problem, support, basis=(P, Q))
    return problem.hessian(pt.W1, pt.W2)


def tie_rotations(problem, support, n: int = 128, n_checks: int = 6) -> TieRotations:
    r"""A certified upper bound on ``lambda_min`` at one element of C over *every* basis of a
    tied block of three singular values.

    The bases of the block are ``(P_b O, Q_b O)``, ``O`` orthogonal (the same ``O`` on both
    sides keeps ``P diag(lam) Q^T``). The element of C uses ``k`` vectors of the block. A
    rotation of the used vectors among themselves, or of the unused ones, is absorbed by the
    element's rotation ``R`` (equal singular values; ``g`` is invariant under
    ``(W1, W2) -> (G W1, W2 G^T)``, ``G`` orthogonal, and the Hessian is orthogonally similar),
    and so is a sign flip. So the spectrum is constant when ``k`` is 0 or 3, and otherwise
    depends only on one unit vector ``u`` (the used vector if ``k = 1``, the normal of the
    used plane if ``k = 2``). With ``m`` that block position and ``Pi`` a permutation with
    ``Pi e_m = e_3``, ``O(a, b) = Rz(a) Ry(b) Pi`` puts ``u = Rz(a) Ry(b) e_3`` anywhere on the
    sphere (``a, b`` in ``[0, 2 pi)``). The weights are linear in the entries of ``O``, each a
    product of one ``cos``/``sin`` of each angle, and the Hessian is quadratic in the weights, so

    .. math::
        H(a, b) = \sum_{|f_a|, |f_b| \le 2} C_f\, e^{i(f_a a + f_b b)}

    exactly (the 25 matrices are the discrete Fourier transform of ``H`` on the ``5 x 5`` grid
    of angles ``2 pi k / 5``). At each point ``x_g`` of an ``n x n`` grid, with ``v`` the unit
    eigenvector of ``lambda_min``, ``q(x) = v^T H(x) v`` is a scalar trigonometric polynomial
    with coefficients ``c_f = v^T C_f v``, and ``lambda_min(H(x)) <= q(x)``. Taylor's formula
    bounds ``q`` on the cell ``|x - x_g|_inf <= h / 2`` (``h = 2 pi / n``) by

    .. math::
        \lambda_{\min}(x_g) + \tfrac h2\,(|\partial_a q| + |\partial_b q|)(x_g)
        + \tfrac12 \bigl(\tfrac h2\bigr)^2 \sum_f |c_f|\,(|f_a| + |f_b|)^2 ,

    and ``upper`` is the largest of these over the cells, which cover every angle. Two checks
    would fail if the premises were wrong: the closed form against the directly assembled
    Hessian at ``n_checks`` random angles (``fit_residual``), and the spectrum's independence
    of a third angle ``Rz(c)`` (``symmetry_residual``).

    Refuses a ``problem`` of another type or without exactly one block of three tied
    singular values of ``YV``, a ``support`` that is not a sequence of integer indices, an
    ``n`` below 5 and an ``n_checks`` below 1.
    """
    problem = check_problem(problem)
    n = as_positive_int("n", n)
    if n < 5:
        raise ValueError(f"n must be at least 5; got {n}")
    n_checks = as_positive_int("n_checks", n_checks)
    if isinstance(support, (str, bytes)) or not hasattr(support, "__iter__"):
        raise TypeError(f"support must be a sequence of integer indices; got {support!r}")
    support = tuple(sorted(as_int(f"support[{i}]", j, 0) for i, j in enumerate(support)))
    blocks = [b for b in singular_value_blocks(problem.lam[:problem.rank_Y]) if b.size > 1]
    if len(blocks) != 1 or blocks[0].size != 3:
        raise ValueError("problem: tie_rotations needs exactly one block of three tied singular values of YV; "
                         f"got blocks of sizes {[b.size for b in blocks]}")
    block = blocks[0]
    used = [i for i, j in enumerate(block) if j in support]
    rng = np.random.default_rng(0)
    checks = rng.uniform(0, 2 * np.pi, (n_checks, 3))
    spec = lambda H: np.linalg.eigvalsh(H)                                   # noqa: E731
    if len(used) in (0, 3):
        H0 = _rotated_hessian(problem, support, block, np.eye(3))
        scale = max(float(np.linalg.norm(H0, 2)), np.finfo(float).tiny)
        sym = max(float(np.abs(spec(_rotated_hessian(problem, support, block, _rz(a) @ _ry(b) @ _rz(c)))
                               - spec(H0)).max()) for a, b, c in checks) / scale
        lam0 = float(spec(H0)[0])
        return TieRotations(support, len(used), 1, lam0, lam0, 0.0, sym, 0.0, lam0)
    m = used[0] if len(used) == 1 else next(i for i in range(3) if i not in used)
    Pi = np.zeros((3, 3))
    Pi[2, m] = 1.0
    for col, row in zip([i for i in range(3) if i != m], (0, 1)):
        Pi[row, col] = 1.0

    def hess(a, b, c=0.0):
        return _rotated_hessian(problem, support, block, _rz(a) @ _ry(b) @ _rz(c) @ Pi)

    t5 = 2 * np.pi * np.arange(5) / 5
    H5 = np.array([[hess(a, b) for b in t5] for a in t5])
    C = np.fft.fft2(H5, axes=(0, 1)) / 25.0                                  # C[fa, fb]
    freq = np.fft.fftfreq(5, 1 / 5)
    scale = max(float(np.linalg.norm(H5, 2, axis=(-2, -1)).max()), np.finfo(float).tiny)

    def poly(a, b):
        return np.einsum("f,g,fgij->ij", np.exp(1j * freq * a), np.exp(1j * freq * b), C).real

    fit = max(float(np.linalg.norm(poly(a, b) - hess(a, b), 2)) for a, b, _ in checks) / scale
    sym = max(float(np.abs(spec(hess(a, b, c)) - spec(hess(a, b))).max()) for a, b, c in checks) / scale
    t = 2 * np.pi * np.arange(n) / n
    E = np.exp(1j * np.outer(t, freq))                                       # (n, 5)
    H = np.einsum("af,bg,fgij->abij", E, E, C).real                          # (n, n, d, d)
    w, vec = np.linalg.eigh(H)
    lam, v = w[..., 0], vec[..., 0].copy()                                   # (n, n), (n, n, d)
    # the bound depends on v only through v v^T (not on its sign); where lambda_min is tied, the
    # vector is a free choice inside its eigenspace, made by landscape.canonical
    for a, b in zip(*np.nonzero(w[..., 1] - w[..., 0] <= 1e-9 * np.maximum(1.0, np.abs(w[..., 0])))):
        v[a, b] = canonical.eigh(H[a, b])[1][:, 0]
    c = np.einsum("abi,fgij,abj->abfg", v, C, v)                             # v^T C_f v
    phase = np.einsum("af,bg->abfg", E, E)
    da = np.abs(np.sum(1j * freq[:, None] * c * phase, axis=(2, 3)).real)
    db = np.abs(np.sum(1j * freq[None, :] * c * phase, axis=(2, 3)).real)
    curv = np.sum(np.abs(c) * (np.abs(freq)[:, None] + np.abs(freq)[None, :]) ** 2, axis=(2, 3))
    h2 = np.pi / n
    bound = lam + h2 * (da + db) + 0.5 * h2**2 * curv
    return TieRotations(support, len(used), n, float(lam.min()), float(lam.max()), fit, sym,
                        float((bound - lam).max()), float(bound.max()))
