"""The multi-start instances of the Lemmas and Beyond chapters, shared by the chapters and
the scripts that regenerate their stored runs (so both build exactly the same problems).

Which start ends where in a multi-start run is chaotic: another machine's roundoff moves
it. The per-run records therefore live in data files that a script regenerates
(``scripts/lemmas_runs.py``, ``scripts/beyond_runs.py``); the chapters print those and
re-check, live, only statements that do not depend on the roundoff.

* :func:`lemma2_cases`: the three deep networks with a bottleneck of the Lemma 2 check;
* :data:`THEOREM2_INSTANCES` and :func:`theorem2_networks`: the weighted-quadratic instances
  of the Theorem 2 check;
* :data:`L1_TARGET` and :func:`l1_loss`: the entrywise absolute loss of ``P = a b^T``;
* :func:`l1_certified`: the exact certificate of the spurious local minima of that loss;
* :func:`tanh_instance`: the small tanh network of the Beyond chapter, and :func:`tanh_polish`,
  Newton steps that certify a stored end point.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_int, as_matrix, as_nonnegative_float, as_seed
from ..models.deep import DeepLinearNetwork
from ..models.losses import Huber, SoftmaxCrossEntropy, WeightedQuadratic
from ..models.tanh import TanhNetwork

__all__ = ['L1_TARGET', 'THEOREM2_INSTANCES', 'l1_certified', 'l1_loss', 'lemma2_cases', 'tanh_instance', 'tanh_polish', 'theorem2_networks']


def lemma2_cases() -> dict:
    """``{name: DeepLinearNetwork}``: a weighted quadratic, a Huber and a soft-label
    cross-entropy loss, each on a network with a bottleneck of width 2."""
    rng = np.random.default_rng(7)
    X = rng.standard_normal((5, 40))
    Q = rng.uniform(0.2, 1.0, (4, 40))
    return {
        "weighted quadratic": DeepLinearNetwork((4, 3, 2, 3, 4), WeightedQuadratic.example(0)),
        "Huber": DeepLinearNetwork((5, 6, 2, 4, 4), Huber(X, rng.standard_normal((4, 40)))),
        "soft-label CE": DeepLinearNetwork((5, 3, 2, 6, 4),
                                           SoftmaxCrossEntropy(X, Q / Q.sum(axis=0))),
    }


#: The Theorem 2 instances: ``(seed of WeightedQuadratic.example, (m, n))``.
THEOREM2_INSTANCES = ((0, (4, 4)), (2, (4, 4)), (1, (5, 5)))


def theorem2_networks(seed: int, shape) -> tuple[DeepLinearNetwork, DeepLinearNetwork]:
    """The two-layer networks ``(n, 2, m)`` and ``(n, 1, m)`` on ``WeightedQuadratic.example(seed,
    shape=(m, n))``. Refuses what :meth:`~landscape.models.losses.WeightedQuadratic.example` refuses."""
    loss = WeightedQuadratic.example(as_seed("seed", seed), shape=shape)
    m, n = loss.shape
    two = DeepLinearNetwork((n, 2, m), loss)
    return two, DeepLinearNetwork((n, 1, m), two.loss)


#: The target of :func:`l1_loss`, ``e_1 e_1^T``.
L1_TARGET = np.array([[1.0, 0.0], [0.0, 0.0]])


def l1_loss(theta):
    """``sum_ab |P_ab - T_ab|`` with ``P = a b^T``, ``theta = (a, b)`` in R^4, ``T = e_1 e_1^T``
    (any leading batch shape).

    >>> float(l1_loss(np.array([1.0, 0.0, 1.0, 0.0]))), float(l1_loss(np.array([0.3, -0.9, 0.0, 0.0])))
    (0.0, 1.0)
    """
    theta = as_matrix("theta", theta, ndim=1, allow_batch=True)
    if theta.shape[-1] != 4:
        raise ValueError(f"theta must have 4 entries (a, b) in its last axis; got {theta.shape[-1]}")
    a, b = theta[..., :2], theta[..., 2:]
    out = np.abs(a[..., :, None] * b[..., None, :] - L1_TARGET).sum(axis=(-2, -1))
    return out[()] if isinstance(out, np.ndarray) else out


def l1_certified(theta, zero: float = 1e-6, margin: float = 1e-3) -> bool:
    """Whether ``theta = (a, b)`` is within ``zero`` of a point ``(a, 0)`` with
    ``|a_2| > |a_1| + margin``: such a point is a spurious local minimum of :func:`l1_loss`
    (value 1; exact argument: at ``b = 0``, ``f(P) - 1 >= |eta_1| (|a_2 + delta_2| -
    |a_1 + delta_1|) >= 0`` for ``P = (a + delta) eta^T`` with ``|delta| < margin / 2``).

    >>> l1_certified([0.2, -0.9, 1e-9, 0.0]), l1_certified([0.9, 0.2, 0.0, 0.0])
    (True, False)

    Refuses a ``theta`` that is not 4 finite real numbers and ``zero``, ``margin`` that are
    negative or not finite.
    """
    theta = as_matrix("theta", theta, ndim=1)
    zero, margin = as_nonnegative_float("zero", zero), as_nonnegative_float("margin", margin)
    if theta.shape[0] != 4:
        raise ValueError(f"theta must have 4 entries (a, b); got {theta.shape[0]}")
    a, b = theta[:2], theta[2:]
    return bool(np.abs(b).max() < zero and abs(a[1]) > abs(a[0]) + margin)


def tanh_instance() -> TanhNetwork:
    """``x -> v^T tanh(W x + c)`` with two hidden units, fitted to 25 samples on ``[-2, 2]`` of
    the network ``W = (2, -1.5)``, ``c = (1, 0.5)``, ``v = (1, 1.2)`` (global minimum 0)."""
    x = np.linspace(-2, 2, 25)[None, :]
    W_true, c_true = np.array([[2.0], [-1.5]]), np.array([[1.0], [0.5]])
    y = np.array([[1.0, 1.2]]) @ np.tanh(W_true @ x + c_true)
    return TanhNetwork(x, y, hidden=2)


def tanh_polish(net: TanhNetwork, theta, steps: int = 8) -> tuple[np.ndarray, float]:
    """Newton's method (the network's Hessian, central differences of the exact gradient)
    from ``theta``, for ``steps`` steps or until the gradient stops decreasing; returns the
    point and its gradient norm. Near a strict local minimum it converges in a few steps, so
    a stored end point can be certified to a much smaller gradient than the training reached.

    Refuses a ``net`` that is not a :class:`~landscape.models.tanh.TanhNetwork`, a ``theta``
    that is not a finite real vector of ``net.n_params`` entries and ``steps`` that are not an
    integer >= 0.
    """
    if not isinstance(net, TanhNetwork):
        raise TypeError(f"net must be a TanhNetwork; got {type(net).__name__}")
    theta = as_matrix("theta", theta, ndim=1).copy()
    if theta.shape[0] != net.n_params:
        raise ValueError(f"theta must have n_params = {net.n_params} entries; got {theta.shape[0]}")
    steps = as_int("steps", steps, 0)
    gnorm = float(np.linalg.norm(net.gradient(theta)))
    for _ in range(int(steps)):
        new = theta - np.linalg.solve(net.hessian(theta), net.gradient(theta))
        new_norm = float(np.linalg.norm(net.gradient(new)))
        if not new_norm < gnorm:
            break
        theta, gnorm = new, new_norm
    return theta, gnorm
