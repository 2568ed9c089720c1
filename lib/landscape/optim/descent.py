"""Gradient descent, batched over starts (see the layout in ``lib/README.md``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from .._checks import as_bool, as_callable, as_int, as_positive_float, as_positive_int, as_real, check_array
from ..models.deep import check_network, check_network_weights
from ..models.shallow import check_problem_or_stack, f_kernel, gradient_kernel, invariants, rho_kernel

__all__ = ['DeepRun', 'Run', 'deep_gradient_descent', 'gradient_descent', 'gradient_descent_path']


def gradient_descent_path(gradient, x0, step: float, n_steps: int) -> np.ndarray:
    """Plain gradient descent ``x <- x - step * gradient(x)`` from a batch of starts.

    ``x0`` has shape ``(..., d)`` and ``gradient`` maps such arrays to arrays of the same
    shape. Returns the whole path, shape ``(n_steps + 1, ..., d)``.

    Refuses a ``gradient`` that is not callable, an ``x0`` that is not a non-empty array of
    finite real numbers, a ``step`` that is not positive and finite and an ``n_steps`` that
    is not an integer >= 0.
    """
    as_callable("gradient", gradient)
    check_array("x0", x0, ndim=1, allow_batch=True)
    step = as_positive_float("step", step)
    n_steps = as_int("n_steps", n_steps, 0)
    x = np.array(x0, dtype=np.float64)
    path = np.empty((n_steps + 1,) + x.shape)
    path[0] = x
    for t in range(n_steps):
        x = x - step * gradient(x)
        path[t + 1] = x
    return path


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
    metrics : dict
        The values of the ``metrics`` callables along the runs, each of shape
        ``(n_records, *batch)`` (empty if none were given).
    diverged : ndarray or None
        Boolean, shape ``(*batch)``: runs whose objective became non-finite; they were
        stopped there (their later records are NaN). ``None`` when no run diverged.
    """

    steps: np.ndarray
    g: np.ndarray
    f: np.ndarray
    rho: np.ndarray
    W1: np.ndarray
    W2: np.ndarray
    metrics: dict = field(default_factory=dict)
    diverged: np.ndarray | None = None


def check_metrics(metrics, name: str = "metrics") -> dict:
    if metrics is None:
        return {}
    if not isinstance(metrics, Mapping) or not all(callable(v) for v in metrics.values()):
        raise TypeError(f"{name} must be a dict of name -> callable; got {metrics!r}")
    return dict(metrics)


def gradient_descent(problem, W1, W2, step, n_steps: int, record_every: int = 1,
                     metrics: Mapping[str, Callable] | None = None) -> Run:
    """Run ``W <- W - step * grad g(W)`` for ``n_steps`` steps from every start at once.

    Parameters
    ----------
    problem : ShallowProblem or ProblemStack
        The objective g of (2) (f of (1) when ``mu = 0``). With a stack, the weights' last
        batch axis runs over its problems.
    W1, W2 : array_like
        Starts; may have leading batch axes (one start per batch entry).
    step : float or array_like
        The constant step size; an array broadcasts against the batch shape (one step per
        run, e.g. a grid of steps for every seed).
    n_steps, record_every : int
        Values are recorded every ``record_every`` steps and at the end.
    metrics : dict of str -> callable, optional
        ``metric(W1, W2) -> array of the batch shape``, recorded with the values.

    Runs whose objective becomes non-finite (a step too large for them) are stopped at the
    next record and flagged in ``Run.diverged``; the other runs are not affected.

    Raises
    ------
    TypeError
        ``problem`` of another type; non-real weights or steps; non-integer ``n_steps`` or
        ``record_every``; ``metrics`` that are not a dict of callables.
    ValueError
        Weights of the wrong shapes, NaN or infinite entries; a step that is not positive
        and finite (or an empty array of steps, or one that does not broadcast against the
        batch shape); ``n_steps < 0``; ``record_every < 1``.
    """
    check_problem_or_stack(problem)
    step_arr = check_array("step", step, ndim=0, allow_batch=True)
    if not np.all(step_arr > 0):
        raise ValueError(f"step must be a positive finite number (or array of them); got {step}")
    n_steps = as_int("n_steps", n_steps, 0)
    record_every = as_positive_int("record_every", record_every)
    metrics = check_metrics(metrics)
    W1, W2 = problem.as_weights(W1, W2)
    try:
        batch = np.broadcast_shapes(W1.shape[:-2], step_arr.shape)
    except ValueError:
        raise ValueError(f"step of shape {step_arr.shape} does not broadcast against the batch "
                         f"shape {W1.shape[:-2]} of the weights") from None
    W1 = np.array(np.broadcast_to(W1, batch + W1.shape[-2:]))
    W2 = np.array(np.broadcast_to(W2, batch + W2.shape[-2:]))
    scalar_step = step_arr.ndim == 0
    eta = float(step_arr) if scalar_step else np.broadcast_to(step_arr, batch)[..., None, None].copy()
    data, mu = invariants(problem), problem.mu
    record = sorted(set(range(0, int(n_steps) + 1, int(record_every))) | {int(n_steps)})
    steps, gs, fs, rhos = [], [], [], []
    recs = {name: [] for name in metrics}
    dead = np.zeros(batch, dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(int(n_steps) + 1):
            if t == record[len(steps)]:
                f_t = f_kernel(data, W1, W2)
                rho_t = rho_kernel(data, W1, W2)
                g_t = f_t + 0.25 * mu * rho_t
                bad = ~np.isfinite(g_t) & ~dead
                if np.any(bad):  # stop those runs (and keep their NaNs out of later records)
                    dead |= bad
                    eta = np.where(dead[..., None, None], 0.0, eta)
                    W1[dead] = np.nan
                    W2[dead] = np.nan
                steps.append(t)
                fs.append(np.where(dead, np.nan, f_t) if dead.any() else f_t)
                rhos.append(np.where(dead, np.nan, rho_t) if dead.any() else rho_t)
                gs.append(np.where(dead, np.nan, g_t) if dead.any() else g_t)
                for name, fn in metrics.items():
                    recs[name].append(np.asarray(fn(W1, W2), dtype=float))
            if t == n_steps:
                break
            G1, G2 = gradient_kernel(data, mu, W1, W2)
            if dead.any():
                G1[dead] = 0.0
                G2[dead] = 0.0
            G1 *= eta
            G2 *= eta
            W1 -= G1
            W2 -= G2
    return Run(np.array(steps), np.array(gs), np.array(fs), np.array(rhos), W1, W2,
               {k: np.array(v) for k, v in recs.items()}, dead if dead.any() else None)


@dataclass(frozen=True)
class DeepRun:
    """Record of :func:`deep_gradient_descent` over a batch of starts.

    ``steps`` ``(n_rec,)``, ``values`` and ``grad_norms`` ``(n_rec, *batch)``, the final
    weights ``Ms``, and ``hit`` ``(*batch)``: the first step at which the loss was ``<= target``
    (``-1`` if never, or if no target was given).
    """

    steps: np.ndarray
    values: np.ndarray
    grad_norms: np.ndarray
    Ms: list
    hit: np.ndarray


def deep_gradient_descent(net, Ms, step: float, n_steps: int, record_every: int = 1,
                     target: float | None = None, stop_when_all_hit: bool = True) -> DeepRun:
    """``M <- M - step * grad L(M)`` from every start at once (leading batch axes of ``Ms``).

    With ``target``, records for each start the first step whose loss is ``<= target``
    and (by default) stops once every start has reached it.

    Raises
    ------
    TypeError
        ``net`` of another type; weights that are not a list of real matrices; a non-real
        ``step`` or ``target``; non-integer counts; a ``stop_when_all_hit`` that is not a bool.
    ValueError
        Weights of the wrong shapes or not finite; a ``step`` that is not positive and
        finite; ``n_steps < 0``; ``record_every < 1``; a NaN or infinite ``target``.
    """
    check_network(net)
    step = as_positive_float("step", step)
    n_steps = as_int("n_steps", n_steps, 0)
    record_every = as_positive_int("record_every", record_every)
    target = None if target is None else as_real("target", target)
    stop_when_all_hit = as_bool("stop_when_all_hit", stop_when_all_hit)
    check_network_weights(net, Ms)
    W = [[np.array(M, dtype=float) for M in T] for T in Ms] if isinstance(Ms[0], (list, tuple)) \
        else [np.array(M, dtype=float) for M in Ms]
    steps, vals, gns = [], [], []
    hit = None
    for t in range(int(n_steps) + 1):
        v, G = net.value_and_gradient(W)
        v = np.asarray(v, dtype=float)
        if hit is None:
            hit = np.full(v.shape, -1, dtype=int)
        if target is not None:
            hit = np.where((hit < 0) & (v <= target), t, hit)
        done = t == n_steps or (target is not None and stop_when_all_hit and np.all(hit >= 0))
        if t % int(record_every) == 0 or done:
            g2 = sum(np.sum(g * g, axis=(-2, -1)) for g in _leaves(G))
            steps.append(t)
            vals.append(v)
            gns.append(np.sqrt(g2))
        if done:
            break
        for M, g in zip(_leaves(W), _leaves(G)):
            M -= step * g
    return DeepRun(np.array(steps), np.array(vals), np.array(gns), W, hit)


def _leaves(W):
    return [M for T in W for M in T] if isinstance(W[0], (list, tuple)) else list(W)
