"""The instances of the book's Part III experiments, shared by the chapters and the scripts
that regenerate their stored results (so both build exactly the same networks).

* :data:`COROLLARY1` and :func:`corollary1_config`: the grid of the Corollary 1 chapter
  (``scripts/corollary1_runs.py`` trains it; the chapter re-runs a subset);
* :func:`corollary1_data`: its data, with a full-row-rank or a rank-deficient ``X``.
"""

from __future__ import annotations

import numpy as np

from .deep import DeepLinearNetwork, rank_constrained_minimum, widths_with_bottleneck
from .losses import Quadratic

__all__ = ["COROLLARY1", "corollary1_config", "corollary1_data"]

#: The Corollary 1 grid, namely depths, where the narrowest layer is, hidden widths, init scales,
#: runs per configuration, the tolerance of "reaching the optimum" and the iteration budget.
COROLLARY1 = {
    "depths": [2, 3, 4, 5, 6],
    "places": ["middle", "first", "end"],
    "hidden": [3, 8],
    "scales": [1.0, 0.3, 0.1],
    "n_runs": 16,
    "tol": 1e-8,
    "maxiter": 3000,
    "d": 2,
    "data_seed": 1,
}


def corollary1_data(seed: int = 1, n: int = 6, m: int = 6, N: int = 30, noise: float = 0.3,
                    rank_X: int | None = None):
    """``X`` Gaussian ``(n, N)`` (of rank ``rank_X`` if given: ``X = R Z`` with ``R`` of shape
    ``(n, rank_X)``), ``Y = W X + noise E`` with Gaussian ``W`` and ``E``."""
    rng = np.random.default_rng(seed)
    if rank_X is None:
        X = rng.standard_normal((n, N))
    else:
        X = rng.standard_normal((n, rank_X)) @ rng.standard_normal((rank_X, N))
    Y = rng.standard_normal((m, n)) @ X + noise * rng.standard_normal((m, N))
    return X, Y


def corollary1_config(depth: int, place: str, hidden: int, data=None, d: int | None = None):
    """The network and its optimum for one configuration of the Corollary 1 grid.

    ``place`` is ``"middle"`` (the narrowest width ``d`` at hidden layer ``(depth + 1) // 2``),
    ``"first"`` (at hidden layer 1) or ``"end"`` (no bottleneck: the output has width ``d``,
    the targets are the first ``d`` rows of ``Y``, and every hidden layer is ``hidden``).
    Returns ``(net, optimum)`` with the optimum from
    :func:`~landscape.deep.rank_constrained_minimum`.
    """
    d = COROLLARY1["d"] if d is None else d
    X, Y = corollary1_data(COROLLARY1["data_seed"]) if data is None else data
    n, m = X.shape[0], Y.shape[0]
    if place == "end":
        Y = Y[:d]
        widths = (n,) + (hidden,) * (depth - 1) + (d,)
    elif place in ("middle", "first"):
        layer = (depth + 1) // 2 if place == "middle" else 1
        widths = widths_with_bottleneck(n, m, depth, hidden, d, layer)
    else:
        raise ValueError(f"place must be 'middle', 'first' or 'end'; got {place!r}")
    net = DeepLinearNetwork(widths, Quadratic(X, Y))
    return net, rank_constrained_minimum(X, Y, min(widths))
