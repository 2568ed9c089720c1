r"""What earlier results on shallow linear networks assume: Table I of paper A as code.

Table I of paper A lists five earlier results on the landscape of
``f(W1, W2) = 1/2 ||W2 W1 X - Y||_F^2`` and paper A's Theorem 2, each with the conditions under
which it holds. Here each result is a function of the data ``(X, Y)`` and the hidden width
``d1`` that evaluates every one of its conditions and returns a :class:`Verdict`: which
conditions hold, which fail, and what the result then concludes.

Conditions are evaluated numerically: a rank is the number of singular values above
NumPy's default tolerance (``s_max * max(shape) * eps``); two eigenvalues are distinct when
they differ by more than ``rtol`` times the largest.

The results, in Table I's order:

* :func:`baldi_hornik` -- [15, Fact 4], Baldi and Hornik (1989): no spurious local minima of f.
* :func:`kawaguchi` -- [16, Theorem 2.3], Kawaguchi (2016), paper A's Theorem 3: no spurious
  local minima of f and the strict saddle property.
* :func:`lu_kawaguchi` -- [24, Theorem 2.1], Lu and Kawaguchi (2017): no spurious local minima.
* :func:`laurent_von_brecht` -- [25, Theorem 1], Laurent and von Brecht (2018): no spurious
  local minima (for any convex differentiable loss of ``W2 W1``).
* :func:`corollary1` -- [26, Theorem 3] as paper A's Corollary 1: the objective h of (6) (a
  balancing regularizer without ``X``) has no spurious local minima and strict saddles.
* :func:`theorem2` -- paper A's Theorem 2: the objective g of (2).

Paper A contradicts itself on [25]: Table I gives the condition ``d1 >= min(d0, d2)``, and
Section III-B says ``d1 <= min(d0, d2)`` ("the hidden layer is narrower than the input and
output layers"). The theorem of [25] (hidden layers at least as wide as the input or the
output layer) is Table I's reading; :func:`laurent_von_brecht` uses it, and
``reading="section III-B"`` evaluates the other one for comparison.

For example, Theorem 2 holds exactly when ``X X^T`` has full rank:

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> X, Y = rng.standard_normal((3, 10)), rng.standard_normal((4, 10))
>>> theorem2(X, Y, 2).holds                     # X X^T has full rank
True
>>> theorem2(np.zeros((3, 10)), Y, 2).holds
False
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..._checks import as_matrix, as_nonnegative_float, as_positive_int

__all__ = ['RESULTS', 'Verdict', 'baldi_hornik', 'corollary1', 'corollary1_bound', 'isometry_constants',
    'kawaguchi', 'laurent_von_brecht', 'lu_kawaguchi', 'table1', 'theorem2']


#: Relative gap under which two eigenvalues count as equal.
DISTINCT_RTOL = 1e-9


NO_SPURIOUS = "no spurious local minima"


STRICT = "strict saddle property"


@dataclass(frozen=True)
class Verdict:
    """Whether one result of Table I applies to given data.

    Attributes
    ----------
    result : str
        The result, as cited in paper A (e.g. ``"[16, Theorem 2.3]"``).
    authors : str
        Short name (e.g. ``"Kawaguchi"``).
    objective : str
        The objective the result is about: ``"f"`` (1), ``"g"`` (2) or ``"h"`` (6).
    conditions : dict
        Condition (as a short formula) -> whether it holds, in the order the result states them.
    conclusions : tuple of str
        What the result concludes when all its conditions hold.
    """

    result: str
    authors: str
    objective: str
    conditions: dict
    conclusions: tuple

    @property
    def holds(self) -> bool:
        """All conditions hold (the result applies)."""
        return all(self.conditions.values())

    @property
    def failed(self) -> list:
        """The conditions that fail, in order."""
        return [name for name, ok in self.conditions.items() if not ok]

    def __str__(self) -> str:
        state = "applies" if self.holds else "fails: " + "; ".join(self.failed)
        return f"{self.authors} {self.result}: {state}"


def _data(X, Y, d1):
    X = as_matrix("X", X)
    Y = as_matrix("Y", Y)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"X and Y must have the same number of samples (columns); X has N = {X.shape[1]}, "
            f"Y has {Y.shape[1]}"
        )
    return X, Y, as_positive_int("d1", d1)


def _rank(s: np.ndarray, shape) -> int:
    if s.size == 0 or s[0] == 0.0:
        return 0
    return int(np.count_nonzero(s > s[0] * max(shape) * np.finfo(np.float64).eps))


def _full_row_rank(A: np.ndarray) -> bool:
    return _rank(np.linalg.svd(A, compute_uv=False), A.shape) == A.shape[0]


def _projected_targets(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """``Y V`` with ``V`` an orthonormal basis of the row space of X (``Y P_X Y^T = (YV)(YV)^T``)."""
    _, s, Vt = np.linalg.svd(X, full_matrices=False)
    k = _rank(s, X.shape)
    return Y @ Vt[:k].T


def _kawaguchi_conditions(X, Y) -> dict:
    d0, d2 = X.shape[0], Y.shape[0]
    full_x = _full_row_rank(X)
    # eigenvalues of Y X^T (X X^T)^-1 X Y^T = (YV)(YV)^T: squares of the singular values of YV,
    # padded with zeros up to d2
    lam = np.zeros(d2)
    s = np.linalg.svd(_projected_targets(X, Y), compute_uv=False)
    lam[: s.size] = s**2
    lam = np.sort(lam)[::-1]
    distinct = bool(d2 == 1 or np.all(-np.diff(lam) > DISTINCT_RTOL * max(lam[0], np.finfo(float).tiny)))
    return {
        "XX^T full rank": full_x,
        "YY^T full rank": _full_row_rank(Y),
        "d2 <= d0": d2 <= d0,
        "YX^T(XX^T)^-1XY^T has d2 distinct eigenvalues": full_x and distinct,
    }


def baldi_hornik(X, Y, d1) -> Verdict:
    """[15, Fact 4] (Baldi and Hornik 1989), with the conditions of Table I.

    ``X X^T`` and ``Y Y^T`` of full rank, ``d2 <= d0``, and ``Y X^T (X X^T)^-1 X Y^T`` with
    ``d2`` distinct eigenvalues. Concludes: f has no spurious local minima (saddles not
    discussed).

    Refuses ``X`` and ``Y`` that are not non-empty 2-D arrays of finite real numbers with the
    same number of columns, and a ``d1`` that is not an integer >= 1.
    """
    X, Y, d1 = _data(X, Y, d1)
    return Verdict("[15, Fact 4]", "Baldi-Hornik", "f", _kawaguchi_conditions(X, Y), (NO_SPURIOUS,))


def kawaguchi(X, Y, d1) -> Verdict:
    """[16, Theorem 2.3] (Kawaguchi 2016), paper A's Theorem 3.

    Same conditions as :func:`baldi_hornik`; concludes that f has no spurious local minima
    and obeys the strict saddle property.

    Refuses ``X`` and ``Y`` that are not non-empty 2-D arrays of finite real numbers with the
    same number of columns, and a ``d1`` that is not an integer >= 1.
    """
    X, Y, d1 = _data(X, Y, d1)
    return Verdict("[16, Theorem 2.3]", "Kawaguchi", "f", _kawaguchi_conditions(X, Y), (NO_SPURIOUS, STRICT))


def lu_kawaguchi(X, Y, d1) -> Verdict:
    """[24, Theorem 2.1] (Lu and Kawaguchi 2017): ``X X^T`` and ``Y Y^T`` of full rank.

    Concludes: f has no spurious local minima.

    Refuses ``X`` and ``Y`` that are not non-empty 2-D arrays of finite real numbers with the
    same number of columns, and a ``d1`` that is not an integer >= 1.
    """
    X, Y, d1 = _data(X, Y, d1)
    conditions = {"XX^T full rank": _full_row_rank(X), "YY^T full rank": _full_row_rank(Y)}
    return Verdict("[24, Theorem 2.1]", "Lu-Kawaguchi", "f", conditions, (NO_SPURIOUS,))


def laurent_von_brecht(X, Y, d1, reading: str = "table") -> Verdict:
    """[25, Theorem 1] (Laurent and von Brecht 2018) applied to (1).

    Refuses ``X`` and ``Y`` that are not non-empty 2-D arrays of finite real numbers with the
    same number of columns, and a ``d1`` that is not an integer >= 1, and an unknown
    ``reading``.

    Parameters
    ----------
    reading : {"table", "section III-B"}
        ``"table"`` (the default, the book's reading): ``d1 >= min(d0, d2)``, the hidden
        layer at least as wide as the input or the output layer, as in Table I and in [25]
        itself. ``"section III-B"``: ``d1 <= min(d0, d2)``, as printed in Section III-B of
        paper A.

    Concludes: f has no spurious local minima (nothing is assumed about X or Y).
    """
    X, Y, d1 = _data(X, Y, d1)
    d0, d2 = X.shape[0], Y.shape[0]
    if reading == "table":
        conditions = {"d1 >= min(d0, d2)": d1 >= min(d0, d2)}
    elif reading == "section III-B":
        conditions = {"d1 <= min(d0, d2)": d1 <= min(d0, d2)}
    else:
        raise ValueError(f"reading must be 'table' or 'section III-B'; got {reading!r}")
    return Verdict("[25, Theorem 1]", "Laurent-von Brecht", "f", conditions, (NO_SPURIOUS,))


def isometry_constants(X) -> tuple[float, float]:
    r"""The best constants ``(alpha, beta)`` of condition (4) of Corollary 1.

    ``alpha ||A||_F^2 <= trace(A X X^T A^T) <= beta ||A||_F^2`` for all ``A`` of rank at most
    ``4 d1``. Since ``trace(A X X^T A^T) = sum_i a_i^T X X^T a_i`` over the rows ``a_i`` of A,
    and a rank-one ``A = u v^T`` attains every Rayleigh quotient of ``X X^T``, the best
    constants are the extreme eigenvalues of ``X X^T`` whatever the rank bound.

    Refuses ``X`` that is not a non-empty 2-D array of finite real numbers.
    """
    X = as_matrix("X", X)
    ev = np.linalg.eigvalsh(X @ X.T)
    return float(max(ev[0], 0.0)), float(ev[-1])


def corollary1(X, Y, d1, mu=None) -> Verdict:
    """[26, Theorem 3] as paper A's Corollary 1 (about the objective h of (6)).

    Conditions: ``d1 <= min(d0, d2)``; (4) with ``beta / alpha <= 1.5`` (see
    :func:`isometry_constants`); (5): the least-squares solution ``W* = Y X^T (X X^T)^-1`` has
    ``0 < rank(W*) <= d1`` (``rank W* = rank(Y V)``); and, if ``mu`` is given,
    ``0 < mu <= alpha / 16``. (With ``X X^T`` singular, (4) fails: ``alpha = 0``.)

    Refuses ``X`` and ``Y`` that are not non-empty 2-D arrays of finite real numbers with the
    same number of columns, and a ``d1`` that is not an integer >= 1, and a ``mu`` that is
    negative or not finite.
    """
    X, Y, d1 = _data(X, Y, d1)
    d0, d2 = X.shape[0], Y.shape[0]
    alpha, beta = isometry_constants(X)
    full_x = _full_row_rank(X)
    ratio_ok = bool(full_x and alpha > 0 and beta <= 1.5 * alpha)
    Yt = _projected_targets(X, Y)
    r = _rank(np.linalg.svd(Yt, compute_uv=False), Yt.shape) if Yt.size else 0
    conditions = {
        "d1 <= min(d0, d2)": d1 <= min(d0, d2),
        "(4): beta/alpha <= 1.5": ratio_ok,
        "(5): 0 < rank(W*) <= d1": 0 < r <= d1,
    }
    if mu is not None:
        mu = as_nonnegative_float("mu", mu)
        conditions["0 < mu <= alpha/16"] = bool(0 < mu <= alpha / 16)
    return Verdict("[26, Theorem 3]", "Corollary 1", "h", conditions, (NO_SPURIOUS, STRICT))


def theorem2(X, Y, d1) -> Verdict:
    """Paper A's Theorem 2: ``X X^T`` of full rank (any ``mu > 0``; nothing on Y or the sizes).

    Refuses ``X`` and ``Y`` that are not non-empty 2-D arrays of finite real numbers with the
    same number of columns, and a ``d1`` that is not an integer >= 1.
    """
    X, Y, d1 = _data(X, Y, d1)
    conditions = {"XX^T full rank": _full_row_rank(X)}
    return Verdict("Theorem 2", "Paper A", "g", conditions, (NO_SPURIOUS, STRICT))


#: The results of Table I, in its order (functions of ``(X, Y, d1)``).
RESULTS = (baldi_hornik, kawaguchi, lu_kawaguchi, laurent_von_brecht, corollary1, theorem2)


def table1(X, Y, d1) -> list[Verdict]:
    """Every result of Table I evaluated on ``(X, Y, d1)``, in the table's order.

    Refuses ``X`` and ``Y`` that are not non-empty 2-D arrays of finite real numbers with the
    same number of columns, and a ``d1`` that is not an integer >= 1.
    """
    return [result(X, Y, d1) for result in RESULTS]


def corollary1_bound(W1, W2, W_star, alpha: float) -> float:
    r"""The right side of (7), Corollary 1's bound on ``lambda_min`` of the Hessian of h.

    .. math::
        \lambda_{\min} \le \begin{cases}
        -0.08\,\alpha\,\sigma_{d_1}(W^\star) & d_1 = r^\star \\
        -0.05\,\alpha\,\min\{\sigma_{r_c}^2(W_2W_1),\ \sigma_{r^\star}(W^\star)\} & d_1 > r^\star \\
        -0.1\,\alpha\,\sigma_{r^\star}(W^\star) & r_c = 0
        \end{cases}

    with ``r* = rank(W*)`` and ``r_c = rank(W2 W1)``. Paper A prints ``r_c`` as the rank of
    ``W1 W2``, a product that is not defined unless ``d0 = d2``; we read ``W2 W1``. The case
    ``r_c = 0`` takes precedence (``sigma_0`` is undefined).

    Refuses arrays that are not non-empty 2-D arrays of finite real numbers, shapes that do
    not chain (``W1`` ``(d1, d0)``, ``W2`` ``(d2, d1)``, ``W_star`` ``(d2, d0)``), an ``alpha``
    that is negative or not finite, a zero ``W_star`` and ``rank(W*) > d1``.
    """
    W1 = as_matrix("W1", W1)
    W2 = as_matrix("W2", W2)
    W_star = as_matrix("W_star", W_star)
    alpha = as_nonnegative_float("alpha", alpha)
    d1 = W1.shape[0]
    if W2.shape[1] != d1:
        raise ValueError(f"W2 must have d1 = {d1} columns (W1 has {d1} rows); got shape {W2.shape}")
    if W_star.shape != (W2.shape[0], W1.shape[1]):
        raise ValueError(f"W_star must have the shape (d2, d0) = {(W2.shape[0], W1.shape[1])} of W2 W1; "
                         f"got {W_star.shape}")
    s_star = np.linalg.svd(W_star, compute_uv=False)
    r_star = _rank(s_star, W_star.shape)
    prod = W2 @ W1
    s_c = np.linalg.svd(prod, compute_uv=False)
    r_c = _rank(s_c, prod.shape)
    if r_star == 0:
        raise ValueError("W_star must be nonzero (condition (5) asks 0 < rank(W*))")
    if r_c == 0:
        return -0.1 * alpha * float(s_star[r_star - 1])
    if d1 == r_star:
        return -0.08 * alpha * float(s_star[d1 - 1])
    if d1 > r_star:
        return -0.05 * alpha * min(float(s_c[r_c - 1]) ** 2, float(s_star[r_star - 1]))
    raise ValueError(f"(7) needs rank(W*) = {r_star} <= d1 = {d1} (condition (5))")
