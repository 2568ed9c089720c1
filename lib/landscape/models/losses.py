r"""Convex differentiable losses of the end-to-end matrix (paper B, Section 2).

Paper B writes the training loss of a deep linear network as a function of the product
``P = M_k ... M_1`` alone,

.. math::

    L(M_1, \ldots, M_k) &= f(M_k \cdots M_1), \\
    f(P) &= \sum_{(x, y) \in D} f_y(P x),

and asks only that ``f`` be convex and differentiable. The objects of this module are such
``f``: each knows the shape ``(m, n)`` of ``P`` (``m = d_k`` outputs, ``n = d_0`` inputs),
its :meth:`~Loss.value`, its :meth:`~Loss.gradient` ``f'(P)`` (the matrix of partial
derivatives, same shape as ``P``) and the directional derivative of the gradient,
:meth:`~Loss.hessian_vector_product` ``f''(P)[D]``. All accept leading batch axes on ``P``
(``(..., m, n)``), which is how many random starts are evaluated at once.

* :class:`Quadratic` ``1/2 ||P X - Y||_F^2`` (Corollary 1), with a closed-form minimum,
* :class:`SoftmaxCrossEntropy` on integer labels (or soft labels),
* :class:`Huber` on the residual ``P X - Y``,
* :class:`WeightedQuadratic` ``1/2 sum w_ab (P_ab - T_ab)^2`` (weighted low-rank approximation),
* :class:`Custom`: any convex ``f`` given as ``(value, gradient)`` callables.

Samples are columns, as in the rest of the library: ``X`` is ``(n, N)``, targets ``(m, N)``.
Losses are sums over samples (not means), as in the paper's empirical loss.

For example, the quadratic loss of ``P`` against the identity:

>>> import numpy as np
>>> loss = Quadratic(np.eye(2), np.eye(2))      # f(P) = 1/2 ||P - I||_F^2
>>> loss.shape, float(loss.value(np.zeros((2, 2)))), float(loss.value(np.eye(2)))
((2, 2), 1.0, 0.0)
>>> bool(np.allclose(loss.gradient(np.zeros((2, 2))), -np.eye(2)))
True
"""

from __future__ import annotations

import numbers
from typing import Callable

import numpy as np

from .._checks import (
    as_matrix,
    as_nonnegative_float,
    as_positive_float,
    as_positive_int,
    as_seed,
    check_array,
    check_dense,
    check_shape,
)

__all__ = ['Custom', 'Huber', 'Loss', 'Quadratic', 'SoftmaxCrossEntropy', 'WeightedQuadratic', 'loss_flat_directions', 'row_space']


def row_space(X: np.ndarray, rcond: float | None = None):
    """Reduced SVD of ``X`` restricted to its numerically nonzero singular values.

    Returns ``(U, s, Vt, rank)`` with ``X ~= U diag(s) Vt`` and ``rank = len(s)``.
    The cut-off is NumPy's ``matrix_rank`` default, ``s > s_max max(shape) eps``, unless
    ``rcond`` (relative to ``s_max``) is given. Refuses ``X`` that is not a non-empty 2-D
    array of finite real numbers and an ``rcond`` that is negative or not finite.
    """
    X = check_array("X", X)
    rcond = None if rcond is None else as_nonnegative_float("rcond", rcond)
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    if s.size == 0 or s[0] == 0.0:
        r = 0
    else:
        tol = s[0] * (max(X.shape) * np.finfo(np.float64).eps if rcond is None else rcond)
        r = int(np.count_nonzero(s > tol))
    return U[:, :r], s[:r], Vt[:r], r


class Loss:
    """A convex differentiable function ``f`` of an ``(m, n)`` matrix ``P``.

    Subclasses implement ``_value``, ``_gradient`` and ``_hvp`` on checked arrays with
    leading batch axes. The public methods check ``P`` (and ``D``) first: they refuse
    (``TypeError``) arrays that are not real numbers and (``ValueError``) arrays that are not
    of shape ``(..., m, n)``, are empty or have NaN or infinite entries, and in
    :meth:`~landscape.optim.curvature.hessian_vector_product` a ``D`` whose batch axes are neither absent, nor those of
    ``P`` (when ``P`` has some).
    """

    #: Shape ``(m, n)`` of the end-to-end matrix ``P``.
    shape: tuple[int, int]
    #: Short name used in reprs and error messages.
    name = "loss"

    # ------------------------------------------------------------------ checks
    def _P(self, P, name="P"):
        P = as_matrix(name, P, allow_batch=True)
        check_shape(name, P, self.shape, "= (m, n) of the loss")
        return P

    # ------------------------------------------------------------------ public
    def value(self, P):
        """``f(P)``: a float, or an array over the leading batch axes of ``P``."""
        out = self._value(self._P(P))
        return out[()] if isinstance(out, np.ndarray) else out

    def gradient(self, P) -> np.ndarray:
        """``f'(P)``, the matrix of partial derivatives ``df/dP_ab``, same shape as ``P``."""
        return self._gradient(self._P(P))

    def value_and_gradient(self, P):
        """``(f(P), f'(P))`` in one pass where the loss can share work."""
        P = self._P(P)
        out = self._value(P)
        return (out[()] if isinstance(out, np.ndarray) else out), self._gradient(P)

    def hessian_vector_product(self, P, D) -> np.ndarray:
        """``f''(P)[D]``: the derivative of ``t -> f'(P + t D)`` at ``t = 0``.

        ``D`` may carry leading batch axes while ``P`` does not (many directions at
        one point), or the same batch axes as ``P``.
        """
        P, D = self._P(P), self._P(D, "D")
        if P.ndim > 2 and D.ndim > 2 and D.shape[:-2] != P.shape[:-2]:
            raise ValueError(f"D must have no batch axes or the batch axes {P.shape[:-2]} of P; "
                             f"got shape {D.shape}")
        return self._hvp(P, D)

    def minimum(self) -> float:
        """The global minimum of ``f`` over all ``(m, n)`` matrices (if attained).

        The generic method minimizes the convex ``f`` with L-BFGS from ``P = 0``
        (for a convex differentiable function every local minimum is global);
        :class:`Quadratic` overrides it with the closed form.
        """
        return self.value(self.minimizer())

    def minimizer(self, gtol: float = 1e-12, maxiter: int = 20000) -> np.ndarray:
        """A global minimizer of ``f`` (L-BFGS on the convex ``f`` from ``P = 0``).

        Refuses a ``gtol`` that is negative or not finite and a ``maxiter`` that is not an
        integer >= 1."""
        from scipy.optimize import minimize

        gtol, maxiter = as_nonnegative_float("gtol", gtol), as_positive_int("maxiter", maxiter)
        m, n = self.shape

        def fun(p):
            v, g = self.value_and_gradient(p.reshape(m, n))
            return float(v), g.ravel()

        res = minimize(fun, np.zeros(m * n), jac=True, method="L-BFGS-B",
                       options={"maxiter": maxiter, "gtol": gtol, "ftol": 1e-16, "maxcor": 20})
        return res.x.reshape(m, n)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(m={self.shape[0]}, n={self.shape[1]})"


def _data(X, targets, target_name):
    X = as_matrix("X", X)
    T = as_matrix(target_name, targets)
    if T.shape[1] != X.shape[1]:
        raise ValueError(
            f"X and {target_name} must have the same number of samples (columns); "
            f"X has N = {X.shape[1]} columns, {target_name} has {T.shape[1]}"
        )
    return X, T


def _sum2(a):
    return np.sum(a * a, axis=(-2, -1))


class Quadratic(Loss):
    r"""The quadratic loss ``f(P) = 1/2 ||P X - Y||_F^2`` of Corollary 1.

    The methods refuse ``P`` (and ``D``) as :class:`Loss` describes.

    Parameters
    ----------
    X : array_like, shape (n, N)
        Inputs, one sample a column. Any rank (no full-row-rank assumption).
    Y : array_like, shape (m, N)
        Targets, one sample a column.

    Notes
    -----
    With the reduced SVD ``X = U S V^T`` over the ``r_X`` nonzero singular values,

    .. math::
        f(P) &= \tfrac12 \|P U S - Y V\|_F^2 + \tfrac12 \|Y (I - V V^\top)\|_F^2, \\
        f'(P) &= (P X - Y) X^\top = (P U S - Y V)(U S)^\top,

    so evaluations never touch an array with ``N`` columns, and the part of ``Y`` outside
    the row space of ``X`` (which no ``P`` can fit) is a constant computed once.
    Paper B's Corollary 1 writes the loss without the factor 1/2; it changes no
    minimizer.

    Raises
    ------
    TypeError
        Arrays that are not real numbers.
    ValueError
        Arrays that are not 2-D, empty, with NaN or infinite entries, or with different
        numbers of samples."""

    name = "quadratic"

    def __init__(self, X, Y):
        X, Y = _data(X, Y, "Y")
        self.X, self.Y = X.copy(), Y.copy()
        self.X.flags.writeable = False
        self.Y.flags.writeable = False
        self.shape = (Y.shape[0], X.shape[0])
        U, s, Vt, self.rank_X = row_space(X)
        self._U, self._s = U, s
        self._US = U * s                       # (n, r_X)
        self._YV = Y @ Vt.T                    # (m, r_X)
        self._outside = float(np.sum((Y - self._YV @ Vt) ** 2))
        self._C = self._US @ self._US.T        # X X^T (up to roundoff), (n, n)
        self._C = 0.5 * (self._C + self._C.T)

    @property
    def unreachable(self) -> float:
        """The energy of ``Y`` outside the row space of ``X``, ``||Y (I - V V^T)||_F^2``."""
        return self._outside

    @property
    def projected_targets(self) -> np.ndarray:
        """The targets in coordinates of the row space of X, ``Y V`` (shape ``(m, r_X)``)."""
        return self._YV

    def _value(self, P):
        R = P @ self._US - self._YV
        return 0.5 * (_sum2(R) + self._outside)

    def _gradient(self, P):
        return (P @ self._US - self._YV) @ self._US.T

    def _hvp(self, P, D):
        return D @ self._C

    def minimizer(self, gtol=None, maxiter=None) -> np.ndarray:
        """The minimum-norm minimizer ``Y X^+`` (closed form)."""
        return (self._YV / self._s) @ self._U.T

    def minimum(self) -> float:
        """``1/2 ||Y (I - V V^T)||_F^2``: only the part of Y outside the row space of X remains."""
        return 0.5 * self._outside

    def __repr__(self) -> str:
        return f"Quadratic(m={self.shape[0]}, n={self.shape[1]}, N={self.X.shape[1]}, rank X={self.rank_X})"


class SoftmaxCrossEntropy(Loss):
    r"""Softmax cross-entropy of the logits ``Z = P X``, summed over samples.

    .. math::
        f(P) &= \sum_{i=1}^N \Bigl(\log \sum_{c} e^{z_{ci}} - \sum_c q_{ci} z_{ci}\Bigr), \\
        f'(P) &= (\operatorname{softmax}(Z) - Q) X^\top,

    with ``Q`` the one-hot matrix of the labels (or given soft labels).

    The methods refuse ``P`` (and ``D``) as :class:`Loss` describes.

    Parameters
    ----------
    X : array_like, shape (n, N)
        Inputs, one sample a column.
    labels : array_like
        Either integer class labels of shape ``(N,)`` in ``[0, n_classes)``, or soft labels:
        an ``(m, N)`` array of class probabilities (nonnegative columns summing to 1).
    n_classes : int, optional
        ``m``, the number of classes (rows of ``P``). Default: ``max(labels) + 1`` for
        integer labels, the number of rows for soft labels.

    Notes
    -----
    The minimum is attained only if no direction ``D`` lowers every sample's loss without
    end. With one-hot labels on linearly separable data the infimum 0 is *not* attained
    (the weights run off to infinity); with soft labels in the interior of the simplex and
    ``X`` of full row rank it is (``f`` grows along every direction that changes the
    logits other than by a constant per sample).

    Raises
    ------
    TypeError
        ``X`` not real; class labels that are not integers; a non-integer ``n_classes``.
    ValueError
        ``X`` not 2-D, empty or not finite; labels not 1-D or 2-D, not one per sample, out
        of ``[0, n_classes)``; soft labels that are negative, not finite or whose columns do
        not sum to 1; fewer than 2 classes."""

    name = "softmax cross-entropy"

    def __init__(self, X, labels, n_classes=None):
        X = as_matrix("X", X)
        N = X.shape[1]
        lab = np.asarray(labels)
        if lab.ndim == 1:
            if lab.dtype == bool or not np.issubdtype(lab.dtype, np.integer):
                if np.issubdtype(lab.dtype, np.floating) and np.all(np.isfinite(lab)) \
                        and np.all(lab == np.round(lab)):
                    lab = lab.astype(np.int64)
                else:
                    raise TypeError(f"labels must be integers (class indices); got dtype {lab.dtype}")
            if lab.shape[0] != N:
                raise ValueError(f"labels must have one entry per sample (column of X): "
                                 f"expected N = {N}, got {lab.shape[0]}")
            m = int(lab.max()) + 1 if n_classes is None else n_classes
            if isinstance(m, bool) or not isinstance(m, numbers.Integral):
                raise TypeError(f"n_classes must be an integer >= 2; got {m!r}")
            if m < 2:
                raise ValueError(f"n_classes must be an integer >= 2 (labels give {m} class(es)); got {m!r}")
            bad = np.flatnonzero((lab < 0) | (lab >= m))
            if bad.size:
                raise ValueError(
                    f"labels must be in [0, n_classes) = [0, {m}); got {int(lab[bad[0]])} "
                    f"at sample {int(bad[0])} ({bad.size} label(s) out of range)"
                )
            Q = np.zeros((m, N))
            Q[lab, np.arange(N)] = 1.0
            self.labels = lab.copy()
        elif lab.ndim == 2:
            Q = as_matrix("labels", lab)
            m = Q.shape[0]
            if n_classes is not None and n_classes != m:
                raise ValueError(f"n_classes = {n_classes} but soft labels have {m} rows")
            if Q.shape[1] != N:
                raise ValueError(f"labels must have one column per sample: expected N = {N}, "
                                 f"got {Q.shape[1]}")
            if np.any(Q < 0) or np.max(np.abs(Q.sum(axis=0) - 1)) > 1e-10:
                raise ValueError("soft labels must be nonnegative with columns summing to 1")
            if m < 2:
                raise ValueError(f"soft labels need at least 2 classes (rows); got {m}")
            self.labels = None
        else:
            raise ValueError(f"labels must be 1-D (class indices) or 2-D (soft labels); "
                             f"got ndim = {lab.ndim}")
        self.X = X.copy()
        self.Q = Q
        self.shape = (m, X.shape[0])
        C = X @ X.T
        self._C = 0.5 * (C + C.T)
        self._QXt = Q @ X.T

    def _logits(self, P):
        Z = P @ self.X
        zmax = np.max(Z, axis=-2, keepdims=True)
        E = np.exp(Z - zmax)
        S = np.sum(E, axis=-2, keepdims=True)
        return Z, zmax, E, S

    def _value(self, P):
        Z, zmax, E, S = self._logits(P)
        lse = (np.log(S) + zmax)[..., 0, :]
        return np.sum(lse, axis=-1) - np.sum(self.Q * Z, axis=(-2, -1))

    def _gradient(self, P):
        _, _, E, S = self._logits(P)
        return (E / S) @ self.X.T - self._QXt

    def _hvp(self, P, D):
        _, _, E, S = self._logits(P)
        Sm = E / S                                    # softmax, (..., m, N)
        dZ = D @ self.X
        dS = Sm * (dZ - np.sum(Sm * dZ, axis=-2, keepdims=True))
        return dS @ self.X.T


class Huber(Loss):
    r"""The Huber loss of the residual, ``f(P) = sum_ab h_delta((P X - Y)_ab)``.

    ``h_delta(r) = r^2 / 2`` for ``|r| <= delta`` and ``delta (|r| - delta / 2)`` beyond;
    convex and continuously differentiable, with ``f'(P) = clip(P X - Y, -delta, delta) X^T``.
    Its second derivative jumps at ``|r| = delta``; :meth:`Loss.hessian_vector_product` uses
    the one-sided value ``1{|r| <= delta}`` there.

    Refuses arrays as :class:`Quadratic` does, and a ``delta`` that is not a positive finite
    number.

    The methods refuse ``P`` (and ``D``) as :class:`Loss` describes.
    """

    name = "Huber"

    def __init__(self, X, Y, delta=1.0):
        X, Y = _data(X, Y, "Y")
        self.delta = as_positive_float("delta", delta)
        self.X, self.Y = X.copy(), Y.copy()
        self.shape = (Y.shape[0], X.shape[0])

    def _value(self, P):
        R = np.abs(P @ self.X - self.Y)
        d = self.delta
        h = np.where(R <= d, 0.5 * R * R, d * (R - 0.5 * d))
        return np.sum(h, axis=(-2, -1))

    def _gradient(self, P):
        return np.clip(P @ self.X - self.Y, -self.delta, self.delta) @ self.X.T

    def _hvp(self, P, D):
        inside = np.abs(P @ self.X - self.Y) <= self.delta
        return (inside * (D @ self.X)) @ self.X.T


class WeightedQuadratic(Loss):
    r"""``f(P) = 1/2 sum_ab w_ab (P_ab - T_ab)^2`` with positive weights ``w``.

    Convex and differentiable, ``f'(P) = w * (P - T)``, but not of the form
    ``1/2 ||P X - Y||^2``: restricted to matrices of rank at most ``d`` it can have
    spurious local minima (weighted low-rank approximation), which makes it the book's
    instance for Theorems 1 and 2 of paper B.

    The methods refuse ``P`` (and ``D``) as :class:`Loss` describes.

    Parameters
    ----------
    weights : array_like (m, n)
        Positive weights.
    targets : array_like (m, n)

    Raises
    ------
    TypeError
        Arrays that are not real numbers.
    ValueError
        Arrays that are not 2-D, empty, not finite or of different shapes; weights that are
        not positive."""

    name = "weighted quadratic"

    def __init__(self, weights, targets):
        w = as_matrix("weights", weights)
        T = as_matrix("targets", targets)
        if w.shape != T.shape:
            raise ValueError(f"weights and targets must have the same shape; got {w.shape} and {T.shape}")
        if np.any(w <= 0):
            raise ValueError(f"weights must be positive; the smallest is {w.min()}")
        self.w, self.T = w.copy(), T.copy()
        self.shape = T.shape

    @classmethod
    def example(cls, seed: int = 0, shape: tuple[int, int] = (4, 4)) -> "WeightedQuadratic":
        """The book's instance: ``T`` standard normal, ``w = u^2`` with ``u ~ U(0.05, 1)``,
        both drawn from ``numpy.random.default_rng(seed)`` (``T`` first). Refuses a ``seed``
        that is not an integer >= 0 and a ``shape`` that is not a pair of integers >= 1."""
        seed = as_seed("seed", seed)
        if isinstance(shape, (str, bytes)) or not hasattr(shape, "__len__"):
            raise TypeError(f"shape must be a pair (m, n) of integers >= 1; got {shape!r}")
        if len(shape) != 2:
            raise ValueError(f"shape must be a pair (m, n) of integers >= 1; got {shape!r}")
        shape = tuple(as_positive_int(f"shape[{i}]", v) for i, v in enumerate(shape))
        rng = np.random.default_rng(seed)
        T = rng.standard_normal(shape)
        w = rng.uniform(0.05, 1.0, shape) ** 2
        return cls(w, T)

    def _value(self, P):
        R = P - self.T
        return 0.5 * np.sum(self.w * R * R, axis=(-2, -1))

    def _gradient(self, P):
        return self.w * (P - self.T)

    def _hvp(self, P, D):
        return self.w * D

    def minimizer(self, gtol=None, maxiter=None) -> np.ndarray:
        """``T`` (the unconstrained minimizer; the minimum is 0)."""
        return self.T.copy()

    def minimum(self) -> float:
        return 0.0


class Custom(Loss):
    """A convex differentiable loss supplied as ``(value, gradient)`` callables.

    The methods refuse ``P`` (and ``D``) as :class:`Loss` describes.

    Parameters
    ----------
    shape : tuple (m, n)
        Shape of ``P``.
    value : callable
        ``value(P) -> float`` for one ``(m, n)`` matrix.
    gradient : callable
        ``gradient(P) -> (m, n) array``, the matrix of partial derivatives.
    hvp : callable, optional
        ``hvp(P, D) -> (m, n) array``. Default: a central difference of ``gradient``
        (step ``1e-6`` relative to the sizes of ``P`` and ``D``), enough for the small
        dense Hessians of the book.
    name : str, optional

    The callables see one matrix at a time; batches are looped over. Convexity is the
    caller's promise (the library cannot check it); outputs are checked for shape and
    finiteness on every call.

    Raises
    ------
    TypeError
        ``shape`` not a pair of integers; callables that are not callable; a ``name`` that
        is not a string.
    ValueError
        ``shape`` not of length 2 or with a size below 1; callables that return arrays of
        the wrong shape or non-finite values (when called).
    """

    def __init__(self, shape, value: Callable, gradient: Callable, hvp: Callable | None = None,
                 name: str = "custom"):
        if isinstance(shape, (str, bytes)) or not hasattr(shape, "__len__"):
            raise TypeError(f"shape must be a pair (m, n) of positive integers; got {shape!r}")
        if len(shape) != 2:
            raise ValueError(f"shape must be a pair (m, n) of positive integers; got {shape!r}")
        m, n = (as_positive_int(f"shape[{i}]", s) for i, s in enumerate(shape))
        for nm, fn in (("value", value), ("gradient", gradient)):
            if not callable(fn):
                raise TypeError(f"{nm} must be callable; got {type(fn).__name__}")
        if hvp is not None and not callable(hvp):
            raise TypeError(f"hvp must be callable or None; got {type(hvp).__name__}")
        if not isinstance(name, str):
            raise TypeError(f"name must be a string; got {type(name).__name__}")
        self.shape = (m, n)
        self._fv, self._fg, self._fh = value, gradient, hvp
        self.name = name

    def _loop(self, fn, P, *more, scalar=False):
        lead = P.shape[:-2]
        if more:
            lead = np.broadcast_shapes(lead, more[0].shape[:-2])
            P = np.broadcast_to(P, lead + self.shape)
            more = (np.broadcast_to(more[0], lead + self.shape),)
        out = np.empty(lead if scalar else lead + self.shape)
        for idx in np.ndindex(*lead):
            r = fn(P[idx], *(a[idx] for a in more))
            r = np.asarray(r, dtype=np.float64)
            want = () if scalar else self.shape
            if r.shape != want:
                what = "value" if scalar else ("hvp" if more else "gradient")
                raise ValueError(f"the supplied {what} callable must return shape {want}; got {r.shape}")
            if not np.all(np.isfinite(r)):
                raise ValueError("the supplied callable returned NaN or infinite values")
            out[idx] = r
        return out if lead else (float(out) if scalar else out)

    def _value(self, P):
        return self._loop(self._fv, P, scalar=True)

    def _gradient(self, P):
        return self._loop(self._fg, P)

    def _hvp(self, P, D):
        if self._fh is not None:
            return self._loop(self._fh, P, D)

        def fd(P1, D1):
            scale = max(1.0, float(np.abs(P1).max()))
            nd = float(np.abs(D1).max())
            if nd == 0.0:
                return np.zeros(self.shape)
            h = 1e-6 * scale / nd
            return (np.asarray(self._fg(P1 + h * D1)) - np.asarray(self._fg(P1 - h * D1))) / (2 * h)

        return self._loop(fd, P, D)

    def __repr__(self) -> str:
        return f"Custom({self.name!r}, m={self.shape[0]}, n={self.shape[1]})"


def loss_flat_directions(loss) -> np.ndarray:
    """An orthonormal basis (rows, each a flattened ``m x n`` matrix) of the directions ``D``
    with ``f(P + D) = f(P)`` for every ``P``, for the losses of :mod:`landscape.models.losses`.

    For a loss of ``P X`` (it has an ``X``): the ``D`` with ``D X = 0`` (none when ``X`` has full
    row rank); for the softmax cross-entropy also ``1 w^T`` (the softmax of a column does not
    change when the same number is added to all its entries). Other losses: none.

    Refuses a ``loss`` that is not a :class:`~landscape.models.losses.Loss`, and one whose basis
    would be a dense array above the size limit (:func:`landscape._checks.check_dense`).
    """

    if not isinstance(loss, Loss):
        raise TypeError(f"loss must be a landscape.models.losses.Loss; got {type(loss).__name__}")
    m, n = loss.shape
    rows = []
    X = getattr(loss, "X", None)
    if X is not None:
        X = np.asarray(X, dtype=np.float64)
        rank = row_space(X)[3]
        check_dense("loss", m * n, what="basis of flat directions",
                    columns=m * (n - rank) + (n if isinstance(loss, SoftmaxCrossEntropy) else 0))
        Z = np.linalg.svd(X, full_matrices=True)[0][:, rank:]     # X^T z = 0
        rows += [np.outer(np.eye(m)[a], z).ravel() for a in range(m) for z in Z.T]
    if isinstance(loss, SoftmaxCrossEntropy):
        rows += [np.outer(np.ones(m), np.eye(n)[c]).ravel() for c in range(n)]
    if not rows:
        return np.zeros((0, m * n))
    U, s, _ = np.linalg.svd(np.array(rows).T, full_matrices=False)
    return U[:, s > 1e-10 * s[0]].T
