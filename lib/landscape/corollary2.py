"""The instances of the Corollary 2 chapter (multi-tower networks), shared by the chapter and
``scripts/corollary2_runs.py``, which stores its training runs (so both build exactly the same
networks and optima).

* :data:`COROLLARY2`: the data sizes, the tower configurations and the run settings;
* :func:`corollary2_data`: the data and the three losses, drawn from a generator the caller
  owns (the chapter keeps drawing from it afterwards);
* :func:`corollary2_optimum`: the optimum ``L*`` of one configuration and loss;
* :func:`flat_part`: the part ``1 v^T`` of a matrix, along which the softmax cross-entropy is
  constant.
"""

from __future__ import annotations

import numpy as np

from .deep import DeepLinearNetwork, rank_constrained_minimum
from .losses import Huber, Quadratic, SoftmaxCrossEntropy

__all__ = ["COROLLARY2", "corollary2_data", "corollary2_optimum", "flat_part"]

#: The Corollary 2 runs: data seed and sizes (``n`` inputs, ``m`` outputs, ``N`` samples), the
#: tower configurations (name: list of tower widths), runs per configuration and loss (seeds
#: ``0 .. n_runs - 1``), the tolerance of "reaching the optimum", the iteration budget, and the
#: seeds of the two-layer runs that give ``L*`` where no closed form is known (24 of them).
COROLLARY2 = {
    "data_seed": 12, "n": 5, "m": 4, "N": 40,
    "configs": {
        "b >= m, n (all bottlenecked)": [[5, 2, 3, 4], [5, 3, 2, 4], [5, 1, 4]],
        "b >= m, n (one tower without)": [[5, 4, 6, 4], [5, 1, 3, 4]],
        "b = min(m, n)": [[5, 2, 3, 4], [5, 3, 2, 4]],
        "b < m, n (b = 3)": [[5, 1, 3, 4], [5, 2, 2, 4]],
        "b < m, n (b = 2)": [[5, 1, 4], [5, 1, 4]],
    },
    "losses": ["quadratic", "Huber", "soft-label CE"],
    "n_runs": 12, "tol": 1e-8, "maxiter": 3000,
    "optimum_seeds": list(range(100, 124)),
}


def corollary2_data(rng: np.random.Generator):
    """``X`` Gaussian ``(n, N)``, ``Y = W X + 0.5 E`` and soft labels ``Q`` (random class
    probabilities), drawn from ``rng`` in that order; returns ``(X, Y, losses)`` with the
    losses of :data:`COROLLARY2` (quadratic, Huber with ``delta = 1``, soft-label
    cross-entropy)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    n, m, N = COROLLARY2["n"], COROLLARY2["m"], COROLLARY2["N"]
    X = rng.standard_normal((n, N))
    Y = rng.standard_normal((m, n)) @ X + 0.5 * rng.standard_normal((m, N))
    Q = rng.uniform(0.2, 1.0, (m, N))
    losses = {"quadratic": Quadratic(X, Y), "Huber": Huber(X, Y, delta=1.0),
              "soft-label CE": SoftmaxCrossEntropy(X, Q / Q.sum(axis=0))}
    return X, Y, losses


def corollary2_optimum(net, loss_name: str, X, Y) -> float:
    """``L*`` for the multi-tower ``net`` with the loss ``loss_name`` of :data:`COROLLARY2`.

    Where ``b >= min(m, n)``: the minimum of the convex loss. Where ``b < m, n``: for the
    quadratic loss the closed form (:func:`~landscape.deep.rank_constrained_minimum`), for the
    others the best value of L-BFGS (``gtol = 1e-12``) on the two-layer network ``(n, b, m)``
    from the seeds ``COROLLARY2["optimum_seeds"]``.
    """
    from .deep_training import lbfgs_from_seeds

    m, n = net.loss.shape
    if net.b >= min(m, n):
        return float(net.loss.minimum())
    if loss_name == "quadratic":
        return float(rank_constrained_minimum(X, Y, net.b))
    two = DeepLinearNetwork((n, net.b, m), net.loss)
    return float(min(r.value for r in lbfgs_from_seeds(two, COROLLARY2["optimum_seeds"], gtol=1e-12)))


def flat_part(P) -> np.ndarray:
    """The orthogonal projection of ``P`` (``m x n``) onto the matrices ``1 v^T``: ``u u^T P``
    with ``u = 1 / sqrt(m)``. The softmax of every column is unchanged by adding such a matrix.

    >>> flat_part(np.array([[1.0, 2.0], [3.0, 0.0]]))
    array([[2., 1.],
           [2., 1.]])
    """
    P = np.asarray(P, dtype=np.float64)
    if P.ndim != 2:
        raise ValueError(f"P must be a matrix; got shape {P.shape}")
    u = np.ones(P.shape[0]) / np.sqrt(P.shape[0])
    return np.outer(u, u @ P)
