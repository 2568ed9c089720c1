r"""A small nonlinear network, to contrast with the linear ones of paper B.

This module holds one model, :class:`TanhNetwork`: ``TanhNetwork(X, Y, hidden)`` is the
one-hidden-layer network ``x -> V tanh(W x + c)`` with the quadratic loss

.. math::
    \ell(W, c, V) = \tfrac12 \| V \tanh(W X + c 1^\top) - Y \|_F^2 ,

samples as columns (``X`` is ``(n, N)``, ``Y`` is ``(m, N)``). Paper B's theorems need the
network to be linear; this one is not, and it can have spurious local minima.
Parameter vectors stack ``W.ravel(), c, V.ravel()``. The network has its value, exact
gradient, a Hessian by differences of the gradient, an L-BFGS run (``lbfgs``) and two
diagnostics of its end points (``saturation``, ``cancellation``). The Beyond chapter's study
that trains it from many starts and sorts the end points is
:func:`landscape.studies.beyond.tanh_end_points`.

For example, with ``V = 0`` the output is zero and the loss is ``1/2 ||Y||^2``:

>>> import numpy as np
>>> net = TanhNetwork(np.ones((2, 4)), np.ones((1, 4)), hidden=3)
>>> net.n_params                        # W (3 x 2), c (3), V (1 x 3)
12
>>> float(net.value(np.zeros(12)))       # V = 0: the output is 0, the loss 1/2 ||Y||^2
2.0
"""

from __future__ import annotations

import numpy as np

from .._checks import (
    as_generator,
    as_matrix,
    as_nonnegative_float,
    as_positive_float,
    as_positive_int,
    as_shape,
    check_array,
    check_dense,
)

__all__ = ['TanhNetwork']


class TanhNetwork:
    """``x -> V tanh(W x + c)`` with the quadratic loss (value, exact gradient, Hessian).

    Parameters
    ----------
    X : array_like (n, N)
    Y : array_like (m, N)
    hidden : int
        Number of tanh units ``h``.

    Raises
    ------
    TypeError
        Arrays that are not real numbers; a non-integer ``hidden``.
    ValueError
        Arrays that are not 2-D, empty, not finite or with different numbers of samples;
        ``hidden < 1``. The methods refuse parameter vectors that are not finite real arrays
        with ``n_params`` entries in the last axis, and :meth:`hessian` refuses, before
        allocating it, a Hessian above the dense-size limit.
    """

    def __init__(self, X, Y, hidden):
        X = as_matrix("X", X)
        Y = as_matrix("Y", Y)
        if X.shape[1] != Y.shape[1]:
            raise ValueError(f"X and Y must have the same number of samples (columns); "
                             f"X has N = {X.shape[1]} columns, Y has {Y.shape[1]}")
        self.X, self.Y = X.copy(), Y.copy()
        self.h = as_positive_int("hidden", hidden)
        self.n, self.m = X.shape[0], Y.shape[0]
        self.n_params = self.h * self.n + self.h + self.m * self.h

    def unpack(self, theta):
        """``(W, c, V)`` from a parameter vector (leading batch axes allowed)."""
        theta = as_matrix("theta", theta, ndim=1, allow_batch=True)
        if theta.shape[-1] != self.n_params:
            raise ValueError(f"theta must have n_params = {self.n_params} entries in its last axis; "
                             f"got {theta.shape[-1]}")
        h, n, m = self.h, self.n, self.m
        lead = theta.shape[:-1]
        W = theta[..., :h * n].reshape(*lead, h, n)
        c = theta[..., h * n:h * n + h]
        V = theta[..., h * n + h:].reshape(*lead, m, h)
        return W, c, V

    def random_parameters(self, rng, scale: float = 1.0, batch=()):
        """Standard normal parameters times ``scale`` (``rng`` a ``numpy.random.Generator``)."""
        as_generator("rng", rng)
        scale = as_nonnegative_float("scale", scale)
        return scale * rng.standard_normal(as_shape("batch", batch) + (self.n_params,))

    def _forward(self, theta):
        W, c, V = self.unpack(theta)
        H = np.tanh(W @ self.X + c[..., :, None])
        R = V @ H - self.Y
        return W, c, V, H, R

    def value(self, theta):
        """The loss (a float, or an array over leading batch axes)."""
        *_, R = self._forward(theta)
        out = 0.5 * np.sum(R * R, axis=(-2, -1))
        return out[()] if isinstance(out, np.ndarray) else out

    def gradient(self, theta) -> np.ndarray:
        """Exact gradient (backpropagation), same layout as ``theta``."""
        W, c, V, H, R = self._forward(theta)
        dV = R @ np.swapaxes(H, -1, -2)
        dZ = (np.swapaxes(V, -1, -2) @ R) * (1.0 - H * H)
        dW = dZ @ self.X.T
        dc = np.sum(dZ, axis=-1)
        lead = dW.shape[:-2]
        return np.concatenate([dW.reshape(*lead, -1), dc, dV.reshape(*lead, -1)], axis=-1)

    def hessian(self, theta, h: float = 1e-5) -> np.ndarray:
        """Hessian by central differences of the exact gradient (small networks only)."""
        self._theta(theta, batch=False)
        h = as_positive_float("h", h)
        check_dense("theta", self.n_params)
        theta = np.asarray(theta, dtype=float)
        E = h * np.eye(self.n_params)
        H = (self.gradient(theta + E) - self.gradient(theta - E)) / (2 * h)
        return 0.5 * (H + H.T)

    def _theta(self, theta, name="theta", batch=True):
        """Check a parameter vector (without converting it)."""
        t = check_array(name, theta, ndim=1, allow_batch=batch)
        if t.shape[-1] != self.n_params:
            raise ValueError(f"{name} must have n_params = {self.n_params} entries in its last axis; "
                             f"got shape {t.shape}")

    def saturation(self, theta, level: float = 2.0) -> np.ndarray:
        """For each hidden unit, the fraction of samples with ``|W x + c| > level`` (where
        ``tanh`` is flat: ``1 - tanh(2)^2 < 0.08``)."""
        self._theta(theta)
        level = as_nonnegative_float("level", level)
        W, c, _ = self.unpack(np.asarray(theta, dtype=float))
        Z = W @ self.X + c[..., :, None]
        return np.mean(np.abs(Z) > level, axis=-1)

    def cancellation(self, theta) -> float:
        """``||V H|| / sum_j ||V[:, j] h_j||`` over the samples, ``h_j = tanh(W_j x + c_j)``:
        1 when the hidden units' contributions to the output add up, near 0 when large
        contributions cancel each other."""
        self._theta(theta, batch=False)
        W, c, V = self.unpack(np.asarray(theta, dtype=float))
        H = np.tanh(W @ self.X + c[:, None])
        parts = V[:, :, None] * H[None, :, :]                  # (m, h, N): unit j's share
        each = np.sqrt(np.sum(parts ** 2, axis=(0, 2)))
        return float(np.linalg.norm(V @ H) / each.sum()) if each.sum() > 0 else float("nan")
