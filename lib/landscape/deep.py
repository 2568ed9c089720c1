r"""Deep and multi-tower linear networks under a convex loss (paper B).

A deep linear network with widths ``d_0, ..., d_k`` has weights ``M_i`` of shape
``(d_i, d_{i-1})`` and loss ``L(M_1, ..., M_k) = f(M_k ... M_1)`` for a convex differentiable
``f`` of the end-to-end matrix (a :class:`~landscape.losses.Loss`). Paper B, Section 2:

* the depth is ``k``, the narrowest width is ``d = min_i d_i``, and the network has a
  *bottleneck* if ``d_0 > d`` and ``d_k > d``;
* the layer gradients are
  ``dL/dM_i = (M_k ... M_{i+1})^T f'(M_k ... M_1) (M_{i-1} ... M_1)^T``;
* at the narrowest layer ``j`` the network splits into ``A = M_k ... M_{j+1}`` and
  ``B = M_j ... M_1`` (Lemma 1, Lemma 2), and ``L_2(A, B) = f(AB)``.

:class:`DeepLinearNetwork` computes all layer gradients from the prefix products
``M_i ... M_1`` and the suffix products ``M_k ... M_{i+1}``, the latter applied to ``f'(P)``
as they are accumulated (backpropagation): ``3(k - 1)`` matrix products for all ``k``
gradients, linear in the depth. Recomputing both products for each layer separately is
quadratic (:meth:`DeepLinearNetwork.gradient_naive`; timed in ``bench/deep_gradients.py``).
:class:`MultiTowerNetwork` is the sum of such networks.

:func:`rank_constrained_minimum` is the global minimum of the quadratic loss over
end-to-end matrices of rank at most ``d`` (Corollary 1's optimum), in closed form for any
``X``; :func:`cut_at_bottleneck` measures Lemma 2's two gradients of ``L_2`` and the ranks
of Lemma 1 at a point; :func:`upper_tower` is the convex problem of Lemma 2's proof (the
layers above the cut, with ``B`` fixed); and :func:`lemma1_construction` carries out the rank-one perturbation in the proof of
Lemma 1 on a concrete point.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from . import canonical
from ._checks import (as_generator, as_matrix, as_nonnegative_float, as_positive_float, as_positive_int,
                      as_shape, check_array, check_dense, check_shape)
from .losses import Loss, row_space

__all__ = [
    "BottleneckCut",
    "DeepLinearNetwork",
    "Lemma1Trace",
    "MultiTowerNetwork",
    "cut_at_bottleneck",
    "lemma1_construction",
    "numerical_rank",
    "rank_constrained_minimizer",
    "rank_constrained_minimum",
    "upper_tower",
    "widths_with_bottleneck",
]


def _mT(a):
    return np.swapaxes(a, -1, -2)


def _mm(a, b):
    """Matrix product where ``None`` stands for the identity."""
    if a is None:
        return b
    if b is None:
        return a
    return a @ b


def _T(a):
    return None if a is None else _mT(a)


def numerical_rank(M, rtol: float | None = None) -> int:
    """Rank of ``M`` with NumPy's default tolerance ``s_max max(shape) eps`` (or ``rtol s_max``).

    Refuses ``M`` that is not a non-empty 2-D array of finite real numbers and an ``rtol``
    that is negative or not finite."""
    M = as_matrix("M", M)
    rtol = None if rtol is None else as_nonnegative_float("rtol", rtol)
    return row_space(M, rtol)[3]


# --------------------------------------------------------------------- one chain
def _prefixes(Ms):
    """``pre[i] = M_{i+1} ... M_1`` (0-based), ``pre[-1]`` is the end-to-end product."""
    pre = [Ms[0]]
    for M in Ms[1:]:
        pre.append(M @ pre[-1])
    return pre


def _suffixes(Ms):
    """``suf[i] = M_k ... M_{i+2}``: the product of the layers above layer ``i`` (None = I)."""
    k = len(Ms)
    suf = [None] * k
    for i in range(k - 2, -1, -1):
        suf[i] = _mm(suf[i + 1], Ms[i + 1])
    return suf


def _chain_gradient(Ms, pre, F):
    """Layer gradients ``suf_i^T F pre_{i-1}^T`` from prefix and suffix products.

    The suffix products are accumulated already applied to ``F`` (backpropagation):
    ``S_{k-1} = F`` and ``S_{i-1} = M_{i+1}^T S_i`` give ``S_i = (M_k ... M_{i+2})^T F``
    (0-based), one product per layer; then ``dL/dM_{i+1} = S_i pre_{i-1}^T``, one more.
    With the ``k - 1`` prefix products that is ``3(k - 1)`` products in all.
    """
    k = len(Ms)
    out = [None] * k
    S = F
    for i in range(k - 1, -1, -1):
        out[i] = S if i == 0 else S @ _mT(pre[i - 1])
        if i > 0:
            S = _mT(Ms[i]) @ S
    return out


def _chain_gradient_naive(Ms, F):
    """The same gradients, each layer's two products recomputed from scratch."""
    k = len(Ms)
    out = []
    for i in range(k):
        above = None
        for M in Ms[i + 1:]:
            above = _mm(M, above)
        below = None
        for M in Ms[:i]:
            below = _mm(M, below)
        out.append(_mm(_mm(_T(above), F), _T(below)))
    return out


def _chain_dproduct(Ms, pre, Vs):
    """Directional derivatives ``dpre[i]`` of the prefixes along ``Vs``."""
    dpre = [Vs[0]]
    for i in range(1, len(Ms)):
        dpre.append(Ms[i] @ dpre[-1] + Vs[i] @ pre[i - 1])
    return dpre


def _chain_hvp(Ms, pre, dpre, Vs, F, dF):
    """Directional derivative of :func:`_chain_gradient` (product rule, linear in depth)."""
    k = len(Ms)
    suf = _suffixes(Ms)
    dsuf = [None] * k          # None = zero here
    for i in range(k - 2, -1, -1):
        term = Vs[i + 1] if suf[i + 1] is None else suf[i + 1] @ Vs[i + 1]
        dsuf[i] = term if dsuf[i + 1] is None else dsuf[i + 1] @ Ms[i + 1] + term
    out = []
    for i in range(k):
        below = None if i == 0 else pre[i - 1]
        g = _mm(_mm(_T(suf[i]), dF), _T(below))
        if dsuf[i] is not None:
            g = g + _mm(_mT(dsuf[i]) @ F, _T(below))
        if i > 0:
            g = g + _mm(_T(suf[i]), F) @ _mT(dpre[i - 1])
        out.append(g)
    return out


# ------------------------------------------------------------------- checking
def _as_widths(name, widths, min_len):
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__len__"):
        raise TypeError(f"{name} must be a sequence of integers d0, ..., dk; got {widths!r}")
    ws = []
    for i, w in enumerate(widths):
        if isinstance(w, bool) or not isinstance(w, numbers.Integral):
            raise TypeError(f"{name}[{i}] must be an integer >= 1; got {w!r} of type {type(w).__name__}")
        if w < 1:
            raise ValueError(f"{name}[{i}] must be >= 1; got {w}")
        ws.append(int(w))
    if len(ws) < min_len:
        raise ValueError(
            f"{name} must list d0, ..., dk for a depth k >= {min_len - 1} "
            f"(at least {min_len} numbers); got {len(ws)} number(s), depth {len(ws) - 1}"
        )
    return tuple(ws)


def _check_loss(loss, n, m, what):
    if not isinstance(loss, Loss):
        raise TypeError(f"loss must be a landscape.losses.Loss (e.g. Quadratic(X, Y)); "
                        f"got {type(loss).__name__}")
    if tuple(loss.shape) != (m, n):
        raise ValueError(
            f"{what} do not fit the loss: the loss acts on (m, n) = {tuple(loss.shape)} matrices, "
            f"so widths must start at n = d0 = {loss.shape[1]} and end at m = dk = {loss.shape[0]}; "
            f"got d0 = {n}, dk = {m}"
        )


def _check_chain(name, Ms, widths, batch=True, label="M", check_only=False):
    k = len(widths) - 1
    if isinstance(Ms, np.ndarray) or not isinstance(Ms, (list, tuple)):
        raise TypeError(f"{name} must be a list [{label}1, ..., {label}{k}] of k = {k} matrices; "
                        f"got {type(Ms).__name__}")
    if len(Ms) != k:
        raise ValueError(f"{name} must be a list of k = {k} matrices [{label}1, ..., {label}{k}]; "
                         f"got {len(Ms)}")
    out = []
    for i, M in enumerate(Ms):
        A = (check_array if check_only else as_matrix)(f"{name}[{i}] ({label}{i + 1})", M, allow_batch=batch)
        check_shape(f"{name}[{i}] ({label}{i + 1})", A, (widths[i + 1], widths[i]),
                    f"= (d{i + 1}, d{i}) to chain with widths {widths}")
        out.append(A)
    return out


def _common_batch(chains):
    shapes = {M.shape[:-2] for chain in chains for M in chain}
    if len(shapes) > 1:
        raise ValueError(f"all weight matrices must have the same batch shape; got {sorted(shapes)}")
    return shapes.pop() if shapes else ()


def _narrowest(widths):
    d = min(widths)
    k = len(widths) - 1
    has = widths[0] > d and widths[k] > d
    j = next(i for i in range(1, k) if widths[i] == d) if has else None
    return d, j


def _embedding(rows, cols):
    """The ``(rows, cols)`` matrix with an identity block of size ``min`` at the top left."""
    E = np.zeros((rows, cols))
    r = min(rows, cols)
    E[:r, :r] = np.eye(r)
    return E


def widths_with_bottleneck(n: int, m: int, depth: int, hidden: int, d: int, layer: int) -> tuple[int, ...]:
    """``(n, hidden, ..., hidden, m)`` of the given depth with hidden layer ``layer`` set to ``d``.

    ``0 < layer < depth``; e.g. ``widths_with_bottleneck(6, 6, 4, 8, 2, 2)`` is
    ``(6, 8, 2, 8, 6)``. Refuses (``TypeError``) arguments that are not integers and
    (``ValueError``) sizes below 1, ``depth < 2`` and a ``layer`` outside ``[1, depth - 1]``.
    """
    depth = as_positive_int("depth", depth)
    if depth < 2:
        raise ValueError(f"depth must be >= 2 to have a hidden layer; got {depth}")
    if isinstance(layer, bool) or not isinstance(layer, numbers.Integral):
        raise TypeError(f"layer must be an integer in [1, depth - 1] = [1, {depth - 1}]; got {layer!r}")
    if not 0 < layer < depth:
        raise ValueError(f"layer must be a hidden layer index in [1, depth - 1] = [1, {depth - 1}]; "
                         f"got {layer!r}")
    widths = [as_positive_int("n", n)] + [as_positive_int("hidden", hidden)] * (depth - 1)
    widths.append(as_positive_int("m", m))
    widths[layer] = as_positive_int("d", d)
    return tuple(widths)


# ------------------------------------------------------------------- networks
class DeepLinearNetwork:
    r"""``L(M_1, ..., M_k) = f(M_k ... M_1)`` for a convex differentiable loss ``f``.

    The methods refuse weights that are not a list of ``k`` real matrices of the shapes
    :attr:`shapes` (``TypeError`` for the wrong kind of object or non-real entries,
    ``ValueError`` for wrong shapes, batch axes that differ, empty arrays, NaN or infinite
    entries), and :meth:`hessian` refuses, before allocating it, a Hessian above the
    dense-size limit (``landscape._checks.dense_limit``).

    Parameters
    ----------
    widths : sequence of int
        ``(d_0, d_1, ..., d_k)``, at least three numbers (depth ``k >= 2``).
    loss : landscape.losses.Loss
        ``f``, acting on ``(d_k, d_0)`` matrices.

    Notes
    -----
    Weights are passed as a list ``Ms = [M1, ..., Mk]`` with ``Mi`` of shape
    ``(widths[i], widths[i-1])``; every matrix may carry the same leading batch axes
    (many starts at once). Parameter vectors stack ``M1.ravel(), ..., Mk.ravel()``.

    The narrowest width is ``d = min(widths)``. If ``d_0 > d`` and ``d_k > d`` the network
    has a bottleneck (Section 2 of paper B), at the index :attr:`bottleneck` ``= j``, the
    first ``0 < j < k`` with ``d_j = d`` (the paper takes "some" such ``j``; the first is
    this library's rule). Without a bottleneck, :attr:`bottleneck` is ``None``.

    Raises
    ------
    TypeError
        ``widths`` not a sequence of integers; ``loss`` not a :class:`Loss`.
    ValueError
        Depth below 2, a width below 1, widths whose ends do not match the loss.
    """

    def __init__(self, widths, loss):
        self._widths = _as_widths("widths", widths, 3)
        _check_loss(loss, self._widths[0], self._widths[-1], "widths")
        self.loss = loss
        self._d, self._j = _narrowest(self._widths)

    # ------------------------------------------------------------ structure
    @property
    def widths(self) -> tuple[int, ...]:
        """``(d_0, ..., d_k)``."""
        return self._widths

    @property
    def depth(self) -> int:
        """``k``, the number of weight matrices."""
        return len(self._widths) - 1

    @property
    def narrowest(self) -> int:
        """``d = min_i d_i``."""
        return self._d

    @property
    def bottleneck(self):
        """Index ``j`` of the bottleneck layer (``0 < j < k``, ``d_j = d``), or ``None``."""
        return self._j

    @property
    def has_bottleneck(self) -> bool:
        """``d_0 > d`` and ``d_k > d`` (Section 2 of paper B)."""
        return self._j is not None

    @property
    def shapes(self) -> list[tuple[int, int]]:
        """Shapes ``(d_i, d_{i-1})`` of ``M_1, ..., M_k``."""
        w = self._widths
        return [(w[i + 1], w[i]) for i in range(self.depth)]

    @property
    def n_params(self) -> int:
        """``sum_i d_i d_{i-1}``."""
        return sum(a * b for a, b in self.shapes)

    def __repr__(self) -> str:
        where = f"bottleneck at layer {self._j}" if self._j is not None else "no bottleneck"
        return f"DeepLinearNetwork(widths={self._widths}, d={self._d}, {where}, loss={self.loss!r})"

    # ------------------------------------------------------------- weights
    def _weights(self, Ms, batch=True, name="Ms", check_only=False):
        Ms = _check_chain(name, Ms, self._widths, batch, check_only=check_only)
        _common_batch([Ms])
        return Ms

    def pack(self, Ms) -> np.ndarray:
        """Flatten ``Ms`` into ``[M1.ravel(), ..., Mk.ravel()]``."""
        Ms = self._weights(Ms, batch=False)
        return np.concatenate([M.ravel() for M in Ms])

    def unpack(self, theta) -> list[np.ndarray]:
        """Inverse of :meth:`pack` (leading batch axes allowed)."""
        theta = as_matrix("theta", theta, ndim=1, allow_batch=True)
        if theta.shape[-1] != self.n_params:
            raise ValueError(f"theta must have n_params = {self.n_params} entries in its last axis; "
                             f"got {theta.shape[-1]}")
        lead, out, at = theta.shape[:-1], [], 0
        for r, c in self.shapes:
            out.append(theta[..., at:at + r * c].reshape(*lead, r, c))
            at += r * c
        return out

    def random_weights(self, rng, scale: float = 1.0, batch: tuple[int, ...] = ()) -> list[np.ndarray]:
        """Gaussian weights, entries of ``M_i`` with standard deviation ``scale / sqrt(d_{i-1})``.

        With ``scale = 1`` each layer roughly preserves the norm of its input (fan-in
        scaling), so the end-to-end matrix neither explodes nor vanishes with depth.
        ``rng`` must be a ``numpy.random.Generator``; ``scale`` a finite number >= 0 and
        ``batch`` a tuple of integers >= 0.
        """
        as_generator("rng", rng)
        scale = as_nonnegative_float("scale", scale)
        batch = as_shape("batch", batch)
        return [scale / np.sqrt(c) * rng.standard_normal(batch + (r, c)) for r, c in self.shapes]

    # ------------------------------------------------------------ products
    def product(self, Ms) -> np.ndarray:
        """The end-to-end matrix ``P = M_k ... M_1``, shape ``(..., d_k, d_0)``."""
        return _prefixes(self._weights(Ms))[-1]

    def split(self, Ms, j: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(A, B) = (M_k ... M_{j+1}, M_j ... M_1)`` at layer ``j`` (default: the bottleneck).

        For a network without a bottleneck the default is the narrowest layer anyway
        (``j = 0`` gives ``B = I``, ``j = k`` gives ``A = I``).
        """
        Ms = self._weights(Ms)
        k = self.depth
        if j is None:
            j = self._j if self._j is not None else int(np.argmin(self._widths))
        if isinstance(j, bool) or not isinstance(j, numbers.Integral) or not 0 <= j <= k:
            raise ValueError(f"j must be an integer layer index in [0, k] = [0, {k}]; got {j!r}")
        batch = Ms[0].shape[:-2]
        B = np.broadcast_to(np.eye(self._widths[0]), batch + (self._widths[0],) * 2).copy()
        A = np.broadcast_to(np.eye(self._widths[k]), batch + (self._widths[k],) * 2).copy()
        for M in Ms[:j]:
            B = M @ B
        for M in Ms[j:][::-1]:
            A = A @ M
        return A, B

    def embed(self, A, B, j: int | None = None) -> list[np.ndarray]:
        """Weights with ``M_k ... M_{j+1} = A`` and ``M_j ... M_1 = B`` (proof of Theorem 1).

        The layers between are identity blocks padded with zeros (every width is at least
        ``d_j``), ``M_k = [A, 0]`` and ``M_1 = [B; 0]``.
        """
        k, w = self.depth, self._widths
        j = self._j if j is None else j
        if j is not None and (isinstance(j, bool) or not isinstance(j, numbers.Integral)):
            raise TypeError(f"j must be an integer layer index in (0, k) = (0, {k}); got {j!r}")
        if j is None or not 0 < j < k:
            raise ValueError(f"embed needs an interior layer 0 < j < k = {k}; got j = {j}")
        if w[j] != self._d:
            raise ValueError(f"embed needs a narrowest layer j (d_j = d = {self._d}); got d{j} = {w[j]}")
        A = as_matrix("A", A)
        B = as_matrix("B", B)
        check_shape("A", A, (w[k], w[j]), f"= (dk, d{j})")
        check_shape("B", B, (w[j], w[0]), f"= (d{j}, d0)")
        Ms = [_embedding(w[i + 1], w[i]) for i in range(k)]
        Ms[0] = _embedding(w[1], w[j]) @ B
        Ms[k - 1] = A @ _embedding(w[j], w[k - 1])
        if j == 1:
            Ms[0] = B.copy()
        if j == k - 1:
            Ms[k - 1] = A.copy()
        return Ms

    def balanced(self, P, rank: int | None = None) -> list[np.ndarray]:
        r"""A balanced factorization of ``P`` (rank at most ``d``): ``M_k ... M_1 = P``.

        With the SVD ``P = U \Sigma V^T`` over its ``r <= d`` nonzero singular values,
        ``M_1 = [\Sigma^{1/k} V^T; 0]``, ``M_i = diag(\Sigma^{1/k}, 0)`` and
        ``M_k = [U \Sigma^{1/k}, 0]``; then ``M_{i+1}^T M_{i+1} = M_i M_i^T`` for every ``i``.

        ``rank`` (at most ``d``), if given, takes the ``rank`` largest singular values
        instead of the numerically nonzero ones: the product is then the best rank-``rank``
        approximation of ``P``. For a ``P`` of rank ``r`` known only to roundoff (e.g. a
        product of stored factors), whose other singular values are roundoff.
        """
        k, w = self.depth, self._widths
        P = as_matrix("P", P)
        check_shape("P", P, (w[k], w[0]), "= (dk, d0)")
        if rank is None:
            U, s, Vt, r = row_space(P)
        else:
            r = as_positive_int("rank", rank)
            if r > self._d:
                raise ValueError(f"rank must be at most d = {self._d}; got {r}")
            U, s, Vt = np.linalg.svd(P, full_matrices=False)
            if r > s.size or not s[r - 1] > 0:
                raise ValueError(f"P has fewer than rank = {r} nonzero singular values")
            U, s, Vt = U[:, :r], s[:r], Vt[:r]
        if r > self._d:
            raise ValueError(f"P must have rank <= d = {self._d} to factor through the network; "
                             f"got rank {r}")
        root = s ** (1.0 / k)
        Ms = []
        for i in range(k):
            M = np.zeros((w[i + 1], w[i]))
            if i == 0:
                M[:r, :] = root[:, None] * Vt
            elif i == k - 1:
                M[:, :r] = U * root
            else:
                M[:r, :r] = np.diag(root)
            Ms.append(M)
        return Ms

    # -------------------------------------------------------- loss and derivatives
    def value(self, Ms):
        """``L(M_1, ..., M_k) = f(M_k ... M_1)`` (a float, or an array over batch axes)."""
        return self.loss.value(self.product(Ms))

    def value_and_gradient(self, Ms):
        """``(L, [dL/dM_1, ..., dL/dM_k])`` sharing the forward products."""
        Ms = self._weights(Ms)
        pre = _prefixes(Ms)
        v, F = self.loss.value_and_gradient(pre[-1])
        return v, _chain_gradient(Ms, pre, F)

    def gradient(self, Ms) -> list[np.ndarray]:
        r"""``[dL/dM_1, ..., dL/dM_k]`` with ``dL/dM_i = (M_k..M_{i+1})^T f'(P) (M_{i-1}..M_1)^T``.

        The formula of Section 2 of paper B, evaluated from prefix and suffix products
        (linear in the depth).
        """
        Ms = self._weights(Ms)
        pre = _prefixes(Ms)
        return _chain_gradient(Ms, pre, self.loss.gradient(pre[-1]))

    def gradient_naive(self, Ms) -> list[np.ndarray]:
        """The same as :meth:`gradient`, recomputing both products for every layer
        (quadratic in the depth; kept for tests and ``bench/deep_gradients.py``)."""
        Ms = self._weights(Ms)
        return _chain_gradient_naive(Ms, self.loss.gradient(_prefixes(Ms)[-1]))

    def gradient_norm(self, Ms):
        """Frobenius norm of the whole gradient (batch-aware)."""
        G = self.gradient(Ms)
        out = np.sqrt(sum(np.sum(g * g, axis=(-2, -1)) for g in G))
        return out[()] if isinstance(out, np.ndarray) else out

    def hessian_vector_product(self, Ms, Vs) -> list[np.ndarray]:
        """The Hessian of ``L`` at ``Ms`` applied to the direction ``Vs`` (a list like ``Ms``).

        ``Vs`` may carry leading batch axes (many directions at one point).
        """
        Ms = self._weights(Ms, batch=False)
        Vs = _check_chain("Vs", Vs, self._widths, True, label="V")
        _common_batch([Vs])
        pre = _prefixes(Ms)
        dpre = _chain_dproduct(Ms, pre, Vs)
        P = pre[-1]
        F = self.loss.gradient(P)
        dF = self.loss.hessian_vector_product(P, dpre[-1])
        return _chain_hvp(Ms, pre, dpre, Vs, F, dF)

    def hessian(self, Ms) -> np.ndarray:
        """Dense Hessian in the order of :meth:`pack` (small networks: ``n_params`` HVPs)."""
        Ms = self._weights(Ms, batch=False)
        n = self.n_params
        check_dense("Ms", n)
        H = np.concatenate([h.reshape(n, -1) for h in
                            self.hessian_vector_product(Ms, self.unpack(np.eye(n)))], axis=1)
        return 0.5 * (H + H.T)


class MultiTowerNetwork:
    r"""A sum of deep linear networks (towers) with common input and output sizes.

    ``L = f(sum_t M_{t,k_t} ... M_{t,1})`` (Section 1 of paper B, before Corollary 2).

    Parameters
    ----------
    towers : sequence of sequences of int
        One width list ``(n, d_{t,1}, ..., m)`` per tower; every tower starts at
        ``n = d_0`` and ends at ``m = d_k`` of the loss. A tower may have depth 1
        (a plain ``m x n`` matrix) or more.
    loss : landscape.losses.Loss

    Notes
    -----
    Weights are a list with one list of matrices per tower. The bottleneck size of tower
    ``t`` is ``b_t = min_j d_{t,j}`` (ends included) and ``b = sum_t b_t``; :meth:`split`
    returns ``A = [A_1, ..., A_s]`` (``m x b``) and ``B = [B_1; ...; B_s]`` (``b x n``)
    with ``AB`` the end-to-end matrix (proof of Corollary 2).

    Raises
    ------
    TypeError
        A width that is not an integer; ``loss`` not a :class:`Loss`.
    ValueError
        No tower, a width below 1, towers whose ends do not match the loss. The methods
        refuse weights as :class:`DeepLinearNetwork` does (one list of matrices per tower).
    """

    def __init__(self, towers, loss):
        if isinstance(towers, (str, bytes)) or not hasattr(towers, "__len__"):
            raise TypeError(f"towers must be a non-empty list of width lists; got {towers!r}")
        if len(towers) == 0:
            raise ValueError(f"towers must be a non-empty list of width lists; got {towers!r}")
        self._towers = tuple(_as_widths(f"towers[{t}]", w, 2) for t, w in enumerate(towers))
        if not isinstance(loss, Loss):
            raise TypeError(f"loss must be a landscape.losses.Loss; got {type(loss).__name__}")
        m_loss, n_loss = loss.shape
        for t, w in enumerate(self._towers):
            if (w[0], w[-1]) != (n_loss, m_loss):
                raise ValueError(
                    f"towers[{t}] must start at n = {n_loss} and end at m = {m_loss} "
                    f"(the loss acts on (m, n) = {tuple(loss.shape)} matrices); got widths {w}"
                )
        self.loss = loss
        self._b = [min(w) for w in self._towers]
        self._j = [int(np.argmin(w)) for w in self._towers]

    @property
    def towers(self) -> tuple[tuple[int, ...], ...]:
        """The width list of each tower."""
        return self._towers

    @property
    def bottlenecks(self) -> list[int]:
        """``b_t = min_j d_{t,j}`` for each tower."""
        return list(self._b)

    @property
    def b(self) -> int:
        """``b = sum_t b_t``, the inner size of the two-layer network ``AB`` of Corollary 2."""
        return sum(self._b)

    @property
    def n_params(self) -> int:
        return sum(w[i] * w[i + 1] for w in self._towers for i in range(len(w) - 1))

    def __repr__(self) -> str:
        return f"MultiTowerNetwork(towers={list(self._towers)}, b={self.b}, loss={self.loss!r})"

    def _weights(self, Ts, batch=True, name="Ms", label="M", check_only=False):
        if isinstance(Ts, np.ndarray) or not isinstance(Ts, (list, tuple)):
            raise TypeError(f"{name} must be a list of {len(self._towers)} towers, each a list of "
                            f"matrices; got {type(Ts).__name__}")
        if len(Ts) != len(self._towers):
            raise ValueError(f"{name} must be a list of {len(self._towers)} towers, each a list of "
                             f"matrices; got {type(Ts).__name__} of length "
                             f"{len(Ts) if hasattr(Ts, '__len__') else '?'}")
        out = [_check_chain(f"{name}[{t}]", T, w, batch, label=label, check_only=check_only) for t, (T, w) in
               enumerate(zip(Ts, self._towers))]
        _common_batch(out)
        return out

    def pack(self, Ts) -> np.ndarray:
        Ts = self._weights(Ts, batch=False)
        return np.concatenate([M.ravel() for T in Ts for M in T])

    def unpack(self, theta):
        theta = as_matrix("theta", theta, ndim=1, allow_batch=True)
        if theta.shape[-1] != self.n_params:
            raise ValueError(f"theta must have n_params = {self.n_params} entries in its last axis; "
                             f"got {theta.shape[-1]}")
        lead, out, at = theta.shape[:-1], [], 0
        for w in self._towers:
            T = []
            for i in range(len(w) - 1):
                r, c = w[i + 1], w[i]
                T.append(theta[..., at:at + r * c].reshape(*lead, r, c))
                at += r * c
            out.append(T)
        return out

    def random_weights(self, rng, scale: float = 1.0, batch: tuple[int, ...] = ()):
        """Gaussian weights with fan-in scaling (as :meth:`DeepLinearNetwork.random_weights`)."""
        as_generator("rng", rng)
        scale = as_nonnegative_float("scale", scale)
        batch = as_shape("batch", batch)
        return [[scale / np.sqrt(w[i]) * rng.standard_normal(batch + (w[i + 1], w[i]))
                 for i in range(len(w) - 1)] for w in self._towers]

    def product(self, Ts) -> np.ndarray:
        """``sum_t M_{t,k_t} ... M_{t,1}``."""
        return sum(_prefixes(T)[-1] for T in self._weights(Ts))

    def split(self, Ts):
        """``(A, B)`` with ``A = [A_1, ..., A_s]`` and ``B = [B_1; ...; B_s]``, each tower cut
        at its narrowest layer (identity factors where that layer is an end)."""
        Ts = self._weights(Ts)
        As, Bs = [], []
        for T, w, j in zip(Ts, self._towers, self._j):
            batch = T[0].shape[:-2]
            B = np.broadcast_to(np.eye(w[0]), batch + (w[0], w[0])).copy()
            A = np.broadcast_to(np.eye(w[-1]), batch + (w[-1], w[-1])).copy()
            for M in T[:j]:
                B = M @ B
            for M in T[j:][::-1]:
                A = A @ M
            As.append(A)
            Bs.append(B)
        return np.concatenate(As, axis=-1), np.concatenate(Bs, axis=-2)

    def _interior(self, t):
        w, j = self._towers[t], self._j[t]
        if not 0 < j < len(w) - 1:
            raise ValueError(f"towers[{t}] = {w} has its narrowest width at an end (layer {j}); "
                             "embed and lift need every tower cut at an interior layer")
        return w, j

    def embed(self, A, B):
        """Tower weights whose cut (:meth:`split`) is ``(A, B)``: each tower ``t`` gets the
        blocks ``A_t`` (its ``b_t`` columns of ``A``) and ``B_t`` (its rows of ``B``) through
        :meth:`DeepLinearNetwork.embed` (identity blocks padded with zeros between), so the
        end-to-end matrix is ``AB`` (the converse direction of Corollary 2's proof). Every
        tower must have its narrowest width at an interior layer."""
        m, n = self.loss.shape
        A = as_matrix("A", A)
        B = as_matrix("B", B)
        check_shape("A", A, (m, self.b), "= (m, b)")
        check_shape("B", B, (self.b, n), "= (b, n)")
        out, at = [], 0
        for t, bt in enumerate(self._b):
            w, j = self._interior(t)
            out.append(DeepLinearNetwork(w, self.loss).embed(A[:, at:at + bt], B[at:at + bt], j))
            at += bt
        return out

    def lift(self, Ts, dA, dB):
        """Realise the perturbation ``(A, B) -> (A + dA, B + dB)`` of the cut by perturbing only
        the top and the bottom layer of each tower (proof of Theorem 1, erratum B1): with
        ``A_t = M_k A1`` and ``B_t = B2 M_1``, ``dM_k = dA_t A1^+`` and ``dM_1 = B2^+ dB_t``.

        Returns ``(Ts', c)``: the perturbed weights, whose cut is ``(A + dA, B + dB)`` when
        every ``A1`` has full column rank and every ``B2`` full row rank, and the constant
        ``c = max_t max(||A1^+||_2, ||B2^+||_2)``, so ``||Ts' - Ts|| <= c ||(dA, dB)||``.
        """
        Ts = [[M.copy() for M in T] for T in self._weights(Ts, batch=False)]
        m, n = self.loss.shape
        dA = as_matrix("dA", dA)
        dB = as_matrix("dB", dB)
        check_shape("dA", dA, (m, self.b), "= (m, b)")
        check_shape("dB", dB, (self.b, n), "= (b, n)")
        c, at = 0.0, 0
        for t, bt in enumerate(self._b):
            w, j = self._interior(t)
            T, k = Ts[t], len(w) - 1
            A1 = np.eye(bt)
            for M in T[j:k - 1]:
                A1 = M @ A1
            B2 = np.eye(bt)
            for M in T[1:j][::-1]:
                B2 = B2 @ M
            A1p, B2p = np.linalg.pinv(A1), np.linalg.pinv(B2)
            c = max(c, float(np.linalg.norm(A1p, 2)), float(np.linalg.norm(B2p, 2)))
            T[k - 1] = T[k - 1] + dA[:, at:at + bt] @ A1p
            T[0] = T[0] + B2p @ dB[at:at + bt]
            at += bt
        return Ts, c

    def value(self, Ts):
        return self.loss.value(self.product(Ts))

    def value_and_gradient(self, Ts):
        Ts = self._weights(Ts)
        pres = [_prefixes(T) for T in Ts]
        v, F = self.loss.value_and_gradient(sum(p[-1] for p in pres))
        return v, [_chain_gradient(T, p, F) for T, p in zip(Ts, pres)]

    def gradient(self, Ts):
        """One list of layer gradients per tower; every tower sees the same ``f'(P)``."""
        return self.value_and_gradient(Ts)[1]

    def gradient_norm(self, Ts):
        G = self.gradient(Ts)
        out = np.sqrt(sum(np.sum(g * g, axis=(-2, -1)) for T in G for g in T))
        return out[()] if isinstance(out, np.ndarray) else out

    def hessian_vector_product(self, Ts, Vs):
        Ts = self._weights(Ts, batch=False)
        Vs = self._weights(Vs, name="Vs", label="V")
        pres = [_prefixes(T) for T in Ts]
        dpres = [_chain_dproduct(T, p, V) for T, p, V in zip(Ts, pres, Vs)]
        P = sum(p[-1] for p in pres)
        F = self.loss.gradient(P)
        dF = self.loss.hessian_vector_product(P, sum(d[-1] for d in dpres))
        return [_chain_hvp(T, p, d, V, F, dF) for T, p, d, V in zip(Ts, pres, dpres, Vs)]

    def hessian(self, Ts) -> np.ndarray:
        self._weights(Ts, batch=False, check_only=True)
        n = self.n_params
        check_dense("Ms", n)
        HV = self.hessian_vector_product(Ts, self.unpack(np.eye(n)))
        H = np.concatenate([h.reshape(n, -1) for T in HV for h in T], axis=1)
        return 0.5 * (H + H.T)


# --------------------------------------------------------- rank-constrained optimum
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


# ------------------------------------------------------------ Lemma 1's construction
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
    """Cut ``Ms`` at the narrowest layer (:meth:`DeepLinearNetwork.split`) and measure
    Lemma 2's gradients of ``L_2`` and Lemma 1's ranks (:class:`BottleneckCut`).

    Refuses a ``net`` that is not a :class:`DeepLinearNetwork` and weights as its methods do."""
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
    Ms = [M.copy() for M in net._weights(Ms, batch=False)]
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
        A ``net`` that is not a :class:`DeepLinearNetwork`; weights that are not a list of
        real matrices; non-real ``eps`` or ``rtol``.
    """
    if not isinstance(net, DeepLinearNetwork):
        raise TypeError(f"net must be a DeepLinearNetwork; got {type(net).__name__}")
    eps, rtol = as_positive_float("eps", eps), as_nonnegative_float("rtol", rtol)
    if not net.has_bottleneck:
        raise ValueError(f"Lemma 1 concerns networks with a bottleneck; widths {net.widths} have none")
    Ms = [M.copy() for M in net._weights(Ms, batch=False)]
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
        Q = _mm(M, Q)
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
