"""The Beyond chapter's study: :func:`tanh_end_points` trains a
:class:`~landscape.models.tanh.TanhNetwork` with L-BFGS from many seeds and sorts the end
points (:class:`TanhEnd`) into global minima, runs whose weights grew large, strict local
minima, and the rest.

For example:

>>> import numpy as np
>>> from landscape.models.tanh import TanhNetwork
>>> rng = np.random.default_rng(0)
>>> net = TanhNetwork(rng.standard_normal((1, 6)), rng.standard_normal((1, 6)), hidden=2)
>>> ends = tanh_end_points(net, seeds=[0, 1])
>>> len(ends), all(isinstance(e, TanhEnd) for e in ends)
(2, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_nonnegative_float, as_positive_int, as_seeds, check_dense
from ..models.tanh import TanhNetwork
from ..optim.lbfgs import lbfgs

__all__ = ['TanhEnd', 'tanh_end_points']


@dataclass(frozen=True)
class TanhEnd:
    """The end point of one L-BFGS run of :func:`tanh_end_points`.

    ``seed`` of the start; final loss ``value``, gradient norm ``grad_norm``, smallest and
    largest Hessian eigenvalues ``lam_min``, ``lam_max``; the largest absolute weight
    ``max_weight`` and the norm ``weight_norm`` of the parameters ``theta``; scipy's stopping
    ``message``; and ``kind``, one of :data:`TanhEnd.KINDS`.
    """

    KINDS = ("global minimum", "strict local minimum", "large weights", "other")

    seed: int
    value: float
    grad_norm: float
    lam_min: float
    lam_max: float
    max_weight: float
    weight_norm: float
    message: str
    theta: np.ndarray
    kind: str


def tanh_end_points(net: TanhNetwork, seeds, zero: float = 1e-10, gtol: float = 1e-6,
                    rcond: float = 1e-5, big: float = 50.0, maxiter: int = 5000) -> list[TanhEnd]:
    """L-BFGS from ``net.random_parameters(default_rng(seed))`` for each seed, and a label for
    each end point, checked in this order:

    * ``"global minimum"``: loss ``< zero`` (the data must be fitted exactly by some network
      for this to mean a global minimum, as when they come from a network of the same shape);
    * ``"large weights"``: some weight larger than ``big`` in absolute value (the Hessian test
      is not used there);
    * ``"strict local minimum"``: gradient norm ``< gtol`` and smallest Hessian eigenvalue
      ``> rcond`` times the largest (positive definite);
    * ``"other"``: anything else.

    Refuses a ``net`` that is not a :class:`~landscape.models.tanh.TanhNetwork` (or one whose dense Hessian is above
    the dense-size limit), an empty list of seeds or seeds that are not integers >= 0,
    thresholds that are negative or not finite and a ``maxiter`` that is not an integer >= 1.
    """
    if not isinstance(net, TanhNetwork):
        raise TypeError(f"net must be a TanhNetwork; got {type(net).__name__}")
    seeds = as_seeds("seeds", seeds)
    zero, gtol, rcond, big = (as_nonnegative_float(n, v) for n, v in
                              (("zero", zero), ("gtol", gtol), ("rcond", rcond), ("big", big)))
    maxiter = as_positive_int("maxiter", maxiter)
    check_dense("net", net.n_params)
    out = []
    for seed in seeds:
        res = lbfgs(net, net.random_parameters(np.random.default_rng(int(seed))), maxiter=maxiter,
                    gtol=1e-12, ftol=1e-16)
        theta = res.x
        value = float(net.value(theta))
        gnorm = float(np.linalg.norm(net.gradient(theta)))
        ev = np.linalg.eigvalsh(net.hessian(theta))
        top = float(np.abs(theta).max())
        if value < zero:
            kind = "global minimum"
        elif top > big:
            kind = "large weights"
        elif gnorm < gtol and ev[0] > rcond * ev[-1]:
            kind = "strict local minimum"
        else:
            kind = "other"
        out.append(TanhEnd(int(seed), value, gnorm, float(ev[0]), float(ev[-1]), top,
                           float(np.linalg.norm(theta)), str(res.message), theta, kind))
    return out
