"""Paper B's statements as code: the rank-constrained optimum, the cut at the bottleneck, the
upper tower of Lemma 2's proof and the rank-one perturbation of Lemma 1's proof.

* :func:`rank_constrained_minimum` is the global minimum of the quadratic loss over
  end-to-end matrices of rank at most ``d`` (Corollary 1's optimum), in closed form for any
  ``X``, and :func:`rank_constrained_minimizer` a matrix that attains it;
* :func:`cut_at_bottleneck` measures Lemma 2's two gradients of ``L_2(A, B) = f(AB)`` and the
  ranks of Lemma 1 at a point (:class:`BottleneckCut`);
* :func:`upper_tower` is the convex problem of Lemma 2's proof (the layers above the cut,
  with ``B`` fixed);
* :func:`lemma1_construction` carries out the rank-one perturbation in the proof of Lemma 1
  on a concrete point and records every step (:class:`Lemma1Trace`).

The networks themselves are :mod:`landscape.models.deep`.

For example, the optimum can only go down as the rank allowed grows, and both factors of a
network with a bottleneck of width 1 have rank 1 at a generic point:

>>> import numpy as np
>>> from landscape.models.deep import DeepLinearNetwork
>>> from landscape.models.losses import Quadratic
>>> rng = np.random.default_rng(0)
>>> X, Y = rng.standard_normal((3, 8)), rng.standard_normal((3, 8))
>>> bool(rank_constrained_minimum(X, Y, 1) > rank_constrained_minimum(X, Y, 2))
True
>>> net = DeepLinearNetwork((3, 1, 3), Quadratic(X, Y))
>>> cut = cut_at_bottleneck(net, net.random_weights(rng))
>>> cut.rank_A, cut.rank_B
(1, 1)
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from .. import canonical
from .._checks import as_matrix, as_nonnegative_float, as_positive_float
from ..models.deep import DeepLinearNetwork, matmul_or_identity, numerical_rank
from ..models.losses import Loss, row_space

__all__ = ['BottleneckCut', 'Lemma1Trace', 'cut_at_bottleneck', 'lemma1_construction', 'rank_constrained_minimizer', 'rank_constrained_minimum', 'upper_tower']


def _rank_problem(X, Y, rank):
    X = as_matrix("X", X)
    Y = as_matrix("Y", Y)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X and Y must have the same number of samples (columns); "
                         f"X has N = {X.shape[1]} columns, Y has {Y.shape[1]}")
    if isinstance(rank, bool) or not isinstance(rank, numbers.Integral):
        raise TypeError(f"rank must be an integer >= 0; got {rank!r} of type {type(rank).__name__}")
    if rank < 0:
        raise ValueError(f"rank must be >= 0; got {rank}")
    U, s, Vt, r_X = row_space(X)
    YV = Y @ Vt.T
    outside = float(np.sum((Y - YV @ Vt) ** 2))
    return U, s, YV, outside, int(rank)


def rank_constrained_minimum(X, Y, rank) -> float:
    r"""``min 1/2 ||W X - Y||_F^2`` over matrices ``W`` of rank at most ``rank``; closed form.

    Let ``X = U S V^T`` be the reduced SVD over the ``r_X`` nonzero singular values of
    ``X`` (any ``r_X``: ``X`` need not have full row rank). As ``W`` ranges over matrices of
    rank ``<= rank``, ``Z = W U S`` ranges over all ``m x r_X`` matrices of rank ``<= rank``
    (``U S`` has full column rank; take ``W = Z S^{-1} U^T``), and
    ``||W X - Y||^2 = ||Z - Y V||^2 + ||Y (I - V V^T)||^2``. By Eckart-Young,

    .. math::
        \min = \tfrac12 \sum_{i > \mathrm{rank}} \lambda_i^2
               + \tfrac12 \|Y (I - V V^\top)\|_F^2 ,

    with ``lambda_i`` the singular values of ``Y V``, i.e. of ``Y`` projected onto the row
    space of ``X``. With full-row-rank ``X`` this is the formula of paper A's Theorem 2.

    Refuses ``X`` and ``Y`` that are not non-empty 2-D arrays of finite real numbers with the
    same number of columns, and a ``rank`` that is not an integer >= 0.
    """
    U, s, YV, outside, k = _rank_problem(X, Y, rank)
    lam = np.linalg.svd(YV, compute_uv=False)
    tail = lam[k:]
    return 0.5 * (float(np.sum(tail * tail)) + outside)


def rank_constrained_minimizer(X, Y, rank) -> np.ndarray:
    """A minimizer of :func:`rank_constrained_minimum`: ``W = [Y V]_rank S^{-1} U^T``.

    ``[.]_rank`` is the truncated SVD; this is the minimizer of least norm (it vanishes
    on the orthogonal complement of the column space of ``X``).

    Refuses ``X`` and ``Y`` that are not non-empty 2-D arrays of finite real numbers with the
    same number of columns, and a ``rank`` that is not an integer >= 0.
    """
    U, s, YV, outside, k = _rank_problem(X, Y, rank)
    P, lam, Qt = canonical.svd(YV)
    k = min(k, lam.size)
    Z = (P[:, :k] * lam[:k]) @ Qt[:k]
    return (Z / s) @ U.T


def _kernel_vector(S, rtol):
    """A unit vector in the kernel of ``S``, chosen independently of the SVD's basis.

    The orthogonal projector ``K`` onto the kernel is unique; the result is ``K e_i / |K e_i|``
    for the first ``i`` with the largest ``|K e_i|`` (so printed values are reproducible).
    """
    _, s, Vt = np.linalg.svd(S)
    rank = int(np.count_nonzero(s > rtol * (s[0] if s.size else 0.0)))  # relative to |S|
    return canonical.basis(Vt[rank:].T)[:, 0]


@dataclass
class Lemma1Trace:
    """Every step of the rank-one perturbation in the proof of Lemma 1 (paper B).

    Attributes
    ----------
    j, d : int
        Bottleneck layer and narrowest width.
    rank_A : int
        Numerical rank ``r < d`` of ``A = M_k ... M_{j+1}``.
    grad_norm : float
        ``||f'(AB)||`` (nonzero by assumption).
    V : ndarray (d0, dim V)
        Orthonormal basis of ``V = {v : f'(AB) v = 0}``.
    ws : list of ndarray
        ``w_i`` (unit vectors), ``i = 1..j``, with ``M_k ... M_{i+1} w_i = 0``.
    i_star : int
        ``min{i : rows of M_i ... M_1 lie in V}``.
    steps : list of dict
        One entry per layer ``i = 1..j``: ``layer``, ``action`` (``"perturbed"`` or
        ``"kept"``), ``row`` (the row index ``l`` used), ``v`` (the vector ``v_i``), and
        ``out_of_V`` (the largest ``||f'(AB) b|| / ||b||`` over rows ``b`` of
        ``M~_i ... M~_1``).
    Ms_tilde : list of ndarray
        The perturbed weights ``(M~_1, ..., M~_j, M_{j+1}, ..., M_k)``.
    B_tilde : ndarray
        ``M~_j ... M~_1``.
    """

    j: int
    d: int
    rank_A: int
    grad_norm: float
    V: np.ndarray
    ws: list
    i_star: int
    steps: list = field(default_factory=list)
    Ms_tilde: list = field(default_factory=list)
    B_tilde: np.ndarray | None = None


@dataclass(frozen=True)
class BottleneckCut:
    """What Lemmas 1 and 2 say about ``(A, B)``, the network cut at its narrowest layer.

    ``f_prime_norm`` is ``||f'(AB)||``; ``rel_grad_A = ||f'(AB) B^T|| / (||f'(AB)|| ||B||)`` and
    ``rel_grad_B = ||A^T f'(AB)|| / (||A|| ||f'(AB)||)`` are the two gradients of
    ``L_2(A, B) = f(AB)`` relative to the size of the factors (0 at a critical point of ``L_2``,
    of order 1 at a generic point); ``rank_A``, ``rank_B`` are numerical ranks.
    """

    f_prime_norm: float
    rel_grad_A: float
    rel_grad_B: float
    rank_A: int
    rank_B: int


def cut_at_bottleneck(net: DeepLinearNetwork, Ms) -> BottleneckCut:
    """Cut ``Ms`` at the narrowest layer (:meth:`~landscape.models.deep.DeepLinearNetwork.split`) and measure
    Lemma 2's gradients of ``L_2`` and Lemma 1's ranks (:class:`BottleneckCut`).

    Refuses a ``net`` that is not a :class:`~landscape.models.deep.DeepLinearNetwork` and weights as its methods do."""
    if not isinstance(net, DeepLinearNetwork):
        raise TypeError(f"net must be a DeepLinearNetwork; got {type(net).__name__}")
    A, B = net.split(Ms)
    F = net.loss.gradient(A @ B)
    nF = float(np.linalg.norm(F))
    nA, nB = float(np.linalg.norm(A)), float(np.linalg.norm(B))
    rel = lambda G, scale: float(np.linalg.norm(G) / scale) if scale > 0 else float("nan")
    return BottleneckCut(nF, rel(F @ B.T, nF * nB), rel(A.T @ F, nA * nF),
                         numerical_rank(A), numerical_rank(B))


class _RightFactor(Loss):
    """``g_B(X) = f(X B)`` for a fixed ``B``: convex when ``f`` is (the loss of :func:`upper_tower`)."""

    def __init__(self, loss: Loss, B):
        self.loss, self.B = loss, B.copy()
        self.shape = (loss.shape[0], B.shape[0])
        self.name = f"{loss.name}(X B)"

    def _value(self, P):
        return self.loss.value(P @ self.B)

    def _gradient(self, P):
        return self.loss.gradient(P @ self.B) @ self.B.T

    def _hvp(self, P, D):
        return self.loss.hessian_vector_product(P @ self.B, D @ self.B) @ self.B.T


def upper_tower(net: DeepLinearNetwork, Ms, j: int | None = None) -> tuple[DeepLinearNetwork, list]:
    """The layers above the cut at ``j`` (default: the bottleneck) as a network of their own.

    With ``B = M_j ... M_1`` fixed, ``M_{j+1}, ..., M_k`` form a network of widths
    ``(d_j, ..., d_k)`` with the convex loss ``g_B(X) = f(X B)`` of its end-to-end matrix ``X``
    (the proof of Lemma 2 in paper B). Returns ``(tower, [M_{j+1}, ..., M_k])``: the tower's
    loss at those weights is ``L_k(Ms)``, and its end-to-end matrix is ``A``. When ``d_j`` is
    the narrowest width the tower has no bottleneck, so every local minimum of it is global
    (Theorem 3 of paper B, Laurent and von Brecht).
    """
    if not isinstance(net, DeepLinearNetwork):
        raise TypeError(f"net must be a DeepLinearNetwork; got {type(net).__name__}")
    Ms = [M.copy() for M in net.as_weights(Ms, batch=False)]
    j = net.bottleneck if j is None else j
    if j is None:
        j = int(np.argmin(net.widths))
    if isinstance(j, bool) or not isinstance(j, numbers.Integral) or not 0 < j < net.depth:
        raise ValueError(f"j must be an interior layer index in (0, k) = (0, {net.depth}); got {j!r}")
    _, B = net.split(Ms, j=j)
    return DeepLinearNetwork(net.widths[j:], _RightFactor(net.loss, B)), Ms[j:]


def lemma1_construction(net: DeepLinearNetwork, Ms, eps: float = 1e-3, rtol: float = 1e-9) -> Lemma1Trace:
    r"""Carry out the perturbation in the proof of Lemma 1 at ``Ms``.

    The proof assumes a local minimum with ``f'(AB) != 0`` and ``rank A = r < d`` and
    derives a contradiction: with unit ``w_i`` in the kernel of ``M_k ... M_{i+1}``, the
    perturbed layers ``M~_i = M_i + w_i v_i^T`` (``i <= j``) leave the product ``AB``, hence
    the loss, unchanged for every choice of the ``v_i`` (equation (1)); choosing the ``v_i``
    layer by layer as in the proof puts a row of ``B~ = M~_j ... M~_1`` outside
    ``V = {v : f'(AB) v = 0}``, so ``f'(AB) B~^T != 0``, contradicting (2).

    The vectors ``v_i`` are ``eps`` times a unit vector (the proof's basis vector ``e_l``
    scaled down: the perturbation must stay in a small ball); ``v_1`` (when ``i* = 1``)
    is ``eps e_i`` for the column ``i`` of ``f'(AB)`` of largest norm, which is not in ``V``.
    The kernel vectors ``w_i`` are chosen by ``_kernel_vector`` (reproducible).
    Membership in ``V`` is decided by ``||f'(AB) b|| <= rtol ||f'(AB)|| ||b||``; rows shorter
    than ``rtol`` times the longest row of their matrix count as zero (they are roundoff), and
    the row ``l`` is the one with the largest ``||f'(AB) b||`` among the rows outside ``V``.

    Raises
    ------
    ValueError
        If the network has no bottleneck, ``f'(AB) = 0``, or ``A`` has full rank ``d``
        (the lemma's conclusion already holds; there is nothing to construct); weights of
        the wrong shapes or not finite; an ``eps`` that is not positive and finite; a
        negative or non-finite ``rtol``.
    TypeError
        A ``net`` that is not a :class:`~landscape.models.deep.DeepLinearNetwork`; weights that are not a list of
        real matrices; non-real ``eps`` or ``rtol``.
    """
    if not isinstance(net, DeepLinearNetwork):
        raise TypeError(f"net must be a DeepLinearNetwork; got {type(net).__name__}")
    eps, rtol = as_positive_float("eps", eps), as_nonnegative_float("rtol", rtol)
    if not net.has_bottleneck:
        raise ValueError(f"Lemma 1 concerns networks with a bottleneck; widths {net.widths} have none")
    Ms = [M.copy() for M in net.as_weights(Ms, batch=False)]
    j, d, k = net.bottleneck, net.narrowest, net.depth
    A, B = net.split(Ms)
    F = net.loss.gradient(A @ B)
    Fn = float(np.linalg.norm(F))
    if Fn == 0.0 or Fn <= rtol * max(1.0, float(np.abs(A @ B).max())):
        raise ValueError("Lemma 1's perturbation needs f'(AB) != 0; here f'(AB) = 0 (a global minimum)")
    r = numerical_rank(A)
    if r >= d:
        raise ValueError(f"A = M_k ... M_(j+1) has full rank d = {d}; the construction needs rank A < d")
    _, sF, VtF = np.linalg.svd(F)
    rank_F = int(np.count_nonzero(sF > rtol * Fn))
    V = canonical.basis(VtF[rank_F:].T)                  # basis of the kernel of F

    def out_of_V(Mat):
        rows = np.linalg.norm(Mat, axis=1)
        real = rows > rtol * rows.max() if rows.max() > 0 else np.zeros(rows.shape, bool)
        ratio = np.linalg.norm(Mat @ F.T, axis=1) / (Fn * np.where(real, rows, 1.0))
        return np.where(real, ratio, 0.0)              # roundoff-sized rows count as zero

    # w_i, i = 1..j: unit kernel vectors of M_k ... M_{i+1} (rank <= r < d <= d_i)
    ws = []
    for i in range(1, j + 1):
        S = np.eye(net.widths[k])
        for M in Ms[i:][::-1]:
            S = S @ M
        ws.append(_kernel_vector(S, rtol))
    # i* = min{i : rows of M_i ... M_1 in V}; rows of B = M_j ... M_1 are in V at a local min
    prods, Q = [], None
    for M in Ms[:j]:
        Q = matmul_or_identity(M, Q)
        prods.append(Q)
    in_V = [bool(np.all(out_of_V(Qi) <= rtol)) for Qi in prods]
    if not in_V[-1]:
        raise ValueError("rows of B = M_j ... M_1 are not all in V: (2) fails already, so the point "
                         "is not a local minimum (Lemma 2) and no construction is needed")
    i_star = in_V.index(True) + 1
    Mt = [M.copy() for M in Ms]
    steps = []
    if i_star == 1:
        v = np.zeros(net.widths[0])
        v[int(np.argmax(np.linalg.norm(F, axis=0)))] = eps     # F v != 0: v is not in V
        ell = int(np.argmax(np.abs(ws[0])))
        Mt[0] = Ms[0] + np.outer(ws[0], v)
        steps.append(dict(layer=1, action="perturbed", row=ell, v=v, out_of_V=float(out_of_V(Mt[0]).max())))
        start = 1
    else:
        for i in range(1, i_star):
            steps.append(dict(layer=i, action="kept", row=None, v=None,
                              out_of_V=float(out_of_V(prods[i - 1]).max())))
        start = i_star - 1
    Bt = Mt[0]
    for M in Mt[1:start]:
        Bt = M @ Bt
    for i in range(start, j):                            # build layer i + 1 (1-based)
        cand = Ms[i] @ Bt
        if float(out_of_V(cand).max()) > rtol:
            Bt = cand
            steps.append(dict(layer=i + 1, action="kept", row=None, v=None,
                              out_of_V=float(out_of_V(Bt).max())))
            continue
        scores = np.where(out_of_V(Bt) > rtol, np.linalg.norm(Bt @ F.T, axis=1), 0.0)
        ell = int(np.argmax(scores))                     # the row farthest out of V
        v = np.zeros(net.widths[i])
        v[ell] = eps
        Mt[i] = Ms[i] + np.outer(ws[i], v)
        Bt = Mt[i] @ Bt
        steps.append(dict(layer=i + 1, action="perturbed", row=ell, v=v,
                          out_of_V=float(out_of_V(Bt).max())))
    return Lemma1Trace(j=j, d=d, rank_A=r, grad_norm=Fn, V=V, ws=ws, i_star=i_star, steps=steps,
                       Ms_tilde=Mt, B_tilde=Bt)
