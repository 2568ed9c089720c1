r"""The proofs of Lemmas 1 and 2 of paper A, followed step by step on numbers.

Each function takes a problem and a point and returns a :class:`Walkthrough`: a small table
with one row per step of the proof, ``step | what the paper says | the computed number``.
Rows whose quantity the paper says is zero (a gradient, a residual of an identity) carry
``zero=True`` and print as a bound (:func:`landscape.book.display.small`); the other rows print
their value to a fixed number of significant digits. Where a step as printed in the paper
gives another number than the computation, the row also carries the printed value
(``printed``), and ``Walkthrough.misprints`` lists those rows.

* :func:`lemma1_only_if` -- Appendix A, "critical => in C", from any critical point (for
  instance the end point of a search): the gradient (18)-(19), both sides of (20), the
  balance identity and its square-root step, the rotation of (22) and the diagonal matrices
  of (23), (24)-(25), and per column of ``Ztilde`` the equations (26)-(30) and the singular
  pair they give.
* :func:`lemma1_if` -- "in C => critical": the gradient at an element of C term by term.
* :func:`lemma2_steps` -- Appendix B at a saddle in C: the chosen index ``k``, ``alpha``,
  the direction, each term of (31) along it, ``||Delta||^2``, the Rayleigh quotient and the
  chain ``lambda_min <= quotient <= bound``.
* :func:`identity24` -- the two identities (24) at any point, as printed and corrected.
* :func:`identity34` -- the product ``Delta2 W1`` of the proof of (34), as printed and corrected.

Conventions: the paper's Appendix A writes ``W2 = L Pi R^T`` (a full SVD of ``W2``) and
``Wtilde2 = W2 R``, ``Wtilde1 = R^T W1 U Sigma`` (22); its Appendix B writes the rotation of
(12) as ``R`` where (12) has ``R^T``. The functions follow each appendix's own convention.
Indices in the step texts are 1-based, as in the paper.

For example, the gradient at an element of C, term by term:

>>> import numpy as np
>>> from landscape.theory.paper_a.lemma1 import critical_point, problem_with_spectrum
>>> p = problem_with_spectrum([3.0, 2.0, 1.0], d0=3, d1=2, d2=3, mu=0.125,
...                           rng=np.random.default_rng(1))
>>> c = critical_point(p, (0, 2))
>>> w = lemma1_if(p, c.W1, c.W2)                # "in C => critical", term by term
>>> isinstance(w, Walkthrough), all(abs(r.value) < 1e-9 for r in w.rows if r.zero)
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import canonical
from .._checks import as_int, as_matrix, as_nonnegative_float, as_real
from ..book.display import small
from ..theory.paper_a.lemma1 import check_problem, identify, singular_value_blocks
from ..theory.paper_a.lemma2 import saddle_bound

__all__ = ['Row', 'Walkthrough', 'identity24', 'identity34', 'lemma1_if', 'lemma1_only_if', 'lemma2_steps']


@dataclass(frozen=True)
class Row:
    """One step: ``key`` (short name), ``step``, ``paper`` (what the paper says), ``value``.

    ``zero``: the paper's value is 0 and ``value`` is a residual (printed as a bound).
    ``digits``: significant digits of a nonzero value. ``printed``: the value the step
    gives as printed in the paper, where that differs from the computation (else None).
    """

    key: str
    step: str
    paper: str
    value: float
    zero: bool = False
    digits: int = 6
    printed: float | None = None


@dataclass
class Walkthrough:
    """A proof followed on numbers: a list of :class:`Row`, the floor for residuals, and ``data``
    (arrays a walk-through builds on the way, such as the direction of Lemma 2)."""

    title: str
    rows: list = field(default_factory=list)
    floor: float = 1e-12
    data: dict = field(default_factory=dict)

    def add(self, key, step, paper, value, zero=False, digits=6, printed=None):
        """Append a :class:`Row` (``key``, ``step``, ``paper`` strings, ``value`` and ``printed``
        real numbers, ``digits`` an integer >= 1)."""
        for name, text in (("key", key), ("step", step), ("paper", paper)):
            if not isinstance(text, str):
                raise TypeError(f"{name} must be a string; got {type(text).__name__}")
        value = as_real("value", value, allow_inf=True, allow_nan=True)
        digits = as_int("digits", digits, 1)
        printed = None if printed is None else as_real("printed", printed, allow_inf=True, allow_nan=True)
        self.rows.append(Row(key, step, paper, value, bool(zero), digits, printed))

    def __getitem__(self, key) -> float:
        for r in self.rows:
            if r.key == key:
                return r.value
        raise KeyError(key)

    def keys(self) -> list:
        return [r.key for r in self.rows]

    def select(self, prefix: str) -> "Walkthrough":
        """The rows whose key starts with ``prefix`` (a string)."""
        if not isinstance(prefix, str):
            raise TypeError(f"prefix must be a string; got {type(prefix).__name__}")
        return Walkthrough(self.title, [r for r in self.rows if r.key.startswith(prefix)], self.floor)

    @property
    def misprints(self) -> list:
        """The rows where the step as printed gives another number."""
        return [r for r in self.rows if r.printed is not None]

    @property
    def largest_residual(self) -> float:
        """The largest ``|value|`` among the rows the paper says are zero."""
        return self.residual()

    def residual(self, exclude: str = "") -> float:
        """The largest ``|value|`` among the zero rows whose key does not end with ``exclude``."""
        if not isinstance(exclude, str):
            raise TypeError(f"exclude must be a string; got {type(exclude).__name__}")
        z = [abs(r.value) for r in self.rows if r.zero and not (exclude and r.key.endswith(exclude))]
        return max(z) if z else 0.0

    def cell(self, r: Row) -> str:
        """The computed value of the row ``r`` as the table prints it."""
        if not isinstance(r, Row):
            raise TypeError(f"r must be a landscape.studies.walkthrough.Row; got {type(r).__name__}")
        if r.zero and abs(r.value) < 1e-6:
            return small(r.value, self.floor)
        x = float(np.round(r.value, 12)) + 0.0
        return f"{x:.{r.digits}g}"

    def table(self, width: int = 48) -> str:
        """The rows as a text table, the step column ``width`` characters wide."""
        width = as_int("width", width, 0)
        head = f"{'step':<{width}} {'what the paper says':<34} computed"
        lines = [self.title, head, "-" * len(head)]
        for r in self.rows:
            comp = self.cell(r)
            if r.printed is not None:
                comp += f"   (as printed: {float(np.round(r.printed, 12)) + 0.0:.{r.digits}g})"
            lines.append(f"{r.step:<{width}} {r.paper:<34} {comp}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def _repr_pretty_(self, p, cycle):
        p.text(self.table())


def _nrm(a) -> float:
    return float(np.linalg.norm(a))


def lemma1_only_if(problem, W1, W2, floor: float = 1e-12) -> Walkthrough:
    r"""Appendix A, direction "critical => in C", at a critical point ``(W1, W2)`` of g.

    Rows (keys): ``grad1, grad2`` (18)-(19); ``lhs20, rhs20`` (both sides of (20));
    ``sylvester`` (``D G1 + G2 D = 0``, the product of (19) with ``W2^T``), ``squares``
    (``G2^2 - G1^2``), ``balance`` (11) with ``G2 = W2^T W2``, ``G1 = W1 X X^T W1^T``;
    ``rotation`` (``R^T R - I``), ``offdiag23`` and ``diag23_i`` (the diagonal of
    ``Pi^T Pi`` = ``Wtilde1 Wtilde1^T``), ``orthogonal23`` (the printed "Wtilde1^T is an
    orthogonal matrix", as ``||Wtilde1 Wtilde1^T - I||``); ``eq24a, eq24b, eq25a, eq25b``;
    per column ``i`` (1-based): ``col{i}.26`` ... ``col{i}.30``, ``col{i}.norm4`` (``||phi||^4``),
    ``col{i}.j`` (the index ``j`` of the singular value ``lambda_j = ||phi||^2``, 0 for a zero
    column; the first index of its block when the value is repeated), ``col{i}.phi`` (the
    distance of ``(phi, psi)`` to the nearest ``+-sqrt(lambda_m) (p_m, q_m)``, same sign, over
    the indices ``m`` of the block of ``lambda_j``),
    ``col{i}.subspace`` (distance of ``phi`` to the singular subspace of its value); and
    ``support`` (the 1-based indices as a number, e.g. 13 for {1, 3}).

    With distinct singular values every ``col{i}.phi`` is zero at a critical point; with a
    repeated value it need not be (the proof's "phi is a left singular vector, phi =
    alpha p_j" fails; ``col{i}.subspace`` is then the zero residual).

    Refuses a ``problem`` that is not a :class:`~landscape.models.shallow.ShallowProblem`, weights
    it refuses and a negative or non-finite ``floor``.
    """
    p = check_problem(problem)
    W1, W2 = p.as_weights(W1, W2, batch=False)
    floor = as_nonnegative_float("floor", floor)
    mu, C = p.mu, p.XXt
    E = W2 @ W1 @ C - p.YXt                      # (W2 W1 X - Y) X^T
    G2, G1 = W2.T @ W2, W1 @ C @ W1.T
    D = G2 - G1
    G1g, G2g = p.gradient(W1, W2)
    w = Walkthrough("Lemma 1, critical => in C (Appendix A)", floor=floor)
    w.add("grad1", "(18) grad_W1 g", "= 0", _nrm(G1g), zero=True)
    w.add("grad2", "(19) grad_W2 g", "= 0", _nrm(G2g), zero=True)
    w.add("lhs20", "(20) left: W2^T (W2W1X - Y) X^T", "= right side", _nrm(W2.T @ E), zero=True)
    w.add("rhs20", "(20) right: mu D W1 X X^T", "= left side", _nrm(mu * D @ W1 @ C), zero=True)
    w.add("diff20", "(20) left - right", "= 0", _nrm(W2.T @ E - mu * D @ W1 @ C), zero=True)
    w.add("sylvester", "W2^T x (19), with (20): D G1 + G2 D", "= 0", _nrm(D @ G1 + G2 @ D), zero=True)
    w.add("squares", "equivalently G2^2 - G1^2", "= 0", _nrm(G2 @ G2 - G1 @ G1), zero=True)
    w.add("balance", "PSD square roots: (11) G2 - G1", "= 0", _nrm(D), zero=True)
    w.add("G2norm", "  (for scale: ||G2||_F)", "", _nrm(G2))
    L, s, Rt = canonical.svd(W2, full_matrices=True)
    R = Rt.T
    Wt2, Wt1 = W2 @ R, R.T @ W1 @ (p.U * p.sigma)
    d1 = p.d1
    w.add("rotation", "(22) W2 = L Pi R^T: R^T R - I", "R orthogonal", _nrm(R.T @ R - np.eye(d1)), zero=True)
    M1, M2 = Wt1 @ Wt1.T, Wt2.T @ Wt2
    w.add("offdiag23", "(23) off-diagonal of Wt1 Wt1^T, Wt2^T Wt2", "= 0 (both = Pi^T Pi)",
          _nrm(M1 - np.diag(np.diag(M1))) + _nrm(M2 - np.diag(np.diag(M2))), zero=True)
    w.add("diff23", "(23) Wt1 Wt1^T - Wt2^T Wt2", "= 0", _nrm(M1 - M2), zero=True)
    for i in range(d1):
        w.add(f"diag23_{i + 1}", f"(23) Pi^T Pi, entry {i + 1}", "nonnegative diagonal", M2[i, i])
    w.add("orthogonal23", "after (23): ||Wt1 Wt1^T - I||", '"Wt1^T is an orthogonal matrix"',
          _nrm(M1 - np.eye(d1)), printed=0.0)
    Yt = p.Ytilde
    w.add("eq24a", "(24) Wt2^T (Wt2 Wt1 - YV) Sigma U^T", "= 0",
          _nrm(Wt2.T @ (Wt2 @ Wt1 - Yt) * p.sigma @ p.U.T), zero=True)
    w.add("eq24b", "(24) (Wt2 Wt1 - YV) Wt1^T", "= 0", _nrm((Wt2 @ Wt1 - Yt) @ Wt1.T), zero=True)
    w.add("eq25a", "(25) Wt2^T (Wt2 Wt1 - Ytilde)", "= 0", _nrm(Wt2.T @ (Wt2 @ Wt1 - Yt)), zero=True)
    w.add("eq25b", "(25) (Wt2 Wt1 - Ytilde) Wt1^T", "= 0", _nrm((Wt2 @ Wt1 - Yt) @ Wt1.T), zero=True)
    r = p.rank_Y
    lam, P, Q = p.lam[:r], p.P[:, :r], p.Q[:, :r]
    blocks = singular_value_blocks(lam)
    support = []
    for i in range(d1):
        phi, psi = Wt2[:, i], Wt1[i, :]
        a2, b2 = float(phi @ phi), float(psi @ psi)
        c = f"col{i + 1}"
        w.add(f"{c}.26", f"column {i + 1}: (26) |phi|^2 - |psi|^2", "= 0", a2 - b2, zero=True)
        w.add(f"{c}.27", f"column {i + 1}: (27) Yt^T phi - |phi|^2 psi", "= 0", _nrm(Yt.T @ phi - a2 * psi), zero=True)
        w.add(f"{c}.28", f"column {i + 1}: (28) Yt psi - |psi|^2 phi", "= 0", _nrm(Yt @ psi - b2 * phi), zero=True)
        w.add(f"{c}.29", f"column {i + 1}: (29) Yt Yt^T phi - |phi|^4 phi", "= 0", _nrm(Yt @ Yt.T @ phi - a2**2 * phi), zero=True)
        w.add(f"{c}.30", f"column {i + 1}: (30) Yt^T Yt psi - |psi|^4 psi", "= 0", _nrm(Yt.T @ Yt @ psi - b2**2 * psi), zero=True)
        w.add(f"{c}.norm4", f"column {i + 1}: |phi|^4", "= lambda_j^2 or 0", a2**2)
        vals = np.array([0.0] + [float(np.mean(lam[b])) for b in blocks])
        m = int(np.argmin(np.abs(vals - a2)))                 # 0: a zero column
        j = 0 if m == 0 else int(blocks[m - 1][0]) + 1        # first index of the block
        w.add(f"{c}.j", f"column {i + 1}: j with lambda_j = |phi|^2", "one j per column (0: phi = 0)", j, digits=3)
        if j == 0:
            w.add(f"{c}.phi", f"column {i + 1}: |phi| (phi = 0)", "= 0", np.sqrt(a2), zero=True)
            continue
        sl = np.sqrt(lam[j - 1])
        blk = next(b for b in blocks if (j - 1) in b)
        dist = min(np.hypot(_nrm(phi - sg * sl * P[:, m]), _nrm(psi - sg * sl * Q[:, m]))
                   for sg in (1.0, -1.0) for m in blk)
        w.add(f"{c}.phi", f"column {i + 1}: (phi, psi) - +-sqrt(lam_j)(p_j, q_j)", "= 0", dist, zero=True)
        Pb = P[:, blk]
        w.add(f"{c}.subspace", f"column {i + 1}: phi off the subspace of lambda_j", "(phi = alpha p_j)", _nrm(phi - Pb @ (Pb.T @ phi)), zero=True)
        support.append(j)
    w.add("support", "support (1-based indices, as digits)", "distinct indices",
          int("".join(str(j) for j in sorted(support))) if support else 0, digits=9)
    return w


def lemma1_if(problem, W1, W2, floor: float = 1e-12) -> Walkthrough:
    r"""Direction "in C => critical": the gradient (18)-(19) at ``(W1, W2)``, term by term.

    Rows: ``fit1a = ||W2^T W2 W1 X X^T||``, ``fit1b = ||W2^T Y X^T||`` and ``fit1`` their
    difference (the fit part of (18)); ``reg1 = ||mu D W1 X X^T||``; ``grad1``; the same for
    ``W2``: ``fit2a = ||W2 W1 X X^T W1^T||``, ``fit2b = ||Y X^T W1^T||``, ``fit2``, ``reg2``,
    ``grad2``; and ``balance = ||D||``. At an element of C the two parts of each fit term
    are equal matrices (``W2^T W2 W1 X X^T = W2^T Y X^T``: in the coordinates of (22), row
    ``i`` of both is ``lambda_j sqrt(lambda_j) q_j^T Sigma U^T`` rotated) and D = 0.

    Refuses what :func:`lemma1_only_if` refuses.
    """
    p = check_problem(problem)
    W1, W2 = p.as_weights(W1, W2, batch=False)
    floor = as_nonnegative_float("floor", floor)
    mu, C = p.mu, p.XXt
    D = W2.T @ W2 - W1 @ C @ W1.T
    A1, B1 = W2.T @ W2 @ W1 @ C, W2.T @ p.YXt
    A2, B2 = W2 @ W1 @ C @ W1.T, p.YXt @ W1.T
    R1, R2 = -mu * D @ W1 @ C, mu * W2 @ D
    w = Walkthrough("Lemma 1, in C => critical: the gradient term by term", floor=floor)
    w.add("fit1a", "(18) term W2^T W2 W1 X X^T", "norm", _nrm(A1))
    w.add("fit1b", "(18) term W2^T Y X^T", "the same matrix", _nrm(B1))
    w.add("fit1", "(18) fit part: their difference", "= 0", _nrm(A1 - B1), zero=True)
    w.add("balance", "D = W2^T W2 - W1 X X^T W1^T", "= 0 (11)", _nrm(D), zero=True)
    w.add("reg1", "(18) regularizer part -mu D W1 X X^T", "= 0", _nrm(R1), zero=True)
    w.add("grad1", "(18) grad_W1 g", "= 0", _nrm(A1 - B1 + R1), zero=True)
    w.add("fit2a", "(19) term W2 W1 X X^T W1^T", "norm", _nrm(A2))
    w.add("fit2b", "(19) term Y X^T W1^T", "the same matrix", _nrm(B2))
    w.add("fit2", "(19) fit part: their difference", "= 0", _nrm(A2 - B2), zero=True)
    w.add("reg2", "(19) regularizer part mu W2 D", "= 0", _nrm(R2), zero=True)
    w.add("grad2", "(19) grad_W2 g", "= 0", _nrm(A2 - B2 + R2), zero=True)
    return w


def identity24(problem, W1, W2) -> dict:
    r"""The identities (24) of Appendix A at any point, as printed and corrected.

    With ``R`` from the SVD of ``W2`` and ``Wtilde`` of (22), (24) states
    ``Wtilde2^T (Wtilde2 Wtilde1 - YV) Sigma U^T = R^T W2^T (W2 W1 X - Y) X^T`` (true) and, as
    printed, ``(Wtilde2 Wtilde1 - YV) Sigma U^T Wtilde1^T = (W2 W1 X - Y) X^T W1^T R``; the
    second holds without the factor ``Sigma U^T``. Returns the relative residuals
    ``{"first", "second_printed", "second_corrected"}`` (each ``||lhs - rhs|| / ||rhs||``).

    Refuses a ``problem`` of another type and weights it refuses.
    """
    p = check_problem(problem)
    W1, W2 = p.as_weights(W1, W2, batch=False)
    _, _, Rt = canonical.svd(W2, full_matrices=True)
    R = Rt.T
    SUt = p.sigma[:, None] * p.U.T
    Wt2, Wt1, Yt = W2 @ R, R.T @ W1 @ p.U * p.sigma, p.Ytilde
    E = W2 @ W1 @ p.XXt - p.YXt
    rhs1, rhs2 = R.T @ W2.T @ E, E @ W1.T @ R
    M = Wt2 @ Wt1 - Yt
    rel = lambda a, b: _nrm(a - b) / max(_nrm(b), np.finfo(float).tiny)
    return {"first": rel(Wt2.T @ M @ SUt, rhs1),
            "second_printed": rel(M @ SUt @ Wt1.T, rhs2),
            "second_corrected": rel(M @ Wt1.T, rhs2)}


def identity34(problem, W1, W2, k: int = 0, alpha=None) -> dict:
    r"""The step ``Delta2 W1 = p_k alpha^T R W1 = p_k alpha^T Wtilde1`` of (34), at any point.

    In Appendix B's convention ``W1 = R^T Wtilde1 Sigma^-1 U^T`` (so ``Wtilde1 = R W1 U Sigma``,
    ``R`` here from the SVD of ``W2``) and ``Delta2 = p_k alpha^T R``, the product is
    ``p_k alpha^T Wtilde1 Sigma^-1 U^T``; the paper drops ``Sigma^-1 U^T`` (harmless at the
    saddle, where both vanish). ``alpha`` defaults to the first coordinate vector. Returns the
    relative residuals ``{"printed", "corrected"}`` of the two readings.

    Refuses a ``problem`` of another type, weights it refuses, a ``k`` that is not the index of
    a singular pair and an ``alpha`` that is not a finite real vector of ``d1`` entries.
    """
    p = check_problem(problem)
    W1, W2 = p.as_weights(W1, W2, batch=False)
    _, _, Rt = canonical.svd(W2, full_matrices=True)
    R = Rt                                     # the appendix's R (our R^T)
    k = as_int("k", k, 0)
    if k >= p.P.shape[1]:
        raise ValueError(f"k must be an index of a singular pair of Ytilde, < {p.P.shape[1]}; got {k}")
    a = np.eye(p.d1)[:, 0] if alpha is None else as_matrix("alpha", alpha, ndim=1)
    if a.shape != (p.d1,):
        raise ValueError(f"alpha must have d1 = {p.d1} entries; got shape {a.shape}")
    pk = p.P[:, k]
    Wt1 = R @ W1 @ (p.U * p.sigma)
    lhs = np.outer(pk, a) @ R @ W1
    rel = lambda b: _nrm(lhs - b) / max(_nrm(lhs), np.finfo(float).tiny)
    return {"printed": rel(np.outer(pk, a @ Wt1)),
            "corrected": rel(np.outer(pk, a @ Wt1) / p.sigma @ p.U.T)}


def lemma2_steps(problem, W1, W2, k=None, floor: float = 1e-12) -> Walkthrough:
    r"""Appendix B at a saddle ``(W1, W2)`` in C, every step as printed and as computed.

    The point is mapped to C with :func:`landscape.theory.paper_a.lemma1.identify` (``R``, ``Wtilde``).
    ``k`` (0-based) is the index of an unused pair with ``k < d1`` in case ii (the proof's
    ``k in Omega, k <= d1``), any unused pair in case i; by default the smallest such
    index. ``alpha`` is the eigenvector of ``Ztilde^T Ztilde`` for its smallest eigenvalue
    (canonical). The direction is ``Delta2 = p_k alpha^T R^T``, ``Delta1 = R alpha q_k^T
    Sigma^-1 U^T`` (the paper's ``R`` is our ``R^T``).

    Rows: ``case`` (1 or 2), ``k`` (1-based), ``omega`` (``alpha^T Ztilde^T Ztilde alpha``),
    ``eq32`` (``|p_k^T Wt2| + |Wt1 q_k|``), ``eq33`` (``|Wt2 alpha| + |Wt1^T alpha|`` in case i),
    ``eq36`` (``|Wt2 alpha|^2``, printed bound ``lambda_{d1+1}``, case ii), the terms of (31):
    ``fit`` (printed 0 in case i (34), and 0 again in case ii's "second term"), ``fit_a, fit_b,
    fit_c`` (its three parts in case ii), ``cross`` (``2 <Delta2 Delta1, (W2W1X - Y)X^T>``, printed
    ``-2 lambda_k``), ``imbalance``, ``regularizer``; ``form`` (the dense Hessian's form), ``norm2``
    (``||Delta||^2``), ``norm2_bound`` (``1 + ||Sigma^-1||_F^2``), ``quotient`` (form / norm2),
    ``lam_min`` (exact, dense) and ``bound`` (16)/(17), and in case ii ``residual_printed`` /
    ``residual_sign``: ``||(Wt2 Wt1 - YV) - sum_{i not in Gamma} lambda_i p_i q_i^T||`` (the
    sign as printed) against the same with a minus sign (zero). ``Walkthrough.data`` holds
    ``alpha``, the direction ``Delta1``, ``Delta2`` and the rotation ``R`` (our convention).

    Refuses a ``problem`` of another type, weights it refuses, a point that is not in C, a
    ``k`` that is not an integer index that qualifies and a negative or non-finite ``floor``.
    """
    from ..optim.curvature import smallest_eigenvalue
    from ..theory.paper_a.lemma2 import hessian_form_terms

    p = check_problem(problem)
    pat = identify(p, W1, W2)
    floor = as_nonnegative_float("floor", floor)
    if k is not None:
        k = as_int("k", k, 0)
    if not pat.in_C:
        raise ValueError("the point is not an element of C (identify); the proof starts there")
    W1, W2 = pat.W1, pat.W2
    R = pat.R
    Wt2, Wt1 = W2 @ R, R.T @ W1 @ (p.U * p.sigma)
    r, d1 = p.rank_Y, p.d1
    lam, P, Q = p.lam[:r], p.P[:, :r], p.Q[:, :r]
    used = set(pat.support)
    case = 1 if r <= d1 else 2
    omega = [j for j in range(r) if j not in used and (case == 1 or j < d1)]
    if not omega:
        raise ValueError(f"support {pat.support} is a global minimum: no index k qualifies")
    if k is None:
        k = omega[0]
    if int(k) not in omega:
        raise ValueError(f"k = {k} does not qualify; choose one of {omega}")
    k = int(k)
    Z = np.vstack([Wt2, Wt1.T])
    ev, V = canonical.eigh(Z.T @ Z)
    alpha = V[:, 0]
    pk, qk = P[:, k], Q[:, k]
    Ra = R @ alpha
    V2 = np.outer(pk, Ra)
    V1 = np.outer(Ra, (qk / p.sigma) @ p.U.T)
    t = hessian_form_terms(p, W1, W2, V1, V2)
    v = p.pack(V1, V2)
    form = float(v @ p.hessian(W1, W2) @ v)
    data = {"alpha": alpha, "Delta1": V1, "Delta2": V2, "R": R}
    w = Walkthrough(f"Lemma 2, case {'i (r <= d1)' if case == 1 else 'ii (r > d1)'}: "
                    f"the saddle with support {tuple(j + 1 for j in pat.support)} (1-based)", floor=floor,
                    data=data)
    w.add("case", "case", "i: r <= d1, ii: r > d1", case, digits=1)
    w.add("k", "chosen index k (1-based)", "k in Omega" + (", k <= d1" if case == 2 else ""), k + 1, digits=3)
    w.add("lam_k", "lambda_k", "", lam[k])
    w.add("eq32", "(32)/(35) |p_k^T Wt2| + |Wt1 q_k|", "= 0", _nrm(pk @ Wt2) + _nrm(Wt1 @ qk), zero=True)
    w.add("omega", "smallest eigenvalue of Zt^T Zt", "0 (i); <= 2 lambda_{d1+1} (ii)", ev[0])
    la = float(Wt2 @ alpha @ (Wt2 @ alpha))
    if case == 1:
        w.add("eq33", "(33) |Wt2 alpha| + |Wt1^T alpha|", "= 0", _nrm(Wt2 @ alpha) + _nrm(Wt1.T @ alpha), zero=True)
    else:
        w.add("eq36", "(36) |Wt2 alpha|^2", "<= lambda_{d1+1} = " + f"{lam[d1]:.6g}", la)
    w.add("norm_d2", "||Delta2||^2 = ||p_k alpha^T R||^2", "= 1", _nrm(V2) ** 2)
    w.add("norm_d1", "||Delta1||^2 = ||Sigma^-1 q_k||^2", "", _nrm(V1) ** 2)
    if case == 1:
        w.add("fit", "(34) fit ||(W2 D1 + D2 W1) X||^2", "= 0", t["fit"], zero=True)
    else:
        A = Wt2 @ np.outer(alpha, qk)
        B = np.outer(pk, alpha @ Wt1)
        w.add("fit_a", "fit, part ||Wt2 alpha||^2", "", _nrm(A) ** 2)
        w.add("fit_b", "fit, part ||alpha^T Wt1||^2", "", _nrm(B) ** 2)
        w.add("fit_c", "fit, part 2<Wt2 alpha q_k^T, p_k alpha^T Wt1>", "= 0 by (35)", 2 * float(np.sum(A * B)), zero=True)
        w.add("fit", "fit ||(W2 D1 + D2 W1) X||^2", f"<= 2 lambda_(d1+1); '= 0' (2nd term)",
              t["fit"], printed=0.0)
    w.add("cross", "cross 2<D2 D1, (W2W1X - Y)X^T>", "= -2 lambda_k", t["cross"])
    w.add("cross_err", "  cross + 2 lambda_k", "= 0", t["cross"] + 2 * lam[k], zero=True)
    w.add("imbalance", "mu <D, D2^T D2 - D1 XX^T D1^T>", "= 0 by (11)", t["imbalance"], zero=True)
    w.add("regularizer", "mu/2 ||W2^T D2 + ... ||^2", "= 0", t["regularizer"], zero=True)
    w.add("form", "(31) along Delta (dense Hessian)", "-2 lambda_k" if case == 1 else
          "<= -2(lambda_d1 - lambda_(d1+1))", form)
    n2 = float(v @ v)
    nb = 1.0 + float(np.sum(p.sigma ** -2.0))
    w.add("norm2", "||Delta||^2 = 1 + ||Sigma^-1 q_k||^2", "<= 1 + ||Sigma^-1||_F^2", n2)
    w.add("norm2_bound", "1 + ||Sigma^-1||_F^2", "", nb)
    w.add("quotient", "Rayleigh quotient form / ||Delta||^2", "<= bound", form / n2)
    w.add("lam_min", "exact lambda_min (dense Hessian)", "<= quotient", smallest_eigenvalue(p, W1, W2))
    w.add("bound", "bound (16)" if case == 1 else "bound (17)", "", saddle_bound(p))
    if case == 2:
        Gam = sorted(used)
        rest = sum(lam[i] * np.outer(P[:, i], Q[:, i]) for i in range(r) if i not in Gam)
        M = Wt2 @ Wt1 - p.Ytilde
        w.add("residual_sign", "Wt2 Wt1 - YV + sum_(i not in Gamma)", "(printed with +: '= sum')",
              _nrm(M + rest), zero=True, printed=_nrm(M - rest))
    return w
