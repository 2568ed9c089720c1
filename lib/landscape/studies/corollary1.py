"""The instances of the book's Part III experiments, shared by the chapters and the scripts
that regenerate their stored results (so both build exactly the same networks).

* :data:`COROLLARY1` and :func:`corollary1_config`: the grid of the Corollary 1 chapter
  (``scripts/corollary1_runs.py`` trains it; the chapter re-runs a subset);
* :func:`corollary1_data`: its data, with a full-row-rank or a rank-deficient ``X``;
* :func:`relative_layer_norms`: the layer norms of a point relative to those of the balanced
  optimum (the script stores them for every run's last point).

For example, the network and the optimum of one configuration of the grid:

>>> net, optimum = corollary1_config(3, "middle", 4)
>>> net.depth, net.has_bottleneck, bool(optimum >= 0)
(3, True, True)
"""

from __future__ import annotations

import numpy as np

from .. import canonical
from .._checks import as_bool, as_nonnegative_float, as_positive_int, as_real, as_seed
from ..models.deep import DeepLinearNetwork, widths_with_bottleneck
from ..models.losses import Quadratic
from ..theory.paper_b import rank_constrained_minimizer, rank_constrained_minimum

__all__ = ['COROLLARY1', 'COROLLARY1_DEFICIENT', 'continue_run', 'corollary1_config', 'corollary1_data', 'relative_layer_norms']


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


#: The rank-deficient check: data seed and rank of ``X``, the placement and hidden width of
#: the bottleneck, and the number of runs per depth (init scale 1).
COROLLARY1_DEFICIENT = {"data_seed": 3, "rank_X": 4, "place": "middle", "hidden": 8, "n_runs": 6}


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
    :func:`~landscape.theory.paper_b.rank_constrained_minimum`.

    Refuses a ``depth`` that is not an integer >= 2, an unknown ``place``, ``hidden`` and
    ``d`` that are not integers >= 1, and ``data`` that is not a pair ``(X, Y)`` of arrays
    (checked as :class:`~landscape.models.losses.Quadratic` checks them).
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


def _check_deep(net):
    if not isinstance(net, DeepLinearNetwork):
        raise TypeError(f"net must be a landscape.models.deep.DeepLinearNetwork; got {type(net).__name__}")


def relative_layer_norms(net, Ms) -> np.ndarray:
    """The spectral norm of every layer of ``Ms``, divided by the spectral norm that every layer
    of the balanced factorization (:meth:`~landscape.models.deep.DeepLinearNetwork.balanced`) of the
    optimum ``P* = rank_constrained_minimizer(X, Y, d)`` has, namely ``sigma_1(P*)^(1/k)``.

    Near 1 for every layer of a balanced minimizer; a layer far above 1 has grown out of balance.

    >>> net, _ = corollary1_config(3, "middle", 3)
    >>> P = rank_constrained_minimizer(net.loss.X, net.loss.Y, net.narrowest)
    >>> np.round(relative_layer_norms(net, net.balanced(P)), 12)
    array([1., 1., 1.])

    Refuses a ``net`` that is not a :class:`~landscape.models.deep.DeepLinearNetwork` and weights
    ``Ms`` that it refuses.
    """
    _check_deep(net)
    Ms = net.as_weights(Ms, batch=False)
    Pstar = rank_constrained_minimizer(net.loss.X, net.loss.Y, net.narrowest)
    even = np.linalg.norm(net.balanced(Pstar)[0], 2)
    return np.array([np.linalg.norm(np.asarray(M, dtype=np.float64), 2) for M in Ms]) / even


def continue_run(net, Ms, optimum: float, tol: float | None = None, maxiter: int | None = None,
                 balanced: bool = True):
    """Continue a run that stopped short of the optimum, from its last point ``Ms``.

    With ``balanced`` the run restarts from the balanced factorization
    (:meth:`~landscape.models.deep.DeepLinearNetwork.balanced`) of its end-to-end matrix: the same
    product (its singular values beyond ``d``, roundoff of the product, are dropped), hence the
    same loss, with every layer of the same norm; without, L-BFGS simply
    goes on from ``Ms`` (a fresh memory). Either way with the target of the grid (``tol``
    relative to ``L(0) - optimum``, default ``COROLLARY1["tol"]``) and ``maxiter`` further
    iterations (default ``COROLLARY1["maxiter"]``). Returns the
    :class:`~landscape.optim.lbfgs.LBFGSResult` and the gap ``(L - optimum) / (L(0) - optimum)``.

    Refuses a ``net`` that is not a :class:`~landscape.models.deep.DeepLinearNetwork`, weights ``Ms``
    that it refuses, an ``optimum`` that is not a finite number below ``L(0)``, a negative or
    non-finite ``tol``, a ``maxiter`` that is not an integer >= 1 and a ``balanced`` that is
    not a bool.
    """
    from ..optim.lbfgs import lbfgs

    _check_deep(net)
    Ms = net.as_weights(Ms, batch=False)
    optimum = as_real("optimum", optimum)
    tol = COROLLARY1["tol"] if tol is None else as_nonnegative_float("tol", tol)
    maxiter = COROLLARY1["maxiter"] if maxiter is None else as_positive_int("maxiter", maxiter)
    balanced = as_bool("balanced", balanced)
    span = float(net.loss.value(np.zeros(net.loss.shape))) - optimum
    if not span > 0:
        raise ValueError(f"optimum must be below the loss at 0, L(0) = {optimum + span:.6g}; got {optimum}")
    if balanced:          # P has rank <= d; cut the roundoff beyond d before factoring it
        U, s, Vt = canonical.svd(net.product(Ms))
        d = net.narrowest
        start = net.balanced((U[:, :d] * s[:d]) @ Vt[:d])
    else:
        start = Ms
    r = lbfgs(net, start, maxiter=maxiter, gtol=0.0, ftol=0.0, target=optimum + tol * span)
    return r, (r.value - optimum) / span
