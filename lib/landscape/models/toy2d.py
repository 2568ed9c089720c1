r"""Two-variable landscapes that show Definitions 1-4 of paper A.

Each function is a :class:`Landscape2D` whose ``value``, ``gradient`` and ``hessian``
accept points of shape ``(..., 2)`` (so a whole grid or a batch of starting points is
one call). They share the minima ``(0, +-1)`` and differ at the origin:

* :data:`STRICT_SADDLE` :math:`h(x, y) = x^2/2 + y^4/4 - y^2/2`: Hessian ``diag(1, -1)`` at
  the origin, a strict saddle (Definition 2).
* :data:`FLAT_SADDLE` :math:`h(x, y) = x^2/2 + y^6/6 - y^4/4`: Hessian ``diag(1, 0)`` at the
  origin, positive semidefinite, yet the origin is not a local minimum (the value
  drops like :math:`-y^4/4` along the y axis). A saddle that is *not* strict.
* :data:`MONKEY_SADDLE` :math:`h(x, y) = x^3 - 3 x y^2`: Hessian zero at the origin, three
  descending valleys.

For example, the Hessians at the origin and a value at a minimum:

>>> import numpy as np
>>> STRICT_SADDLE.hessian(np.zeros(2)).tolist(), FLAT_SADDLE.hessian(np.zeros(2)).tolist()
([[1.0, 0.0], [0.0, -1.0]], [[1.0, 0.0], [0.0, 0.0]])
>>> round(float(FLAT_SADDLE.value(np.array([0.0, 1.0]))), 6)      # 1/6 - 1/4 at a minimum
-0.083333
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .._checks import check_array

__all__ = ['FLAT_SADDLE', 'Landscape2D', 'MONKEY_SADDLE', 'STRICT_SADDLE']


def _xy(p):
    check_array("p", p, ndim=1, allow_batch=True)
    p = np.asarray(p, dtype=np.float64)
    if p.shape[-1] != 2:
        raise ValueError(f"points must have a trailing axis of length 2; got shape {p.shape}")
    return p[..., 0], p[..., 1]


def _hess(hxx, hxy, hyy):
    return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)


@dataclass(frozen=True)
class Landscape2D:
    """A smooth function of two variables with its derivatives and critical points.

    Its methods refuse points ``p`` that are not arrays of finite real numbers with a
    trailing axis of length 2 (``TypeError`` for non-real entries, ``ValueError`` otherwise).
    """

    name: str
    formula: str
    _value: Callable = field(repr=False)
    _gradient: Callable = field(repr=False)
    _hessian: Callable = field(repr=False)
    critical_points: tuple = ()

    def value(self, p):
        """Function value at points of shape ``(..., 2)``."""
        return self._value(*_xy(p))

    def gradient(self, p):
        """Gradient, shape ``(..., 2)``."""
        x, y = _xy(p)
        return np.stack(self._gradient(x, y), -1)

    def hessian(self, p):
        """Hessian, shape ``(..., 2, 2)``."""
        x, y = _xy(p)
        return _hess(*self._hessian(x, y))


def _bc(v, x):
    return np.broadcast_to(v, np.shape(x)).astype(np.float64)


#: A strict saddle at the origin, ``x^2/2 + y^4/4 - y^2/2``, with minima at ``(0, +-1)``.
STRICT_SADDLE = Landscape2D(
    name="strict saddle",
    formula=r"x^2/2 + y^4/4 - y^2/2",
    _value=lambda x, y: x**2 / 2 + y**4 / 4 - y**2 / 2,
    _gradient=lambda x, y: (x, y**3 - y),
    _hessian=lambda x, y: (_bc(1.0, x), _bc(0.0, x), 3 * y**2 - 1),
    critical_points=((0.0, 0.0), (0.0, 1.0), (0.0, -1.0)),
)


#: A saddle with Hessian ``diag(1, 0)`` at the origin, ``x^2/2 + y^6/6 - y^4/4``.
FLAT_SADDLE = Landscape2D(
    name="saddle without negative curvature",
    formula=r"x^2/2 + y^6/6 - y^4/4",
    _value=lambda x, y: x**2 / 2 + y**6 / 6 - y**4 / 4,
    _gradient=lambda x, y: (x, y**5 - y**3),
    _hessian=lambda x, y: (_bc(1.0, x), _bc(0.0, x), 5 * y**4 - 3 * y**2),
    critical_points=((0.0, 0.0), (0.0, 1.0), (0.0, -1.0)),
)


#: The monkey saddle ``x^3 - 3 x y^2``, with zero Hessian at the origin.
MONKEY_SADDLE = Landscape2D(
    name="monkey saddle",
    formula=r"x^3 - 3 x y^2",
    _value=lambda x, y: x**3 - 3 * x * y**2,
    _gradient=lambda x, y: (3 * x**2 - 3 * y**2, -6 * x * y),
    _hessian=lambda x, y: (6 * x, -6 * y, -6 * x),
    critical_points=((0.0, 0.0),),
)
