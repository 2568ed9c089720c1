"""Many starts of a local method.

* :func:`runs_from_starts`: L-BFGS (:func:`~landscape.optim.lbfgs.lbfgs`) from the random
  starts of a list of seeds against a known optimum, one :class:`StartRecord` per start: whether
  it reached the optimum, the iterations, and a Hessian check of the runs that do not;
* :func:`derivative_free_search`: multi-start Nelder-Mead, for losses without a gradient.

For example, every run on a two-layer network under the quadratic loss reaches the optimum:

>>> import numpy as np
>>> from landscape.models.deep import DeepLinearNetwork
>>> from landscape.models.losses import Quadratic
>>> from landscape.theory.paper_b import rank_constrained_minimum
>>> X, Y = np.eye(3), np.diag([3.0, 2.0, 1.0])
>>> optimum = rank_constrained_minimum(X, Y, 2)               # 1/2 * 1^2: the third value
>>> optimum
0.5
>>> net = DeepLinearNetwork((3, 2, 3), Quadratic(X, Y))
>>> [r.reached for r in runs_from_starts(net, [0, 1, 2], optimum)]   # no spurious minima
[True, True, True]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import (
    as_bool,
    as_callable,
    as_nonnegative_float,
    as_positive_int,
    as_real,
    as_seeds,
    check_dense,
)
from ..models.deep import check_network
from ..optim.lbfgs import lbfgs

__all__ = ['StartRecord', 'derivative_free_search', 'runs_from_starts']


@dataclass(frozen=True)
class StartRecord:
    """One training run of :func:`runs_from_starts`.

    ``seed`` of the start, whether the loss ``reached`` the target, L-BFGS iterations
    ``n_iter`` (to the target when reached), the final loss ``value`` and ``gap``
    ``(L - optimum) / (L(0) - optimum)``, the final ``grad_norm``, for runs that did not reach
    the target the smallest Hessian eigenvalue ``lam_min`` at the final point (``nan``
    otherwise), the final weights ``Ms`` if they were kept, and scipy's stopping ``message``.
    """

    seed: int
    reached: bool
    n_iter: int
    gap: float
    grad_norm: float
    lam_min: float
    value: float = np.nan
    Ms: list | None = None
    message: str = ""


def runs_from_starts(net, seeds, optimum: float, tol: float = 1e-8, scale: float = 1.0,
                     maxiter: int = 3000, classify: bool = True, keep: bool = False) -> list[StartRecord]:
    """L-BFGS from ``net.random_weights(default_rng(seed), scale)`` for each seed, stopped
    when the loss is within ``tol`` of the optimum, relative to ``L(0) - optimum``.

    "Reaching the optimum" is ``L - optimum <= tol (L(0) - optimum)``, where ``L(0)`` is the
    loss of the zero matrix (the scale of the reducible part of the loss). Runs that do not
    reach it within ``maxiter`` iterations get their smallest Hessian eigenvalue (dense
    Hessian) if ``classify``: a negative one shows the run stopped away from any minimum.
    ``keep`` stores the final weights in the records.

    Raises
    ------
    TypeError
        ``net`` of another type; seeds that are not integers; non-real ``optimum``,
        ``tol``, ``scale``; a non-integer ``maxiter``; ``classify`` or ``keep`` not a bool.
    ValueError
        No seed or a negative one; a NaN or infinite ``optimum`` or one not below ``L(0)``;
        ``tol`` or ``scale`` negative or not finite; ``maxiter < 1``; with ``classify``, a
        network whose dense Hessian is above the dense-size limit (checked first).
    """
    check_network(net)
    seeds = as_seeds("seeds", seeds)
    optimum = as_real("optimum", optimum)
    tol, scale = as_nonnegative_float("tol", tol), as_nonnegative_float("scale", scale)
    maxiter = as_positive_int("maxiter", maxiter)
    classify, keep = as_bool("classify", classify), as_bool("keep", keep)
    if classify:
        check_dense("net", net.n_params, what="dense Hessian (for classify=True)")
    m, n = net.loss.shape
    f0 = float(net.loss.value(np.zeros((m, n))))
    span = f0 - optimum
    if not span > 0:
        raise ValueError(f"optimum must be below L(0) to measure the gap; got L(0) = {f0}, optimum = {optimum}")
    target = optimum + tol * span
    out = []
    for seed in seeds:
        Ms = net.random_weights(np.random.default_rng(int(seed)), scale=scale)
        r = lbfgs(net, Ms, maxiter=maxiter, gtol=0.0, ftol=0.0, target=target)
        lam = np.nan
        if not r.reached and classify:
            lam = float(np.linalg.eigvalsh(net.hessian(r.Ms))[0])
        out.append(StartRecord(int(seed), bool(r.reached), r.n_iter, (r.value - optimum) / span,
                               r.grad_norm, lam, r.value, r.Ms if keep else None, r.message))
    return out


def derivative_free_search(fun, dim: int, seeds, scale: float = 1.0, restarts: int = 3,
                           maxfev: int = 20000) -> list[tuple[int, np.ndarray, float]]:
    """Local minimization of ``fun`` (a function of a ``dim``-vector) from Gaussian starts,
    without derivatives: Nelder-Mead (adaptive), restarted ``restarts`` times from its own
    end point (a cheap guard against a collapsed simplex). For losses that are not
    differentiable, where gradient methods do not apply.

    Returns ``[(seed, x, fun(x)), ...]``; the start for ``seed`` is
    ``scale * default_rng(seed).standard_normal(dim)``.

    Refuses a ``fun`` that is not callable, ``dim``, ``restarts`` and ``maxfev`` that are
    not integers >= 1, an empty list of seeds or seeds that are not integers >= 0, and a
    negative or non-finite ``scale``.
    """
    from scipy.optimize import minimize

    as_callable("fun", fun)
    dim, restarts = as_positive_int("dim", dim), as_positive_int("restarts", restarts)
    maxfev = as_positive_int("maxfev", maxfev)
    seeds = as_seeds("seeds", seeds)
    scale = as_nonnegative_float("scale", scale)

    out = []
    for seed in seeds:
        x = scale * np.random.default_rng(int(seed)).standard_normal(int(dim))
        for _ in range(int(restarts)):
            res = minimize(fun, x, method="Nelder-Mead",
                           options={"xatol": 1e-12, "fatol": 1e-14, "maxfev": int(maxfev),
                                    "adaptive": True})
            x = res.x
        out.append((int(seed), x, float(fun(x))))
    return out
