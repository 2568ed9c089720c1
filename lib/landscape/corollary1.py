"""The instances of the book's Part III experiments, shared by the chapters and the scripts
that regenerate their stored results (so both build exactly the same networks).

* :data:`COROLLARY1` and :func:`corollary1_config`: the grid of the Corollary 1 chapter
  (``scripts/corollary1_runs.py`` trains it; the chapter re-runs a subset);
* :func:`corollary1_data`: its data, with a full-row-rank or a rank-deficient ``X``.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_nonnegative_float, as_positive_int, as_seed

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
    ``(n, rank_X)``), ``Y = W X + noise E`` with Gaussian ``W`` and ``E``.

    Refuses a ``seed`` that is not an integer >= 0, sizes that are not integers >= 1, a
    negative or non-finite ``noise`` and a ``rank_X`` outside ``[1, min(n, N)]``."""
    seed = as_seed("seed", seed)
    n, m, N = (as_positive_int(k, v) for k, v in (("n", n), ("m", m), ("N", N)))
    noise = as_nonnegative_float("noise", noise)
    if rank_X is not None:
        rank_X = as_positive_int("rank_X", rank_X)
        if rank_X > min(n, N):
            raise ValueError(f"rank_X must be at most min(n, N) = {min(n, N)}; got {rank_X}")
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

    Refuses a ``depth`` that is not an integer >= 2, an unknown ``place``, ``hidden`` and
    ``d`` that are not integers >= 1, and ``data`` that is not a pair ``(X, Y)`` of arrays
    (checked as :class:`~landscape.losses.Quadratic` checks them).
    """
    depth = as_positive_int("depth", depth)
    if depth < 2:
        raise ValueError(f"depth must be >= 2; got {depth}")
    if not isinstance(place, str) or place not in ("middle", "first", "end"):
        raise ValueError(f"place must be 'middle', 'first' or 'end'; got {place!r}")
    hidden = as_positive_int("hidden", hidden)
    if d is not None:
        d = as_positive_int("d", d)
    if data is not None:
        if not isinstance(data, (tuple, list)):
            raise TypeError(f"data must be a pair (X, Y) of arrays; got {type(data).__name__}")
        if len(data) != 2:
            raise ValueError(f"data must be a pair (X, Y) of arrays; got {len(data)} item(s)")
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
