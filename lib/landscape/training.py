"""Gradient descent on a :class:`~landscape.shallow.ShallowProblem`, batched over starts.

All starts advance together: the weights carry a leading batch axis, so a step is a few
batched matrix products (``numpy.matmul`` over the batch) and never touches an array with
``N`` columns (the problem's ``X X^T`` and ``Y X^T`` are computed once).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .shallow import ShallowProblem
from .spectrum import hessian_operator

__all__ = ["LBFGSResult", "Run", "gradient_descent", "largest_eigenvalue", "lbfgs", "step_from_curvature"]


@dataclass(frozen=True)
class Run:
    """The record of a batched gradient-descent run.

    Attributes
    ----------
    steps : ndarray
        Iteration numbers at which values were recorded (0 is the start), shape
        ``(n_records,)``.
    g : ndarray
        The objective of the problem (equal to ``f`` when ``mu = 0``) along the runs,
        shape ``(n_records, *batch)``.
    f : ndarray
        The data term f of (1) along the runs.
    rho : ndarray
        The regularizer rho of (3) along the runs.
    W1 : ndarray
        Final first-layer weights, shape ``(*batch, d1, d0)``.
    W2 : ndarray
        Final second-layer weights, shape ``(*batch, d2, d1)``.
    """

    steps: np.ndarray
    g: np.ndarray
    f: np.ndarray
    rho: np.ndarray
    W1: np.ndarray
    W2: np.ndarray


def gradient_descent(problem: ShallowProblem, W1, W2, step: float, n_steps: int, record_every: int = 1) -> Run:
    """Run ``W <- W - step * grad g(W)`` for ``n_steps`` steps from every start at once.

    ``W1`` and ``W2`` may have leading batch axes (one start per batch entry).
    Values are recorded every ``record_every`` steps and at the end.
    """
    if not isinstance(problem, ShallowProblem):
        raise TypeError(f"problem must be a ShallowProblem; got {type(problem).__name__}")
    if not (np.isfinite(step) and step > 0):
        raise ValueError(f"step must be a positive finite number; got {step}")
    if int(n_steps) < 0 or int(record_every) < 1:
        raise ValueError(f"need n_steps >= 0 and record_every >= 1; got {n_steps}, {record_every}")
    W1, W2 = problem._weights(W1, W2)
    W1, W2 = W1.copy(), W2.copy()
    record = sorted(set(range(0, int(n_steps) + 1, int(record_every))) | {int(n_steps)})
    f0 = problem.with_mu(0.0)
    steps, gs, fs, rhos = [], [], [], []
    for t in range(int(n_steps) + 1):
        if t == record[len(steps)]:
            f_t = f0.value(W1, W2)
            rho_t = problem.rho(W1, W2)
            steps.append(t)
            fs.append(f_t)
            rhos.append(rho_t)
            gs.append(f_t + 0.25 * problem.mu * rho_t)
        if t == n_steps:
            break
        G1, G2 = problem.gradient(W1, W2)
        W1 -= step * G1
        W2 -= step * G2
    return Run(np.array(steps), np.array(gs), np.array(fs), np.array(rhos), W1, W2)


@dataclass(frozen=True)
class LBFGSResult:
    """Outcome of :func:`lbfgs`: final weights, value, iterations and the gradient norm."""

    W1: np.ndarray
    W2: np.ndarray
    value: float
    n_iter: int
    grad_norm: float


def lbfgs(problem: ShallowProblem, W1, W2, maxiter: int = 5000, gtol: float = 1e-10,
          ftol: float = 1e-15, memory: int = 10) -> LBFGSResult:
    """Minimize the problem's objective with L-BFGS (``scipy.optimize.minimize``, L-BFGS-B
    without bounds) from ``(W1, W2)``, using the exact gradient."""
    from scipy.optimize import minimize

    if not isinstance(problem, ShallowProblem):
        raise TypeError(f"problem must be a ShallowProblem; got {type(problem).__name__}")

    def fun(theta):
        W1_, W2_ = problem.unpack(theta)
        G1, G2 = problem.gradient(W1_, W2_)
        return float(problem.value(W1_, W2_)), np.concatenate([G1.ravel(), G2.ravel()])

    res = minimize(fun, problem.pack(W1, W2), jac=True, method="L-BFGS-B",
                   options={"maxiter": int(maxiter), "gtol": gtol, "ftol": ftol, "maxcor": int(memory)})
    W1f, W2f = problem.unpack(res.x)
    G1, G2 = problem.gradient(W1f, W2f)
    return LBFGSResult(W1f, W2f, float(res.fun), int(res.nit), float(np.sqrt(np.sum(G1**2) + np.sum(G2**2))))


def largest_eigenvalue(problem: ShallowProblem, W1, W2) -> float:
    """Largest Hessian eigenvalue at ``(W1, W2)`` (Lanczos, matrix-free; dense for tiny n)."""
    n = problem.n_params
    if n < 16:
        return float(np.linalg.eigvalsh(problem.hessian(W1, W2))[-1])
    from scipy.sparse.linalg import eigsh

    v0 = np.random.default_rng(0).standard_normal(n)
    return float(eigsh(hessian_operator(problem, W1, W2), k=1, which="LA", v0=v0, tol=1e-8,
                       return_eigenvectors=False)[0])


def step_from_curvature(problem: ShallowProblem, fraction: float = 0.5) -> float:
    """A constant step size: ``fraction / L``, with ``L`` the largest Hessian eigenvalue at
    the balanced global minimizer (the curvature where a converging run ends).

    The same rule applied to f (``mu = 0``) and to g gives each its own step.
    """
    return fraction / largest_eigenvalue(problem, *problem.balanced_minimizer())
