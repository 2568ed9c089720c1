"""The protocol every model implements, and :func:`as_model`, which adapts the book's objectives to it.

A *model* is an objective of a list of weight arrays. Its weights are a tuple or list of
arrays, each of the *core* shape given by ``shapes`` with optional leading batch axes (one
point per batch entry; every array of a point has the same batch axes). A model offers

* ``value(weights)``: the objective, a float or an array of the batch shape;
* ``gradient(weights)``: its gradient, a list with the structure of ``weights``;
* ``hessian_vector_product(weights, directions)``: the Hessian applied to ``directions``
  (structured like ``weights``);
* ``pack(weights)`` / ``unpack(theta)``: the weights as one vector of ``n_params``
  entries (in the order of the Hessian), and back;
* ``n_params`` and ``shapes``.

Optional methods a method may use when they exist: ``value_and_gradient(weights)`` (both
from shared products), ``check_weights(weights)`` (the weights checked, as float arrays),
and, for weights that were checked once already (an optimizer's iterates, which may hold
the NaNs of a diverged run), ``gradient_unchecked(weights)`` and
``value_and_terms(weights)`` (the value and a dict of named terms that
:func:`~landscape.optim.descent.gradient_descent` records with it).

:class:`~landscape.models.deep.DeepLinearNetwork` and
:class:`~landscape.models.deep.MultiTowerNetwork` implement the protocol themselves (a
multi-tower network's weights are one list per tower). Objectives whose documented API takes
the weights as separate arguments keep it; :func:`as_model` wraps them:

* :class:`~landscape.models.shallow.ShallowProblem` and
  :class:`~landscape.models.shallow.ProblemStack`: weights ``(W1, W2)``; the value is g of
  (2) and the recorded terms are ``g``, ``f`` of (1) and ``rho`` of (3). For a stack, the
  stack axis ``B`` is the last batch axis and ``pack`` works per problem.
* :class:`~landscape.models.toy2d.Landscape2D`: weights ``(p,)`` with ``p`` of shape ``(..., 2)``.

Example:

>>> import numpy as np
>>> from landscape import ShallowProblem
>>> from landscape.models.protocol import Model, as_model
>>> p = ShallowProblem(np.eye(2), np.array([[1.0, 2.0]]), hidden=1)
>>> m = as_model(p)
>>> isinstance(m, Model), m.n_params, m.shapes
(True, 3, ((1, 2), (1, 1)))
>>> W = (np.array([[1.0, 0.0]]), np.array([[1.0]]))
>>> bool(m.value(W) == p.value(*W))
True
>>> [g.tolist() for g in m.gradient(W)]
[[[0.0, -2.0]], [[0.0]]]
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from .._checks import as_matrix, check_array
from ..models.deep import DeepLinearNetwork, MultiTowerNetwork, check_network_weights
from ..models.shallow import (ProblemStack, ShallowProblem, f_kernel, gradient_kernel, hvp_kernel,
                              invariants, rho_kernel)
from ..models.toy2d import Landscape2D

__all__ = ['Model', 'as_model']


@runtime_checkable
class Model(Protocol):
    """What every model offers (see the module's docstring)."""

    @property
    def n_params(self) -> int: ...

    @property
    def shapes(self): ...

    def value(self, weights): ...

    def gradient(self, weights): ...

    def hessian_vector_product(self, weights, directions): ...

    def pack(self, weights) -> np.ndarray: ...

    def unpack(self, theta): ...


class ShallowModel:
    """A :class:`~landscape.models.shallow.ShallowProblem` or
    :class:`~landscape.models.shallow.ProblemStack` as a :class:`Model` (weights ``(W1, W2)``)."""

    def __init__(self, problem):
        self.problem = problem
        self._data = invariants(problem)
        self._stack = isinstance(problem, ProblemStack)

    def __repr__(self) -> str:
        return f"as_model({self.problem!r})"

    @property
    def n_params(self) -> int:
        """Parameters of one problem, ``d1 d0 + d2 d1``."""
        return self.problem.n_params

    @property
    def shapes(self):
        return self.problem.shapes

    @property
    def mu(self) -> float:
        return self.problem.mu

    def _split(self, weights, name="weights"):
        if isinstance(weights, np.ndarray) or not isinstance(weights, (list, tuple)) or len(weights) != 2:
            raise TypeError(f"{name} must be a pair (W1, W2) of weight arrays; got {type(weights).__name__}"
                            + (f" of length {len(weights)}" if isinstance(weights, (list, tuple)) else ""))
        return weights[0], weights[1]

    def check_weights(self, weights) -> list[np.ndarray]:
        """``[W1, W2]`` checked and converted as the problem's own methods do."""
        return list(self.problem.as_weights(*self._split(weights)))

    def value_and_terms(self, weights):
        """``(g, {"g": g, "f": f, "rho": rho})`` from the shallow kernels, at weights already
        checked (not checked again)."""
        W1, W2 = weights
        f = f_kernel(self._data, W1, W2)
        rho = rho_kernel(self._data, W1, W2)
        g = f + 0.25 * self.problem.mu * rho
        return g, {"g": g, "f": f, "rho": rho}

    def value(self, weights):
        return self.problem.value(*self._split(weights))

    def gradient(self, weights) -> list[np.ndarray]:
        return self.gradient_unchecked(self.check_weights(weights))

    def gradient_unchecked(self, weights) -> list[np.ndarray]:
        """The gradient (18)-(19) at weights already checked (not checked again)."""
        return list(gradient_kernel(self._data, self.problem.mu, *weights))

    def hessian_vector_product(self, weights, directions) -> list[np.ndarray]:
        W1, W2 = self.check_weights(weights)
        V1, V2 = self.problem.as_weights(*self._split(directions, "directions"), names=("V1", "V2"))
        return list(hvp_kernel(self._data, self.problem.mu, W1, W2, V1, V2))

    def pack(self, weights) -> np.ndarray:
        """``[W1.ravel(), W2.ravel()]`` (of each point, along a last axis)."""
        W1, W2 = self.check_weights(weights)
        return np.concatenate([W1.reshape(W1.shape[:-2] + (-1,)), W2.reshape(W2.shape[:-2] + (-1,))], axis=-1)

    def unpack(self, theta) -> list[np.ndarray]:
        if self._stack:
            theta = as_matrix("theta", theta, ndim=1, allow_batch=True)
            if theta.shape[-1] != self.n_params:
                raise ValueError(f"theta must have n_params = {self.n_params} entries in its last axis; "
                                 f"got {theta.shape[-1]}")
            d0, d1, d2 = self.problem.d0, self.problem.d1, self.problem.d2
            lead = theta.shape[:-1]
            return [theta[..., :d1 * d0].reshape(*lead, d1, d0), theta[..., d1 * d0:].reshape(*lead, d2, d1)]
        return list(self.problem.unpack(theta))


class Landscape2DModel:
    """A :class:`~landscape.models.toy2d.Landscape2D` as a :class:`Model` (weights ``(p,)``)."""

    n_params = 2
    shapes = ((2,),)

    def __init__(self, landscape):
        self.landscape = landscape

    def __repr__(self) -> str:
        return f"as_model({self.landscape.name!r})"

    @staticmethod
    def _point(weights, name="weights"):
        if isinstance(weights, np.ndarray) or not isinstance(weights, (list, tuple)) or len(weights) != 1:
            raise TypeError(f"{name} must be a one-element list [p] of points p of shape (..., 2); "
                            f"got {type(weights).__name__}")
        return weights[0]

    def check_weights(self, weights) -> list[np.ndarray]:
        p = self._point(weights)
        check_array("p", p, ndim=1, allow_batch=True)
        p = np.array(p, dtype=np.float64)
        if p.shape[-1] != 2:
            raise ValueError(f"points must have a trailing axis of length 2; got shape {p.shape}")
        return [p]

    def value(self, weights):
        return self.landscape.value(self._point(weights))

    def gradient(self, weights) -> list[np.ndarray]:
        return [self.landscape.gradient(self._point(weights))]

    def hessian_vector_product(self, weights, directions) -> list[np.ndarray]:
        H = self.landscape.hessian(self._point(weights))
        v = self.check_weights(directions)[0]
        return [np.einsum("...ij,...j->...i", H, v)]

    def pack(self, weights) -> np.ndarray:
        return self.check_weights(weights)[0].copy()

    def unpack(self, theta) -> list[np.ndarray]:
        return self.check_weights([theta])


class NetworkModel:
    """A network of :mod:`landscape.models.deep` as the optimizers see it: the network's own
    methods, with its weights checked and copied (not perturbed) on entry."""

    def __init__(self, net):
        self.net = net

    def __repr__(self) -> str:
        return f"as_model({self.net!r})"

    def __getattr__(self, name):
        if name == "net":
            raise AttributeError(name)
        return getattr(self.net, name)

    @property
    def shapes(self):
        """The core shapes, one list per tower for a multi-tower network."""
        if isinstance(self.net, MultiTowerNetwork):
            return [[(w[i + 1], w[i]) for i in range(len(w) - 1)] for w in self.net.towers]
        return self.net.shapes

    def check_weights(self, weights):
        check_network_weights(self.net, weights)
        if isinstance(weights[0], (list, tuple)):
            return [[np.array(M, dtype=float) for M in T] for T in weights]
        return [np.array(M, dtype=float) for M in weights]


def as_model(obj, name: str = "model"):
    """``obj`` as a :class:`Model`: the book's objectives wrapped (see the module's docstring),
    anything that already has the protocol's methods returned as it is.

    Raises
    ------
    TypeError
        ``obj`` is neither one of the book's objectives nor has the methods of :class:`Model`.
    """
    if isinstance(obj, (ShallowModel, Landscape2DModel, NetworkModel)):
        return obj
    if isinstance(obj, (ShallowProblem, ProblemStack)):
        return ShallowModel(obj)
    if isinstance(obj, Landscape2D):
        return Landscape2DModel(obj)
    if isinstance(obj, (DeepLinearNetwork, MultiTowerNetwork)):
        return NetworkModel(obj)
    if isinstance(obj, Model):
        return obj
    raise TypeError(f"{name} must be a model (a ShallowProblem, ProblemStack, Landscape2D, network, or an "
                    f"object with value, gradient, hessian_vector_product, pack, unpack, n_params and "
                    f"shapes); got {type(obj).__name__}")
