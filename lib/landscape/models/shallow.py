r"""The shallow linear network of Zhu, Soudry, Eldar and Wakin (paper A).

The objective (1) of the paper and its regularized form (2)-(3),

.. math::

    f(W_1, W_2) &= \tfrac12 \|W_2 W_1 X - Y\|_F^2, \\
    g(W_1, W_2) &= f(W_1, W_2) + \tfrac{\mu}{4}\,\rho(W_1, W_2), \\
    \rho &= \|W_2^\top W_2 - W_1 X X^\top W_1^\top\|_F^2,

with paper A's shapes: ``X`` is ``(d0, N)``, ``Y`` is ``(d2, N)``, ``W1`` is ``(d1, d0)``
and ``W2`` is ``(d2, d1)``; ``d1`` is the width of the hidden layer (``hidden``).

Everything that does not depend on the weights is computed once, when the problem is
built: ``X X^T``, ``Y X^T``, the reduced SVD ``X = U Sigma V^T`` of (10), the projected
targets ``Ytilde = Y V`` and their SVD ``Ytilde = P Lambda Q^T`` (Lemma 1), and the part of
``||Y||^2`` that no linear map of ``X`` can reach. No method afterwards touches an array
with ``N`` columns, so the cost of an evaluation does not grow with the number of
samples.

Weights may carry leading batch axes in :meth:`ShallowProblem.value` and
:meth:`ShallowProblem.gradient` (``W1`` of shape ``(..., d1, d0)``), which is how many
random starts are run at once.

:class:`ShallowProblem` is one problem; :class:`ProblemStack` stacks several problems of the
same shape (one random instance per seed) so that one batched product advances every seed
on its own data.

**Internal API** (offered to the other packages, not exported to readers): the fused
kernels ``f_kernel``, ``rho_kernel``, ``gradient_kernel`` and ``hvp_kernel`` (the objective,
the regularizer, the gradient (18)-(19) and the Hessian-vector product, computed from the
``invariants`` of the data), ``invariants`` itself, ``Shape`` (the sizes and ``mu`` shared by
a problem and a stack), ``check_problem`` and ``check_problem_or_stack`` (argument checks),
and the method ``ShallowProblem.as_weights`` (weights checked against the problem's shapes).
"""

from __future__ import annotations

import numpy as np

from .. import canonical
from .._checks import (as_generator, as_matrix, as_nonnegative_float, as_positive_int, as_shape,
                       check_array, check_dense, check_shape)

__all__ = ['ProblemStack', 'ShallowProblem']


def _mT(a: np.ndarray) -> np.ndarray:
    """Transpose of the last two axes."""
    return np.swapaxes(a, -1, -2)


def _numerical_rank(s: np.ndarray, shape: tuple[int, int]) -> int:
    """Rank from singular values ``s`` (descending) with NumPy's default tolerance."""
    if s.size == 0 or s[0] == 0.0:
        return 0
    tol = s[0] * max(shape) * np.finfo(np.float64).eps
    return int(np.count_nonzero(s > tol))


# Unchecked evaluations on the invariants ``data = (U Sigma, Y V, X X^T, Y X^T,
# ||Y||^2 - ||YV||^2, ||Y||^2)``, with any leading batch axes (of the weights, and of the
# invariants for a stack of problems, ``landscape.models.shallow.ProblemStack``). The methods of
# ShallowProblem check their inputs and call these; the batched runners of
# ``landscape.optim.lbfgs`` call them inside their loops. Transposes are made contiguous first
# (NumPy's stacked matmul is two to three times slower on transposed views of small matrices).
def _T(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(_mT(a))


def f_kernel(data, W1, W2):
    """f of (1), from the reduced form (see :class:`ShallowProblem`)."""
    US, Yt, _, _, outside, _ = data
    R = W2 @ (W1 @ US) - Yt
    return 0.5 * (np.sum(R * R, axis=(-2, -1)) + outside)


def rho_kernel(data, W1, W2):
    """rho of (3)."""
    XXt = data[2]
    D = _T(W2) @ W2
    D -= (W1 @ XXt) @ _T(W1)
    return np.sum(D * D, axis=(-2, -1))


def gradient_kernel(data, mu, W1, W2, with_rho=False):
    """``(G1, G2)`` of (18)-(19); with ``with_rho`` also the regularizer (3) (from the same
    ``D``), as a third element."""
    _, _, XXt, YXt, _, _ = data
    W1T, W2T = _T(W1), _T(W2)
    K = W1 @ XXt
    E = W2 @ K
    E -= YXt
    G1 = W2T @ E
    G2 = E @ W1T
    if mu or with_rho:
        D = W2T @ W2
        D -= K @ W1T
        if mu:
            G1 -= mu * (D @ K)
            G2 += mu * (W2 @ D)
        if with_rho:
            return G1, G2, np.sum(D * D, axis=(-2, -1))
    return G1, G2


def hvp_kernel(data, mu, W1, W2, V1, V2):
    """The directional derivative of (18)-(19) along ``(V1, V2)``: ``H v`` in blocks."""
    _, _, C, YXt, _, _ = data
    K = W1 @ C
    E = W2 @ K - YXt
    dK = V1 @ C
    dE = V2 @ K + W2 @ dK
    H1 = _mT(V2) @ E + _mT(W2) @ dE
    H2 = dE @ _mT(W1) + E @ _mT(V1)
    if mu:
        D = _mT(W2) @ W2 - K @ _mT(W1)
        S = _mT(W2) @ V2
        T = V1 @ _mT(K)
        dD = S + _mT(S) - T - _mT(T)
        H1 = H1 - mu * (dD @ K + D @ dK)
        H2 = H2 + mu * (V2 @ D + W2 @ dD)
    return H1, H2


def _read_only(attr: str, doc: str) -> property:
    """A read-only property that returns the attribute ``attr`` (set when the object is built)."""
    return property(lambda self: getattr(self, attr), doc=doc)


class Shape:
    """The sizes and the regularizer weight shared by :class:`ShallowProblem` and
    :class:`~landscape.models.shallow.ProblemStack` (both set ``_d0, _d1, _d2, _mu``)."""

    _d0: int
    _d1: int
    _d2: int
    _mu: float

    d0 = _read_only("_d0", "Input size (rows of X).")
    d1 = _read_only("_d1", "Hidden width (``hidden``).")
    d2 = _read_only("_d2", "Output size (rows of Y).")
    mu = _read_only("_mu", "Weight of the regularizer in (2).")

    @property
    def shapes(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """Shapes of ``(W1, W2)``."""
        return (self._d1, self._d0), (self._d2, self._d1)

    @property
    def n_params(self) -> int:
        """Number of parameters ``d1 d0 + d2 d1`` (the size of the Hessian)."""
        return self._d1 * self._d0 + self._d2 * self._d1


class ShallowProblem(Shape):
    r"""Training a shallow linear network: f of (1) and its regularized form g of (2).

    The methods check their arguments the same way: weights must be finite real arrays of
    the shapes ``self.shapes`` (with the same leading batch axes where batches are allowed),
    and :meth:`hessian` refuses, before allocating it, a Hessian above the dense-size limit
    (``ValueError``). The limit is ``landscape._checks.DENSE_LIMIT_BYTES`` (2 GiB by
    default), the same for every entry point that would allocate a dense ``n x n`` array;
    raise it on purpose for a block of code with
    ``with landscape._checks.dense_limit(nbytes): ...``.

    Parameters
    ----------
    X : array_like, shape (d0, N)
        Inputs, one sample a column. Theorem 2 assumes ``X X^T`` has full rank, that
        is ``X`` has full row rank ``d0`` (so ``N >= d0``); anything else is refused.
    Y : array_like, shape (d2, N)
        Targets, one sample a column. Any rank is allowed (Theorem 2 asks nothing of Y).
    hidden : int
        Width ``d1 >= 1`` of the hidden layer.
    mu : float, default 0.0
        Weight of the regularizer in (2); ``mu = 0`` gives f of (1).

    Raises
    ------
    TypeError
        Non-numeric arrays (bool, complex, str, object), non-integer ``hidden``, a
        non-real ``mu``.
    ValueError
        Wrong number of dimensions, empty arrays, NaN or infinite entries, different
        sample counts in X and Y, ``hidden < 1``, ``mu < 0`` or not finite, X without full
        row rank, more samples than the dense-size limit allows for the ``N x N`` factor of
        the canonical SVD of X (``landscape._checks.check_dense``).

    Notes
    -----
    The value is computed from the reduced form in the proof of Theorem 2,

    .. math::
        f &= \tfrac12 \|W_2 W_1 U\Sigma - Y V\|_F^2 \\
          &\quad + \tfrac12\bigl(\|Y\|_F^2 - \|YV\|_F^2\bigr),

    whose second term is stored as ``||Y - Y V V^T||^2`` (no cancellation when Y is
    close to the row space of X). The paper prints this constant without the factor
    1/2 (see the errata appendix of the book).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.standard_normal((3, 20)), rng.standard_normal((2, 20))
    >>> p = ShallowProblem(X, Y, hidden=1, mu=0.5)
    >>> W1, W2 = p.balanced_minimizer()
    >>> bool(np.isclose(p.value(W1, W2), p.global_minimum()))
    True
    """

    def __init__(self, X, Y, hidden, mu=0.0):
        X = as_matrix("X", X)
        Y = as_matrix("Y", Y)
        d0, N = X.shape
        d2, N_Y = Y.shape
        if N_Y != N:
            raise ValueError(
                f"X and Y must have the same number of samples (columns); "
                f"X has N = {N} columns, Y has {N_Y}"
            )
        self._d1 = as_positive_int("hidden", hidden)
        self._mu = as_nonnegative_float("mu", mu)
        if N < d0:
            raise ValueError(
                f"X must have full row rank (Theorem 2 assumes X X^T is invertible), which "
                f"needs at least d0 samples; X has N = {N} columns < d0 = {d0} rows"
            )
        check_dense("X", N, what="N x N factor of the canonical SVD of X")
        U, sigma, Vt = canonical.svd(X)
        rank_X = _numerical_rank(sigma, X.shape)
        if rank_X < d0:
            raise ValueError(
                f"X must have full row rank (Theorem 2 assumes it); rank {rank_X} < d0 = {d0}"
            )
        self._d0, self._d2, self._N = d0, d2, N
        self._X = X.copy()
        self._Y = Y.copy()
        self._X.flags.writeable = False
        self._Y.flags.writeable = False
        # Invariants of the problem (computed once).
        self._U = U
        self._sigma = sigma
        self._US = U * sigma  # U Sigma, (d0, d0)
        XXt = X @ X.T
        self._XXt = 0.5 * (XXt + XXt.T)
        self._YXt = Y @ X.T
        self._Ytilde = Y @ Vt.T  # Y V, (d2, d0)
        self._outside = float(np.sum((Y - self._Ytilde @ Vt) ** 2))  # ||Y||^2 - ||YV||^2
        self._Y_norm2 = float(np.sum(Y * Y))
        self._data = (self._US, self._Ytilde, self._XXt, self._YXt, self._outside, self._Y_norm2)
        P, lam, Qt = canonical.svd(self._Ytilde)
        self._rank_Y = _numerical_rank(lam, self._Ytilde.shape)
        self._P, self._lam, self._Q = P, lam, Qt.T

    # ----------------------------------------------------------------- properties
    N = _read_only("_N", "Number of samples (columns of X and Y).")
    X = _read_only("_X", "Inputs (read-only copy).")
    Y = _read_only("_Y", "Targets (read-only copy).")
    XXt = _read_only("_XXt", "``X X^T``, shape (d0, d0).")
    YXt = _read_only("_YXt", "``Y X^T``, shape (d2, d0).")
    U = _read_only("_U", "Left singular vectors of X, (10); shape (d0, d0).")
    sigma = _read_only("_sigma", "Singular values of X, descending, all positive; (10).")
    Ytilde = _read_only("_Ytilde", "``Ytilde = Y V`` of Lemma 1, shape (d2, d0).")
    lam = _read_only("_lam", "Singular values ``lambda_j`` of ``Ytilde`` "
                            "(descending; min(d2, d0) of them).")
    P = _read_only("_P", "Left singular vectors ``p_j`` of ``Ytilde`` (columns).")
    Q = _read_only("_Q", "Right singular vectors ``q_j`` of ``Ytilde`` (columns).")
    rank_Y = _read_only("_rank_Y", "Numerical rank ``r`` of ``Ytilde = Y V`` (Lemma 1's r).")
    unreachable = _read_only("_outside", "The energy of Y outside the row space of X, "
                                         "``||Y||^2 - ||Y V||^2``.")

    def __repr__(self) -> str:
        return (
            f"ShallowProblem(d0={self._d0}, d1={self._d1}, d2={self._d2}, N={self._N}, "
            f"mu={self._mu:g}, rank(YV)={self._rank_Y})"
        )

    def with_mu(self, mu) -> "ShallowProblem":
        """The same data and width with another regularizer weight (invariants shared)."""
        other = object.__new__(ShallowProblem)
        other.__dict__.update(self.__dict__)
        other._mu = as_nonnegative_float("mu", mu)
        return other

    # ------------------------------------------------------------------- helpers
    def as_weights(self, W1, W2, batch: bool = True, check_only: bool = False, names=("W1", "W2")):
        # check_only: validate without the perturbation of the reproducibility check (for
        # weights that are checked here and converted later by another method)
        conv = check_array if check_only else as_matrix
        n1, n2 = names
        W1 = conv(n1, W1, allow_batch=batch)
        W2 = conv(n2, W2, allow_batch=batch)
        check_shape(n1, W1, (self._d1, self._d0), "= (d1, d0)")
        check_shape(n2, W2, (self._d2, self._d1), "= (d2, d1)")
        if W1.shape[:-2] != W2.shape[:-2]:
            raise ValueError(
                f"{n1} and {n2} must have the same batch shape; got {W1.shape[:-2]} and {W2.shape[:-2]}"
            )
        return W1, W2

    def pack(self, W1, W2) -> np.ndarray:
        """Flatten ``(W1, W2)`` into the parameter vector ``[W1.ravel(), W2.ravel()]``."""
        W1, W2 = self.as_weights(W1, W2, batch=False)
        return np.concatenate([W1.ravel(), W2.ravel()])

    def unpack(self, theta) -> tuple[np.ndarray, np.ndarray]:
        """Inverse of :meth:`pack` (trailing axis of length ``n_params``; batches allowed)."""
        theta = as_matrix("theta", theta, ndim=1, allow_batch=True)
        if theta.shape[-1] != self.n_params:
            raise ValueError(
                f"theta must have n_params = d1 d0 + d2 d1 = {self.n_params} entries "
                f"in its last axis; got {theta.shape[-1]}"
            )
        n1 = self._d1 * self._d0
        lead = theta.shape[:-1]
        W1 = theta[..., :n1].reshape(*lead, self._d1, self._d0)
        W2 = theta[..., n1:].reshape(*lead, self._d2, self._d1)
        return W1, W2

    def random_weights(self, rng, scale: float = 1.0, batch: tuple[int, ...] = ()):
        """Gaussian weights with entries of standard deviation ``scale``.

        ``rng`` must be a ``numpy.random.Generator`` (pass ``np.random.default_rng(seed)``);
        ``batch`` adds leading axes.

        Raises ``TypeError`` for another ``rng``, ``ValueError``/``TypeError`` for a negative,
        infinite or non-real ``scale`` or a ``batch`` that is not a tuple of integers >= 0.
        """
        as_generator("rng", rng)
        scale = as_nonnegative_float("scale", scale)
        batch = as_shape("batch", batch)
        W1 = scale * rng.standard_normal(batch + (self._d1, self._d0))
        W2 = scale * rng.standard_normal(batch + (self._d2, self._d1))
        return W1, W2

    # ------------------------------------------------------- global minimum
    def global_minimum(self) -> float:
        r"""The global minimum value of f, which is also that of g (Theorem 2(i)); closed form.

        Minimizing ``f`` over ``(W1, W2)`` is minimizing ``1/2 ||W X - Y||^2`` over matrices
        ``W = W2 W1`` of rank at most ``d1``. With ``X = U Sigma V^T`` the map
        ``W -> W U Sigma`` is invertible, so by Eckart-Young

        .. math::
            \min f = \tfrac12 \sum_{j > d_1} \lambda_j^2 + \tfrac12 \bigl(\|Y\|_F^2 - \|YV\|_F^2\bigr),

        with ``lambda_j`` the singular values of ``Y V``.
        """
        tail = self._lam[self._d1:]
        return 0.5 * (float(np.sum(tail * tail)) + self._outside)

    def balanced_minimizer(self) -> tuple[np.ndarray, np.ndarray]:
        r"""The balanced global minimizer built in the proof of Theorem 2(i).

        With ``P1 Omega Q1^T`` the best rank-``d1`` approximation of ``Y V`` (its top
        ``k = min(r, d1)`` singular triplets), ``W2 = P1 Omega^{1/2}`` and
        ``W1 = Omega^{1/2} Q1^T Sigma^{-1} U^T``, padded with zero columns of ``W2`` and
        zero rows of ``W1`` up to width ``d1``. Then ``W2^T W2 = W1 X X^T W1^T = Omega``
        (so ``rho = 0``) and ``W2 W1 X`` is the best rank-``d1`` fit, hence
        ``g = f = global_minimum()``. It is the element of Lemma 1's set C with support
        ``{0, ..., k-1}`` and ``R = I``.
        """
        k = min(self._rank_Y, self._d1)
        s = np.sqrt(self._lam[:k])
        W2 = np.zeros((self._d2, self._d1))
        W1 = np.zeros((self._d1, self._d0))
        W2[:, :k] = self._P[:, :k] * s
        W1[:k, :] = ((s[:, None] * self._Q[:, :k].T) / self._sigma) @ self._U.T
        return W1, W2

    # -------------------------------------------------------------- objective
    def f(self, W1, W2):
        """The unregularized objective (1), ``1/2 ||W2 W1 X - Y||_F^2``."""
        return f_kernel(self._data, *self.as_weights(W1, W2))

    def rho(self, W1, W2):
        """The regularizer (3), ``||W2^T W2 - W1 X X^T W1^T||_F^2``."""
        return rho_kernel(self._data, *self.as_weights(W1, W2))

    def value(self, W1, W2):
        """``g = f + mu/4 rho`` of (2) (``f`` when ``mu = 0``); a float, or an array over batch axes."""
        out = self.f(W1, W2)
        if self._mu:
            out = out + 0.25 * self._mu * self.rho(W1, W2)
        return out[()] if isinstance(out, np.ndarray) else out

    def gradient(self, W1, W2):
        r"""Gradient ``(dg/dW1, dg/dW2)``: equations (18) and (19) of the paper.

        .. math::
            \nabla_{W_1} g &= W_2^\top (W_2 W_1 X - Y) X^\top - \mu D W_1 X X^\top, \\
            \nabla_{W_2} g &= (W_2 W_1 X - Y) X^\top W_1^\top + \mu W_2 D,

        with ``D = W2^T W2 - W1 X X^T W1^T``. (The gradient of the regularizer printed
        just after Lemma 1 is misprinted; this is the form that finite differences confirm.)
        """
        return gradient_kernel(self._data, self._mu, *self.as_weights(W1, W2))

    def gradient_norm(self, W1, W2):
        """Frobenius norm of the whole gradient, ``sqrt(||dg/dW1||^2 + ||dg/dW2||^2)`` (batch-aware)."""
        G1, G2 = self.gradient(W1, W2)
        out = np.sqrt(np.sum(G1 * G1, axis=(-2, -1)) + np.sum(G2 * G2, axis=(-2, -1)))
        return out[()] if isinstance(out, np.ndarray) else out

    def hessian_vector_product(self, W1, W2, V1, V2):
        """Directional derivative of :meth:`gradient` along ``(V1, V2)``: the blocks of ``H v``.

        Equal to ``hessian(W1, W2) @ pack(V1, V2)`` (unpacked), at the cost of a few
        small matrix products. Leading batch axes of ``(W1, W2)`` and of ``(V1, V2)``
        broadcast against each other.
        """
        W1, W2 = self.as_weights(W1, W2)
        return hvp_kernel(self._data, self._mu, W1, W2, *self.as_weights(V1, V2, names=("V1", "V2")))

    def hessian(self, W1, W2) -> np.ndarray:
        r"""Dense Hessian of g in the parameter order ``[W1.ravel(), W2.ravel()]``.

        Assembled in closed form, block by block, from the second-order expansion
        (31) of the paper,

        .. math::
            \nabla^2 g[\Delta, \Delta] &= \|(W_2\Delta_1 + \Delta_2 W_1)X\|_F^2 \\
            &\quad + 2\langle \Delta_2\Delta_1, (W_2W_1X - Y)X^\top\rangle \\
            &\quad + \mu \langle D, \Delta_2^\top\Delta_2 - \Delta_1 XX^\top \Delta_1^\top\rangle \\
            &\quad + \tfrac{\mu}{2}\|W_2^\top\Delta_2 + \Delta_2^\top W_2
              - W_1XX^\top\Delta_1^\top - \Delta_1XX^\top W_1^\top\|_F^2 .

        With ``C = X X^T``, ``K = W1 C``, ``E = W2 K - Y X^T``, ``G = K W1^T``,
        ``A = W2^T W2`` and ``D = A - G`` the blocks are (indices of ``W1`` are
        ``(i, c)``, of ``W2`` are ``(a, b)``)

        * ``H11[(i,c),(j,e)] = (A - mu D)[i,j] C[c,e] + mu K[j,c] K[i,e] + mu delta_ij (K^T K)[c,e]``
        * ``H22[(a,j),(b,i)] = delta_ab (G + mu D)[j,i] + mu (W2 W2^T)[a,b] delta_ji + mu W2[a,i] W2[b,j]``
        * ``H12[(i,c),(a,b)] = (1 - mu) W2[a,i] K[b,c] + delta_ib (E - mu W2 K)[a,c]``

        Each block is written once into a preallocated array (no Kronecker temporaries
        of full size), so the cost is close to that of filling an ``n x n`` array.

        Raises
        ------
        ValueError
            Weights of the wrong shape (batches are refused), NaN or infinite entries, or
            ``n_params`` so large that the ``n x n`` array would exceed the dense-size limit
            (checked before allocating; see ``landscape._checks.dense_limit``).
        TypeError
            Weights that are not real arrays.
        """
        W1, W2 = self.as_weights(W1, W2, batch=False)
        check_dense("W1, W2", self.n_params)
        d0, d1, d2, mu = self._d0, self._d1, self._d2, self._mu
        C = self._XXt
        K = W1 @ C
        G = _sym(K @ W1.T)
        A = _sym(W2.T @ W2)
        D = A - G
        E = W2 @ K - self._YXt
        n1 = d1 * d0
        n = n1 + d2 * d1
        H = np.empty((n, n))
        H11 = _block(H, slice(0, n1), slice(0, n1), (d1, d0, d1, d0))
        H22 = _block(H, slice(n1, n), slice(n1, n), (d2, d1, d2, d1))
        H12 = _block(H, slice(0, n1), slice(n1, n), (d1, d0, d2, d1))
        idx1 = np.arange(d1)
        # H11: one broadcast write, then the rank-structured term slab by slab (cache-sized
        # temporaries), then the block diagonal.
        np.multiply((A - mu * D)[:, None, :, None], C[None, :, None, :], out=H11)
        if mu:
            # sqrt(mu) on both factors keeps H exactly symmetric in floating point
            Ks = np.sqrt(mu) * K
            KsT = Ks.T  # (d0, d1): [c, j] -> sqrt(mu) K[j, c]
            for i in range(d1):
                H11[i] += KsT[:, :, None] * Ks[i][None, None, :]
            H11[idx1, :, idx1, :] += mu * _sym(K.T @ K)
        # H22
        idx2 = np.arange(d2)
        if mu:
            # H22[a, j, b, i] = mu W2[a, i] W2[b, j], then the two block diagonals
            W2s = np.sqrt(mu) * W2
            np.multiply(W2s[:, None, None, :], W2s.T[None, :, :, None], out=H22)
            H22[idx2, :, idx2, :] += (G + mu * D)[None, :, :]
            H22[:, idx1, :, idx1] += (mu * _sym(W2 @ W2.T))[None, :, :]
        else:
            H22.fill(0.0)
            H22[idx2, :, idx2, :] = G[None, :, :]
        # H12 and H21 = H12^T, each written contiguously (a transposed copy is slower);
        # the products are the same floating-point numbers, so H stays exactly symmetric.
        H21 = _block(H, slice(n1, n), slice(0, n1), (d2, d1, d1, d0))
        W2c = (1.0 - mu) * W2
        F = E - mu * (W2 @ K) if mu else E
        np.multiply(W2c.T[:, None, :, None], K.T[None, :, None, :], out=H12)
        H12[idx1, :, :, idx1] += F.T[None, :, :]
        np.multiply(W2c[:, None, :, None], K[None, :, None, :], out=H21)
        H21[:, idx1, idx1, :] += F[:, None, :]  # adjacent fancy indices keep their place
        return H


def _sym(a: np.ndarray) -> np.ndarray:
    """Exactly symmetric part of a square matrix (BLAS products like A^T A are not)."""
    return 0.5 * (a + a.T)


def _block(H: np.ndarray, rows: slice, cols: slice, shape: tuple[int, ...]) -> np.ndarray:
    """A 4-D view of ``H[rows, cols]`` (never a copy)."""
    view = H[rows, cols].reshape(shape)
    if not np.may_share_memory(view, H):  # pragma: no cover - reshape of these slices is a view
        raise RuntimeError("internal error: Hessian block reshape made a copy")
    return view


def invariants(problem) -> tuple:
    """The invariants ``(U Sigma, Y V, X X^T, Y X^T, ||Y||^2 - ||YV||^2, ||Y||^2)``."""
    return problem._data


def check_problem_or_stack(problem):
    if not isinstance(problem, (ShallowProblem, ProblemStack)):
        raise TypeError(f"problem must be a ShallowProblem or a ProblemStack; got {type(problem).__name__}")


class ProblemStack(Shape):
    r"""Several instances of paper A's problem with the same shapes and ``mu``, stacked.

    Only the invariants of each problem are kept (``U Sigma``, ``Y V``, ``X X^T``, ``Y X^T`` and
    the unreachable part of ``||Y||^2``), stacked along a leading axis of length ``B``; the
    number of samples may differ between problems. Weights have shape ``(..., B, d1, d0)`` and
    ``(..., B, d2, d1)``: entry ``b`` of the batch axis is evaluated on problem ``b``, and any
    further leading axes broadcast (e.g. several step sizes for every seed).

    Parameters
    ----------
    problems : sequence of ShallowProblem
        At least one; all with the same ``(d0, d1, d2)`` and the same ``mu``.

    Notes
    -----
    The methods mirror :class:`~landscape.models.shallow.ShallowProblem`: ``f`` of (1) in its reduced
    form ``1/2 ||W2 W1 U Sigma - Y V||^2 + 1/2 (||Y||^2 - ||YV||^2)``, ``rho`` of (3), ``value``
    ``= f + mu/4 rho`` of (2) and the gradient (18)-(19).

    Raises
    ------
    TypeError
        ``problems`` not a sequence of :class:`~landscape.models.shallow.ShallowProblem`.
    ValueError
        No problem, or problems of different shapes or ``mu``. The methods refuse weights
        without the stack axis ``B`` or of the wrong shapes, and NaN, infinite, complex or
        non-numeric entries, like those of :class:`~landscape.models.shallow.ShallowProblem`.
    """

    def __init__(self, problems):
        if not isinstance(problems, ShallowProblem) and (
                isinstance(problems, (str, bytes)) or not hasattr(problems, "__iter__")):
            raise TypeError(f"problems must be a sequence of ShallowProblem; got {type(problems).__name__}")
        problems = list(problems) if not isinstance(problems, ShallowProblem) else [problems]
        if not problems:
            raise ValueError("problems must hold at least one ShallowProblem; got an empty sequence")
        for i, p in enumerate(problems):
            if not isinstance(p, ShallowProblem):
                raise TypeError(f"problems[{i}] must be a ShallowProblem; got {type(p).__name__}")
        first = problems[0]
        shape = (first.d0, first.d1, first.d2)
        for i, p in enumerate(problems):
            if (p.d0, p.d1, p.d2) != shape:
                raise ValueError(f"all problems must have the same (d0, d1, d2) = {shape}; "
                                 f"problems[{i}] has {(p.d0, p.d1, p.d2)}")
            if p.mu != first.mu:
                raise ValueError(f"all problems must have the same mu = {first.mu:g}; "
                                 f"problems[{i}] has mu = {p.mu:g}")
        self._d0, self._d1, self._d2 = shape
        self._mu = first.mu
        parts = [invariants(p) for p in problems]
        self._data = tuple(np.stack([np.asarray(d[k], dtype=float) for d in parts]) for k in range(6))
        for a in self._data:
            a.flags.writeable = False
        self._problems = tuple(problems)

    # properties ---------------------------------------------------------------
    problems = _read_only("_problems", "The stacked problems (with the stack's ``mu``).")

    @property
    def size(self) -> int:
        """Number of stacked problems ``B``."""
        return len(self._problems)

    @property
    def Y_norm2(self) -> np.ndarray:
        """``||Y||_F^2`` of each problem, shape ``(B,)``."""
        return self._data[5]

    def __len__(self) -> int:
        return self.size

    def __repr__(self) -> str:
        return (f"ProblemStack(B={self.size}, d0={self._d0}, d1={self._d1}, d2={self._d2}, "
                f"mu={self._mu:g})")

    def with_mu(self, mu) -> "ProblemStack":
        """The same stack with another regularizer weight (invariants shared)."""
        other = object.__new__(ProblemStack)
        other.__dict__.update(self.__dict__)
        other._mu = as_nonnegative_float("mu", mu)
        other._problems = tuple(p.with_mu(other._mu) for p in self._problems)
        return other

    def global_minimum(self) -> np.ndarray:
        """``min f`` (= ``min g``, Theorem 2(i)) of each problem, shape ``(B,)``."""
        return np.array([p.global_minimum() for p in self._problems])

    def random_weights(self, rng, scale: float = 1.0, batch: tuple[int, ...] = ()):
        """Gaussian weights of shape ``(*batch, B, d1, d0)`` and ``(*batch, B, d2, d1)``.

        Refuses an ``rng`` that is not a ``numpy.random.Generator``, a negative or non-finite
        ``scale`` and a ``batch`` that is not a tuple of integers >= 0."""
        as_generator("rng", rng)
        scale = as_nonnegative_float("scale", scale)
        lead = as_shape("batch", batch) + (self.size,)
        return (scale * rng.standard_normal(lead + (self._d1, self._d0)),
                scale * rng.standard_normal(lead + (self._d2, self._d1)))

    # evaluations --------------------------------------------------------------
    def as_weights(self, W1, W2, check_only: bool = False, names=("W1", "W2")):
        conv = check_array if check_only else as_matrix
        n1, n2 = names
        W1 = conv(n1, W1, ndim=3, allow_batch=True)
        W2 = conv(n2, W2, ndim=3, allow_batch=True)
        check_shape(n1, W1, (self.size, self._d1, self._d0), "= (B, d1, d0)")
        check_shape(n2, W2, (self.size, self._d2, self._d1), "= (B, d2, d1)")
        if W1.shape[:-3] != W2.shape[:-3]:
            raise ValueError(f"{n1} and {n2} must have the same leading axes; got {W1.shape[:-3]} "
                             f"and {W2.shape[:-3]}")
        return W1, W2

    def f(self, W1, W2) -> np.ndarray:
        """f of (1) for each problem, shape ``(..., B)``."""
        return f_kernel(self._data, *self.as_weights(W1, W2))

    def rho(self, W1, W2) -> np.ndarray:
        """The regularizer (3) for each problem, shape ``(..., B)``."""
        return rho_kernel(self._data, *self.as_weights(W1, W2))

    def value(self, W1, W2) -> np.ndarray:
        """``g = f + mu/4 rho`` of (2) for each problem, shape ``(..., B)``."""
        W1, W2 = self.as_weights(W1, W2)
        out = f_kernel(self._data, W1, W2)
        return out + 0.25 * self._mu * rho_kernel(self._data, W1, W2) if self._mu else out

    def gradient(self, W1, W2):
        """The gradient (18)-(19) of g for each problem: arrays shaped like ``W1`` and ``W2``."""
        return gradient_kernel(self._data, self._mu, *self.as_weights(W1, W2))

    def mse_objective(self, W1, W2) -> np.ndarray:
        """Paper A's ``MSE_o = ||W2 W1 X - Y||^2 / ||Y||^2`` (= ``2 f / ||Y||^2``), shape ``(..., B)``."""
        return 2.0 * self.f(W1, W2) / self._data[5]

def check_problem(problem) -> ShallowProblem:
    if not isinstance(problem, ShallowProblem):
        raise TypeError(f"problem must be a ShallowProblem; got {type(problem).__name__}")
    return problem
