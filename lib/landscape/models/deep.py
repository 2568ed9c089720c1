r"""Deep and multi-tower linear networks under a convex loss (paper B).

A deep linear network with widths ``d_0, ..., d_k`` has weights ``M_i`` of shape
``(d_i, d_{i-1})`` and loss ``L(M_1, ..., M_k) = f(M_k ... M_1)`` for a convex differentiable
``f`` of the end-to-end matrix (a :class:`~landscape.models.losses.Loss`). Paper B, Section 2:

* the depth is ``k``, the narrowest width is ``d = min_i d_i``, and the network has a
  *bottleneck* if ``d_0 > d`` and ``d_k > d``;
* the layer gradients are
  ``dL/dM_i = (M_k ... M_{i+1})^T f'(M_k ... M_1) (M_{i-1} ... M_1)^T``;
* at the narrowest layer ``j`` the network splits into ``A = M_k ... M_{j+1}`` and
  ``B = M_j ... M_1`` (Lemma 1, Lemma 2), and ``L_2(A, B) = f(AB)``.

This module holds the models: :class:`DeepLinearNetwork` (value, gradient, Hessian-vector
product, dense Hessian, pack/unpack, the split at the narrowest layer and its inverse
``embed``, the balanced factorization of a product), :class:`MultiTowerNetwork` (the sum of
such networks, Corollary 2), and two small helpers, :func:`numerical_rank` and
:func:`widths_with_bottleneck`. :class:`DeepLinearNetwork` computes all layer gradients from
the prefix products ``M_i ... M_1`` and the suffix products ``M_k ... M_{i+1}``, the latter
applied to ``f'(P)`` as they are accumulated (backpropagation): ``3(k - 1)`` matrix products
for all ``k`` gradients, linear in the depth. Recomputing both products for each layer
separately is quadratic (:meth:`DeepLinearNetwork.gradient_naive`; timed in
``bench/deep_gradients.py``). Paper B's statements about these networks (the
rank-constrained optimum, the cut at the bottleneck, Lemma 1's construction) are in
:mod:`landscape.theory.paper_b`; the methods that train them are in ``landscape.optim``.

**Internal API** (offered to the other packages, not exported to readers):
``check_network`` and ``check_network_weights`` (a network of this module and weights that
fit it), ``prefixes`` (the prefix products ``M_i ... M_1``), ``chain_dproduct`` (their
directional derivatives) and ``matmul_or_identity`` (a product in which ``None`` is the
identity).

For example, a two-layer network with a bottleneck of width 1:

>>> import numpy as np
>>> from landscape.models.losses import Quadratic
>>> rng = np.random.default_rng(0)
>>> X, Y = rng.standard_normal((3, 8)), rng.standard_normal((3, 8))
>>> net = DeepLinearNetwork((3, 1, 3), Quadratic(X, Y))
>>> net.depth, net.narrowest, net.has_bottleneck, net.n_params
(2, 1, True, 6)
>>> Ms = net.random_weights(rng)
>>> P = Ms[1] @ Ms[0]
>>> bool(np.isclose(net.value(Ms), 0.5 * np.sum((P @ X - Y) ** 2)))
True
"""

from __future__ import annotations

import numbers

import numpy as np

from .._checks import (as_generator, as_matrix, as_nonnegative_float, as_positive_int, as_shape,
                       check_array, check_dense, check_shape)
from ..models.losses import Loss, row_space

__all__ = ['DeepLinearNetwork', 'MultiTowerNetwork', 'numerical_rank', 'widths_with_bottleneck']


def _mT(a):
    return np.swapaxes(a, -1, -2)


def matmul_or_identity(a, b):
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


def prefixes(Ms):
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
        suf[i] = matmul_or_identity(suf[i + 1], Ms[i + 1])
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
            above = matmul_or_identity(M, above)
        below = None
        for M in Ms[:i]:
            below = matmul_or_identity(M, below)
        out.append(matmul_or_identity(matmul_or_identity(_T(above), F), _T(below)))
    return out


def chain_dproduct(Ms, pre, Vs):
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
        g = matmul_or_identity(matmul_or_identity(_T(suf[i]), dF), _T(below))
        if dsuf[i] is not None:
            g = g + matmul_or_identity(_mT(dsuf[i]) @ F, _T(below))
        if i > 0:
            g = g + matmul_or_identity(_T(suf[i]), F) @ _mT(dpre[i - 1])
        out.append(g)
    return out


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
        raise TypeError(f"loss must be a landscape.models.losses.Loss (e.g. Quadratic(X, Y)); "
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
    loss : landscape.models.losses.Loss
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
        ``widths`` not a sequence of integers; ``loss`` not a :class:`~landscape.models.losses.Loss`.
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
    def as_weights(self, Ms, batch=True, name="Ms", check_only=False):
        Ms = _check_chain(name, Ms, self._widths, batch, check_only=check_only)
        _common_batch([Ms])
        return Ms

    def pack(self, Ms) -> np.ndarray:
        """Flatten ``Ms`` into ``[M1.ravel(), ..., Mk.ravel()]``."""
        Ms = self.as_weights(Ms, batch=False)
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
        return prefixes(self.as_weights(Ms))[-1]

    def split(self, Ms, j: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(A, B) = (M_k ... M_{j+1}, M_j ... M_1)`` at layer ``j`` (default: the bottleneck).

        For a network without a bottleneck the default is the narrowest layer anyway
        (``j = 0`` gives ``B = I``, ``j = k`` gives ``A = I``).
        """
        Ms = self.as_weights(Ms)
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
        Ms = self.as_weights(Ms)
        pre = prefixes(Ms)
        v, F = self.loss.value_and_gradient(pre[-1])
        return v, _chain_gradient(Ms, pre, F)

    def gradient(self, Ms) -> list[np.ndarray]:
        r"""``[dL/dM_1, ..., dL/dM_k]`` with ``dL/dM_i = (M_k..M_{i+1})^T f'(P) (M_{i-1}..M_1)^T``.

        The formula of Section 2 of paper B, evaluated from prefix and suffix products
        (linear in the depth).
        """
        Ms = self.as_weights(Ms)
        pre = prefixes(Ms)
        return _chain_gradient(Ms, pre, self.loss.gradient(pre[-1]))

    def gradient_naive(self, Ms) -> list[np.ndarray]:
        """The same as :meth:`gradient`, recomputing both products for every layer
        (quadratic in the depth; kept for tests and ``bench/deep_gradients.py``)."""
        Ms = self.as_weights(Ms)
        return _chain_gradient_naive(Ms, self.loss.gradient(prefixes(Ms)[-1]))

    def gradient_norm(self, Ms):
        """Frobenius norm of the whole gradient (batch-aware)."""
        G = self.gradient(Ms)
        out = np.sqrt(sum(np.sum(g * g, axis=(-2, -1)) for g in G))
        return out[()] if isinstance(out, np.ndarray) else out

    def hessian_vector_product(self, Ms, Vs) -> list[np.ndarray]:
        """The Hessian of ``L`` at ``Ms`` applied to the direction ``Vs`` (a list like ``Ms``).

        ``Vs`` may carry leading batch axes (many directions at one point).
        """
        Ms = self.as_weights(Ms, batch=False)
        Vs = _check_chain("Vs", Vs, self._widths, True, label="V")
        _common_batch([Vs])
        pre = prefixes(Ms)
        dpre = chain_dproduct(Ms, pre, Vs)
        P = pre[-1]
        F = self.loss.gradient(P)
        dF = self.loss.hessian_vector_product(P, dpre[-1])
        return _chain_hvp(Ms, pre, dpre, Vs, F, dF)

    def hessian(self, Ms) -> np.ndarray:
        """Dense Hessian in the order of :meth:`pack` (small networks: ``n_params`` HVPs)."""
        Ms = self.as_weights(Ms, batch=False)
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
    loss : landscape.models.losses.Loss

    Notes
    -----
    Weights are a list with one list of matrices per tower. The bottleneck size of tower
    ``t`` is ``b_t = min_j d_{t,j}`` (ends included) and ``b = sum_t b_t``; :meth:`split`
    returns ``A = [A_1, ..., A_s]`` (``m x b``) and ``B = [B_1; ...; B_s]`` (``b x n``)
    with ``AB`` the end-to-end matrix (proof of Corollary 2).

    Raises
    ------
    TypeError
        A width that is not an integer; ``loss`` not a :class:`~landscape.models.losses.Loss`.
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
            raise TypeError(f"loss must be a landscape.models.losses.Loss; got {type(loss).__name__}")
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

    def as_weights(self, Ts, batch=True, name="Ms", label="M", check_only=False):
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
        Ts = self.as_weights(Ts, batch=False)
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
        return sum(prefixes(T)[-1] for T in self.as_weights(Ts))

    def split(self, Ts):
        """``(A, B)`` with ``A = [A_1, ..., A_s]`` and ``B = [B_1; ...; B_s]``, each tower cut
        at its narrowest layer (identity factors where that layer is an end)."""
        Ts = self.as_weights(Ts)
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
        Ts = [[M.copy() for M in T] for T in self.as_weights(Ts, batch=False)]
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
        Ts = self.as_weights(Ts)
        pres = [prefixes(T) for T in Ts]
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
        Ts = self.as_weights(Ts, batch=False)
        Vs = self.as_weights(Vs, name="Vs", label="V")
        pres = [prefixes(T) for T in Ts]
        dpres = [chain_dproduct(T, p, V) for T, p, V in zip(Ts, pres, Vs)]
        P = sum(p[-1] for p in pres)
        F = self.loss.gradient(P)
        dF = self.loss.hessian_vector_product(P, sum(d[-1] for d in dpres))
        return [_chain_hvp(T, p, d, V, F, dF) for T, p, d, V in zip(Ts, pres, dpres, Vs)]

    def hessian(self, Ts) -> np.ndarray:
        self.as_weights(Ts, batch=False, check_only=True)
        n = self.n_params
        check_dense("Ms", n)
        HV = self.hessian_vector_product(Ts, self.unpack(np.eye(n)))
        H = np.concatenate([h.reshape(n, -1) for T in HV for h in T], axis=1)
        return 0.5 * (H + H.T)


def check_network(net):
    for attr in ("pack", "unpack", "value_and_gradient", "hessian"):
        if not hasattr(net, attr):
            raise TypeError(f"net must be a DeepLinearNetwork or MultiTowerNetwork (it has no .{attr}); "
                            f"got {type(net).__name__}")


def check_network_weights(net, Ms, batch=True):
    """Validate ``Ms`` against ``net`` (without converting them) when ``net`` is a network of
    :mod:`landscape.models.deep`; other networks check their weights themselves."""

    if isinstance(net, (DeepLinearNetwork, MultiTowerNetwork)):
        net.as_weights(Ms, batch=batch, check_only=True)
    elif isinstance(Ms, np.ndarray) or not isinstance(Ms, (list, tuple)) or not Ms:
        raise TypeError(f"Ms must be a non-empty list of weight matrices; got {type(Ms).__name__}")
