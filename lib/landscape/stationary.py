r"""Searching for critical points of f and g numerically, and sorting what is found.

A descent method finds minima; to find *every kind* of critical point (saddles too) one can
instead minimize the squared gradient norm

.. math::
    \phi(W) &= \tfrac12 \|\nabla g(W)\|_F^2, \\
    \nabla\phi(W) &= \nabla^2 g(W)\,\nabla g(W),

whose zeros are exactly the critical points of g (of f when ``mu = 0``). Its gradient is one
Hessian-vector product, computed here for many starts at once (the products of
:meth:`landscape.shallow.ShallowProblem.hessian_vector_product`, with leading batch axes).
Minimizing phi can also end at a local minimum of phi that is not a zero; those are reported
by their gradient norm and discarded.

A point found this way is sorted with the dense Hessian (:func:`classify`): a *strict saddle*
has an eigenvalue below ``-tol``; a point with no such eigenvalue is a *second-order
critical point*, which is a global minimum if its value is the global minimum value, and
otherwise a candidate spurious local minimum (or a non-strict saddle), which
:func:`escapes` then tests by descending from small perturbations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import (as_generator, as_int, as_nonnegative_float, as_positive_float,
                      as_positive_int)
from .shallow import ShallowProblem, _hvp
from .training import ProblemStack, _data, _gradient, gradient_descent, minimize_lbfgs

__all__ = ["Search", "classify", "escapes", "find_critical_points", "hessian_vector_product"]


def hessian_vector_product(problem, W1, W2, V1, V2):
    """``Hess g(W) [V]`` for a :class:`ShallowProblem` or a :class:`ProblemStack`, with leading
    batch axes allowed (the products of ``ShallowProblem.hessian_vector_product``).

    Refuses a ``problem`` of another type and weights or directions of the wrong shapes or
    with NaN, infinite or non-real entries (the message names the argument)."""
    if not isinstance(problem, (ShallowProblem, ProblemStack)):
        raise TypeError(f"problem must be a ShallowProblem or a ProblemStack; got {type(problem).__name__}")
    problem._weights(V1, V2, check_only=True, names=("V1", "V2"))
    W1, W2 = problem._weights(W1, W2)
    V1, V2 = problem._weights(V1, V2)
    return _hvp(_data(problem), problem.mu, W1, W2, V1, V2)


@dataclass(frozen=True)
class Search:
    """Outcome of :func:`find_critical_points`, one entry per start.

    Attributes
    ----------
    W1, W2 : ndarray
        Where each minimization of ``phi`` ended.
    grad_norm : ndarray
        ``||grad g||`` there; a critical point when it is at roundoff level.
    value : ndarray
        ``g`` there.
    n_iter : ndarray of int
    """

    W1: np.ndarray
    W2: np.ndarray
    grad_norm: np.ndarray
    value: np.ndarray
    n_iter: np.ndarray


def find_critical_points(problem, W1, W2, max_iter: int = 2000, memory: int = 20) -> Search:
    """Minimize ``phi = 1/2 ||grad g||^2`` from every start at once (batched L-BFGS,
    :func:`landscape.training.minimize_lbfgs`), and report where each run ended.

    Refuses a ``problem`` of another type, weights of the wrong shapes or with NaN, infinite
    or non-real entries, and ``max_iter``, ``memory`` that are not integers >= 1."""
    max_iter, memory = as_positive_int("max_iter", max_iter), as_positive_int("memory", memory)
    if not isinstance(problem, (ShallowProblem, ProblemStack)):
        raise TypeError(f"problem must be a ShallowProblem or a ProblemStack; got {type(problem).__name__}")
    W1, W2 = problem._weights(W1, W2)
    data, mu = _data(problem), problem.mu
    batch = W1.shape[:-2]
    (d1, d0), d2 = W1.shape[-2:], W2.shape[-2]
    n1 = d1 * d0

    def split(v):
        return v[..., :n1].reshape(*batch, d1, d0), v[..., n1:].reshape(*batch, d2, d1)

    def join(A1, A2):
        return np.concatenate([A1.reshape(*batch, n1), A2.reshape(*batch, -1)], axis=-1)

    def fun(v):
        A1, A2 = split(v)
        G1, G2 = _gradient(data, mu, A1, A2)
        H1, H2 = _hvp(data, mu, A1, A2, G1, G2)
        phi = 0.5 * (np.sum(G1 * G1, axis=(-2, -1)) + np.sum(G2 * G2, axis=(-2, -1)))
        return phi, join(H1, H2), phi[..., None]

    res = minimize_lbfgs(fun, join(W1, W2), memory=memory, max_iter=max_iter,
                         max_fev=4 * max_iter)
    A1, A2 = split(res.x)
    G1, G2 = _gradient(data, mu, A1, A2)
    gnorm = np.sqrt(np.sum(G1 * G1, axis=(-2, -1)) + np.sum(G2 * G2, axis=(-2, -1)))
    value = problem.value(A1, A2)
    return Search(A1.copy(), A2.copy(), gnorm, np.asarray(value), res.n_iter)


def classify(problem: ShallowProblem, W1, W2, tol: float) -> tuple[str, float]:
    """Sort a critical point by the dense Hessian: ``("strict saddle", lambda_min)`` if an
    eigenvalue is below ``-tol``; otherwise ``("global minimum", lambda_min)`` if the value is
    within ``tol`` of the global minimum, and ``("second-order critical, not global",
    lambda_min)`` if not (a candidate spurious local minimum or a non-strict saddle).

    Refuses a ``problem`` of another type, weights of the wrong shapes or with NaN, infinite
    or non-real entries, a negative or non-finite ``tol``, and (before allocating it) a
    Hessian above the dense-size limit (``landscape._checks.dense_limit``)."""
    tol = as_nonnegative_float("tol", tol)
    if not isinstance(problem, ShallowProblem):
        raise TypeError(f"problem must be a ShallowProblem; got {type(problem).__name__}")
    lam_min = float(np.linalg.eigvalsh(problem.hessian(W1, W2))[0])
    if lam_min < -tol:
        return "strict saddle", lam_min
    if problem.value(W1, W2) - problem.global_minimum() <= tol:
        return "global minimum", lam_min
    return "second-order critical, not global", lam_min


def escapes(problem: ShallowProblem, W1, W2, rng, radius: float = 1e-4, n_tries: int = 16,
            n_steps: int = 20000, step: float | None = None) -> float:
    """How far below ``g(W)`` gradient descent gets from ``n_tries`` random points at distance
    ``radius`` (relative to ``||W||``) of ``W``: ``g(W) - min over tries of g(end)``.

    Clearly positive (beyond roundoff) means ``W`` is not a local minimum: descent from a
    neighbourhood leaves its level. The step is ``0.5 / L`` with ``L`` the largest Hessian
    eigenvalue at ``W`` unless given.

    Refuses a ``problem`` of another type, an ``rng`` that is not a Generator, weights of the
    wrong shapes or with NaN, infinite or non-real entries, a ``radius`` or ``step`` that is
    not positive and finite, ``n_tries`` and ``n_steps`` that are not integers >= 1, and
    (when ``step`` is not given) a Hessian above the dense-size limit.
    """
    radius = as_positive_float("radius", radius)
    n_tries, n_steps = as_positive_int("n_tries", n_tries), as_positive_int("n_steps", n_steps)
    step = None if step is None else as_positive_float("step", step)
    if not isinstance(problem, ShallowProblem):
        raise TypeError(f"problem must be a ShallowProblem; got {type(problem).__name__}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    n_tries = as_positive_int("n_tries", n_tries)
    n_steps = as_int("n_steps", n_steps, 1)
    W1, W2 = problem._weights(W1, W2, batch=False)
    if step is None:
        step = 0.5 / float(np.linalg.eigvalsh(problem.hessian(W1, W2))[-1])
    scale = radius * np.sqrt(np.sum(W1**2) + np.sum(W2**2) + 1.0)
    P1 = rng.standard_normal((n_tries,) + W1.shape)
    P2 = rng.standard_normal((n_tries,) + W2.shape)
    norm = np.sqrt(np.sum(P1**2, axis=(1, 2)) + np.sum(P2**2, axis=(1, 2)))[:, None, None]
    run = gradient_descent(problem, W1 + scale * P1 / norm, W2 + scale * P2 / norm, step,
                           n_steps, record_every=n_steps)
    return float(problem.value(W1, W2) - np.nanmin(run.g[-1]))
