"""Gradient descent and L-BFGS on :class:`~landscape.shallow.ShallowProblem`, batched over starts.

All starts advance together: the weights carry a leading batch axis, so a step is a few
batched matrix products (``numpy.matmul`` over the batch) and never touches an array with
``N`` columns (the problem's ``X X^T`` and ``Y X^T`` are computed once).

A :class:`ProblemStack` goes one step further: it stacks the invariants of several problems
of the same shape (one random instance per seed), so that one batched product advances every
seed on its own data. :func:`gradient_descent` accepts either, and records any metrics along
the way; :func:`batched_lbfgs` is an L-BFGS method modelled on minFunc (the package paper A
used), batched the same way; :func:`lbfgs_path` is SciPy's L-BFGS-B on one start, recording
the objective at every iteration through its callback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from ._checks import (as_generator, as_int, as_matrix, as_nonnegative_float, as_positive_float,
                      as_positive_int, as_real, as_shape, check_array, check_shape)
from .shallow import ShallowProblem, _Shape, _f, _gradient, _rho
from .spectrum import hessian_operator

__all__ = ["LBFGSPath", "LBFGSResult", "LBFGSRun", "Minimization", "ProblemStack", "Run",
           "batched_lbfgs", "gradient_descent", "largest_eigenvalue", "lbfgs", "lbfgs_path",
           "minimize_lbfgs", "step_from_curvature"]


def _data(problem) -> tuple:
    """The invariants ``(U Sigma, Y V, X X^T, Y X^T, ||Y||^2 - ||YV||^2, ||Y||^2)``."""
    return problem._data


def _check_problem(problem):
    if not isinstance(problem, (ShallowProblem, ProblemStack)):
        raise TypeError(f"problem must be a ShallowProblem or a ProblemStack; got {type(problem).__name__}")


class ProblemStack(_Shape):
    r"""Several instances of paper A's problem with the same shapes and ``mu``, stacked.

    Only the invariants of each problem are kept (``U Sigma``, ``Y V``, ``X X^T``, ``Y X^T`` and
    the unreachable part of ``||Y||^2``), stacked along a leading axis of length ``B``; the
    number of samples may differ between problems. Weights have shape ``(..., B, d1, d0)`` and
    ``(..., B, d2, d1)``: entry ``b`` of the batch axis is evaluated on problem ``b``, and any
    further leading axes broadcast (e.g. several step sizes for every seed).

    Parameters
    ----------
    problems : sequence of ShallowProblem
        At least one; all with the same ``(d0, d1, d2)`` and the same ``mu``.

    Notes
    -----
    The methods mirror :class:`~landscape.shallow.ShallowProblem`: ``f`` of (1) in its reduced
    form ``1/2 ||W2 W1 U Sigma - Y V||^2 + 1/2 (||Y||^2 - ||YV||^2)``, ``rho`` of (3), ``value``
    ``= f + mu/4 rho`` of (2) and the gradient (18)-(19).

    Raises
    ------
    TypeError
        ``problems`` not a sequence of :class:`~landscape.shallow.ShallowProblem`.
    ValueError
        No problem, or problems of different shapes or ``mu``. The methods refuse weights
        without the stack axis ``B`` or of the wrong shapes, and NaN, infinite, complex or
        non-numeric entries, like those of :class:`~landscape.shallow.ShallowProblem`.
    """

    def __init__(self, problems):
        if not isinstance(problems, ShallowProblem) and (
                isinstance(problems, (str, bytes)) or not hasattr(problems, "__iter__")):
            raise TypeError(f"problems must be a sequence of ShallowProblem; got {type(problems).__name__}")
        problems = list(problems) if not isinstance(problems, ShallowProblem) else [problems]
        if not problems:
            raise ValueError("problems must hold at least one ShallowProblem; got an empty sequence")
        for i, p in enumerate(problems):
            if not isinstance(p, ShallowProblem):
                raise TypeError(f"problems[{i}] must be a ShallowProblem; got {type(p).__name__}")
        first = problems[0]
        shape = (first.d0, first.d1, first.d2)
        for i, p in enumerate(problems):
            if (p.d0, p.d1, p.d2) != shape:
                raise ValueError(f"all problems must have the same (d0, d1, d2) = {shape}; "
                                 f"problems[{i}] has {(p.d0, p.d1, p.d2)}")
            if p.mu != first.mu:
                raise ValueError(f"all problems must have the same mu = {first.mu:g}; "
                                 f"problems[{i}] has mu = {p.mu:g}")
        self._d0, self._d1, self._d2 = shape
        self._mu = first.mu
        parts = [_data(p) for p in problems]
        self._data = tuple(np.stack([np.asarray(d[k], dtype=float) for d in parts]) for k in range(6))
        for a in self._data:
            a.flags.writeable = False
        self._problems = tuple(problems)

    # properties ---------------------------------------------------------------
    @property
    def problems(self) -> tuple:
        """The stacked problems (with the stack's ``mu``)."""
        return self._problems

    @property
    def size(self) -> int:
        """Number of stacked problems ``B``."""
        return len(self._problems)

    @property
    def Y_norm2(self) -> np.ndarray:
        """``||Y||_F^2`` of each problem, shape ``(B,)``."""
        return self._data[5]

    def __len__(self) -> int:
        return self.size

    def __repr__(self) -> str:
        return (f"ProblemStack(B={self.size}, d0={self._d0}, d1={self._d1}, d2={self._d2}, "
                f"mu={self._mu:g})")

    def with_mu(self, mu) -> "ProblemStack":
        """The same stack with another regularizer weight (invariants shared)."""
        other = object.__new__(ProblemStack)
        other.__dict__.update(self.__dict__)
        other._mu = as_nonnegative_float("mu", mu)
        other._problems = tuple(p.with_mu(other._mu) for p in self._problems)
        return other

    def global_minimum(self) -> np.ndarray:
        """``min f`` (= ``min g``, Theorem 2(i)) of each problem, shape ``(B,)``."""
        return np.array([p.global_minimum() for p in self._problems])

    def random_weights(self, rng, scale: float = 1.0, batch: tuple[int, ...] = ()):
        """Gaussian weights of shape ``(*batch, B, d1, d0)`` and ``(*batch, B, d2, d1)``.

        Refuses an ``rng`` that is not a ``numpy.random.Generator``, a negative or non-finite
        ``scale`` and a ``batch`` that is not a tuple of integers >= 0."""
        as_generator("rng", rng)
        scale = as_nonnegative_float("scale", scale)
        lead = as_shape("batch", batch) + (self.size,)
        return (scale * rng.standard_normal(lead + (self._d1, self._d0)),
                scale * rng.standard_normal(lead + (self._d2, self._d1)))

    # evaluations --------------------------------------------------------------
    def _weights(self, W1, W2, check_only: bool = False, names=("W1", "W2")):
        conv = check_array if check_only else as_matrix
        n1, n2 = names
        W1 = conv(n1, W1, ndim=3, allow_batch=True)
        W2 = conv(n2, W2, ndim=3, allow_batch=True)
        check_shape(n1, W1, (self.size, self._d1, self._d0), "= (B, d1, d0)")
        check_shape(n2, W2, (self.size, self._d2, self._d1), "= (B, d2, d1)")
        if W1.shape[:-3] != W2.shape[:-3]:
            raise ValueError(f"{n1} and {n2} must have the same leading axes; got {W1.shape[:-3]} "
                             f"and {W2.shape[:-3]}")
        return W1, W2

    def f(self, W1, W2) -> np.ndarray:
        """f of (1) for each problem, shape ``(..., B)``."""
        return _f(self._data, *self._weights(W1, W2))

    def rho(self, W1, W2) -> np.ndarray:
        """The regularizer (3) for each problem, shape ``(..., B)``."""
        return _rho(self._data, *self._weights(W1, W2))

    def value(self, W1, W2) -> np.ndarray:
        """``g = f + mu/4 rho`` of (2) for each problem, shape ``(..., B)``."""
        W1, W2 = self._weights(W1, W2)
        out = _f(self._data, W1, W2)
        return out + 0.25 * self._mu * _rho(self._data, W1, W2) if self._mu else out

    def gradient(self, W1, W2):
        """The gradient (18)-(19) of g for each problem: arrays shaped like ``W1`` and ``W2``."""
        return _gradient(self._data, self._mu, *self._weights(W1, W2))

    def mse_objective(self, W1, W2) -> np.ndarray:
        """Paper A's ``MSE_o = ||W2 W1 X - Y||^2 / ||Y||^2`` (= ``2 f / ||Y||^2``), shape ``(..., B)``."""
        return 2.0 * self.f(W1, W2) / self._data[5]


# ------------------------------------------------------------- gradient descent
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


def _check_metrics(metrics, name: str = "metrics") -> dict:
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
    _check_problem(problem)
    step_arr = check_array("step", step, ndim=0, allow_batch=True)
    if not np.all(step_arr > 0):
        raise ValueError(f"step must be a positive finite number (or array of them); got {step}")
    n_steps = as_int("n_steps", n_steps, 0)
    record_every = as_positive_int("record_every", record_every)
    metrics = _check_metrics(metrics)
    W1, W2 = problem._weights(W1, W2)
    try:
        batch = np.broadcast_shapes(W1.shape[:-2], step_arr.shape)
    except ValueError:
        raise ValueError(f"step of shape {step_arr.shape} does not broadcast against the batch "
                         f"shape {W1.shape[:-2]} of the weights") from None
    W1 = np.array(np.broadcast_to(W1, batch + W1.shape[-2:]))
    W2 = np.array(np.broadcast_to(W2, batch + W2.shape[-2:]))
    scalar_step = step_arr.ndim == 0
    eta = float(step_arr) if scalar_step else np.broadcast_to(step_arr, batch)[..., None, None].copy()
    data, mu = _data(problem), problem.mu
    record = sorted(set(range(0, int(n_steps) + 1, int(record_every))) | {int(n_steps)})
    steps, gs, fs, rhos = [], [], [], []
    recs = {name: [] for name in metrics}
    dead = np.zeros(batch, dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(int(n_steps) + 1):
            if t == record[len(steps)]:
                f_t = _f(data, W1, W2)
                rho_t = _rho(data, W1, W2)
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
            G1, G2 = _gradient(data, mu, W1, W2)
            if dead.any():
                G1[dead] = 0.0
                G2[dead] = 0.0
            G1 *= eta
            G2 *= eta
            W1 -= G1
            W2 -= G2
    return Run(np.array(steps), np.array(gs), np.array(fs), np.array(rhos), W1, W2,
               {k: np.array(v) for k, v in recs.items()}, dead if dead.any() else None)


# ---------------------------------------------------------------------- L-BFGS
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
    without bounds) from ``(W1, W2)``, using the exact gradient.

    Refuses (``TypeError``/``ValueError`` naming the argument) a ``problem`` that is not a
    :class:`~landscape.shallow.ShallowProblem`, weights of the wrong shapes or with NaN,
    infinite or non-real entries, ``maxiter`` and ``memory`` that are not integers >= 1 and
    tolerances that are negative or not finite."""
    from scipy.optimize import minimize

    if not isinstance(problem, ShallowProblem):
        raise TypeError(f"problem must be a ShallowProblem; got {type(problem).__name__}")
    maxiter, memory = as_positive_int("maxiter", maxiter), as_positive_int("memory", memory)
    gtol, ftol = as_nonnegative_float("gtol", gtol), as_nonnegative_float("ftol", ftol)

    def fun(theta):
        W1_, W2_ = problem.unpack(theta)
        G1, G2 = problem.gradient(W1_, W2_)
        return float(problem.value(W1_, W2_)), np.concatenate([G1.ravel(), G2.ravel()])

    res = minimize(fun, problem.pack(W1, W2), jac=True, method="L-BFGS-B",
                   options={"maxiter": int(maxiter), "gtol": gtol, "ftol": ftol, "maxcor": int(memory)})
    W1f, W2f = problem.unpack(res.x)
    G1, G2 = problem.gradient(W1f, W2f)
    return LBFGSResult(W1f, W2f, float(res.fun), int(res.nit), float(np.sqrt(np.sum(G1**2) + np.sum(G2**2))))


@dataclass(frozen=True)
class LBFGSPath:
    """One L-BFGS-B run of :func:`lbfgs_path`, recorded at every iteration.

    Attributes
    ----------
    values : ndarray (n_iter + 1,)
        The objective at the start and after each iteration.
    metrics : dict of str -> ndarray (n_iter + 1,)
        The ``metrics`` callables at the same points.
    n_iter, n_fev : int
        Iterations and objective-and-gradient evaluations used.
    message : str
        SciPy's reason for stopping.
    W1, W2 : ndarray
        The final weights.
    """

    values: np.ndarray
    metrics: dict
    n_iter: int
    n_fev: int
    message: str
    W1: np.ndarray
    W2: np.ndarray


def lbfgs_path(problem: ShallowProblem, W1, W2, memory: int = 100, maxiter: int = 500,
               maxfun: int = 1000, metrics: Mapping[str, Callable] | None = None) -> LBFGSPath:
    """SciPy's L-BFGS-B (no bounds) from one start, recording every iteration.

    The objective and the ``metrics`` (``metric(W1, W2) -> float``) are recorded at the start
    and, through ``minimize``'s callback, after every iteration. The run stops at ``maxiter``
    iterations, ``maxfun`` evaluations, or when SciPy's line search can make no further
    progress (its tolerances ``gtol`` and ``ftol`` are set to 0). ``memory`` is ``maxcor``.

    Refuses a ``problem`` that is not a :class:`~landscape.shallow.ShallowProblem`, weights of
    the wrong shapes or with NaN, infinite or non-real entries, counts that are not integers
    >= 1 and ``metrics`` that are not a dict of callables.
    """
    from scipy.optimize import minimize

    if not isinstance(problem, ShallowProblem):
        raise TypeError(f"problem must be a ShallowProblem; got {type(problem).__name__}")
    memory, maxiter, maxfun = (as_positive_int(n, v) for n, v in
                               (("memory", memory), ("maxiter", maxiter), ("maxfun", maxfun)))
    metrics = _check_metrics(metrics)
    data, mu = _data(problem), problem.mu
    W1, W2 = problem._weights(W1, W2, batch=False)

    def fun(theta):
        A1, A2 = problem.unpack(theta)
        G1, G2 = _gradient(data, mu, A1, A2)
        value = _f(data, A1, A2) + (0.25 * mu * _rho(data, A1, A2) if mu else 0.0)
        return float(value), np.concatenate([G1.ravel(), G2.ravel()])

    values, recs = [], {k: [] for k in metrics}

    def record(theta):
        A1, A2 = problem.unpack(theta)
        values.append(fun(theta)[0])
        for k, fn in metrics.items():
            recs[k].append(float(fn(A1, A2)))

    x0 = problem.pack(W1, W2)
    record(x0)
    res = minimize(fun, x0, jac=True, method="L-BFGS-B", callback=lambda xk: record(xk),
                   options={"maxiter": maxiter, "maxfun": maxfun, "maxcor": memory,
                            "gtol": 0.0, "ftol": 0.0})
    W1f, W2f = problem.unpack(res.x)
    return LBFGSPath(np.array(values), {k: np.array(v) for k, v in recs.items()},
                     int(res.nit), int(res.nfev), str(res.message), W1f, W2f)


@dataclass(frozen=True)
class LBFGSRun:
    """The record of :func:`batched_lbfgs`, one column per run.

    Attributes
    ----------
    iterations : ndarray
        ``0, 1, ..., max`` iterations, shape ``(n_records,)``; a run that stopped earlier
        keeps its last values.
    g, f, rho : ndarray
        The objective, the data term f and the regularizer along the runs, shape
        ``(n_records, *batch)``.
    metrics : dict
        Name to values along the runs, each ``(n_records, *batch)``.
    n_iter, n_fev : ndarray
        Integers, shape ``(*batch)``: iterations done and objective-and-gradient
        evaluations used by each run.
    stop : ndarray
        Strings, shape ``(*batch)``: why each run stopped: ``"max_iter"``, ``"max_fev"``,
        ``"progress"`` (an iteration decreased the objective by at most ``prog_tol`` times
        its start value) or ``"no_progress"`` (the line search found no decrease floating
        point can resolve).
    W1, W2 : ndarray
        The final weights.
    """

    iterations: np.ndarray
    g: np.ndarray
    f: np.ndarray
    rho: np.ndarray
    metrics: dict
    n_iter: np.ndarray
    n_fev: np.ndarray
    stop: np.ndarray
    W1: np.ndarray
    W2: np.ndarray


def _cubic_min(t1, f1, g1, t2, f2, g2, lo, hi):
    """Minimizer of the cubic through ``(t, f, f')`` at two points, clipped to ``[lo, hi]``;
    the midpoint of ``[lo, hi]`` where the cubic has no real minimizer (minFunc's polyinterp)."""
    first = t1 <= t2  # (ta, fa, ga) is the point with the smaller t, as in minFunc
    ta, fa, ga = np.where(first, t1, t2), np.where(first, f1, f2), np.where(first, g1, g2)
    tb, fb, gb = np.where(first, t2, t1), np.where(first, f2, f1), np.where(first, g2, g1)
    with np.errstate(all="ignore"):
        d1 = ga + gb - 3.0 * (fa - fb) / (ta - tb)
        disc = d1 * d1 - ga * gb
        d2 = np.sqrt(np.where(disc >= 0, disc, 0.0))
        t = tb - (tb - ta) * ((gb + d2 - d1) / (gb - ga + 2.0 * d2))
    ok = (disc >= 0) & np.isfinite(t)
    return np.where(ok, np.clip(t, lo, hi), 0.5 * (lo + hi))


def batched_lbfgs(problem, W1, W2, memory: int = 100, max_iter: int = 500, max_fev: int = 1000,
                  c1: float = 1e-4, c2: float = 0.9, max_ls: int = 25, prog_tol: float = 0.0,
                  metrics: Mapping[str, Callable] | None = None) -> LBFGSRun:
    """L-BFGS from every start at once, modelled on minFunc's defaults (paper A's tool).

    Per run, as in minFunc's ``lbfgs`` method: the first direction is ``-grad`` with trial
    step ``min(1, 1/||grad||_1)``; later directions are ``-H grad`` with ``H`` the L-BFGS
    inverse-Hessian approximation from the last ``memory`` pairs ``(s, y)`` (a pair with
    ``y^T s <= 1e-10`` is skipped) and initial scaling ``y^T s / y^T y``, with trial step 1.
    The step satisfies the strong Wolfe conditions (``c1``, ``c2``), found by bracketing with
    cubic extrapolation and zooming with cubic interpolation (minFunc's ``WolfeLineSearch``,
    at most ``max_ls`` evaluations). minFunc's stopping tolerances ``optTol`` (on the gradient)
    and ``progTol`` (on the decrease of the objective, 1e-9) are absolute, so they depend on
    the scale of the data; here a run stops at ``max_iter`` iterations, at ``max_fev``
    evaluations, when an iteration decreases the objective by at most ``prog_tol`` times its
    value at the start (``"progress"``; a relative ``progTol``, off by default), or when its
    line search finds no decrease that floating point can resolve (``"no_progress"``).

    All runs advance together, one batched evaluation per line-search round (see
    :func:`minimize_lbfgs`, which this applies to the objective of ``problem``).

    Parameters
    ----------
    problem : ShallowProblem or ProblemStack
    W1, W2 : array_like
        Starts with leading batch axes (as for :func:`gradient_descent`).
    memory, max_iter, max_fev, max_ls : int
    c1, c2 : float
        Sufficient-decrease and curvature constants, ``0 < c1 < c2 < 1``.
    prog_tol : float
        Relative progress tolerance (see above); 0 disables it.
    metrics : dict of str -> callable, optional
        Recorded after every iteration, like the objective.

    Raises
    ------
    TypeError
        ``problem`` of another type, non-real weights, non-integer counts, non-real ``c1``,
        ``c2`` or ``prog_tol``, ``metrics`` that are not a dict of callables.
    ValueError
        Weights of the wrong shapes or with NaN or infinite entries, counts below 1,
        ``prog_tol < 0``, constants outside ``0 < c1 < c2 < 1``.
    """
    _check_problem(problem)
    metrics = _check_metrics(metrics)
    W1, W2 = problem._weights(W1, W2)
    batch = W1.shape[:-2]
    d1, d0 = W1.shape[-2:]
    d2 = W2.shape[-2]
    n1, n = d1 * d0, d1 * d0 + d2 * d1
    data, mu = _data(problem), problem.mu
    x0 = np.concatenate([W1.reshape(*batch, n1), W2.reshape(*batch, n - n1)], axis=-1)

    def split(v):
        return v[..., :n1].reshape(*batch, d1, d0), v[..., n1:].reshape(*batch, d2, d1)

    def fun(v):
        A1, A2 = split(v)
        f_v = _f(data, A1, A2)
        if mu:
            G1, G2, r_v = _gradient(data, mu, A1, A2, with_rho=True)
        else:
            G1, G2 = _gradient(data, mu, A1, A2)
            r_v = np.zeros_like(f_v)
        grad = np.concatenate([G1.reshape(*batch, n1), G2.reshape(*batch, n - n1)], axis=-1)
        return f_v + 0.25 * mu * r_v, grad, np.stack([f_v, r_v], axis=-1)

    record = {k: (lambda v, fn=fn: fn(*split(v))) for k, fn in metrics.items()}
    res = minimize_lbfgs(fun, x0, memory=memory, max_iter=max_iter, max_fev=max_fev, c1=c1,
                         c2=c2, max_ls=max_ls, prog_tol=prog_tol, record=record)
    W1f, W2f = split(res.x)
    return LBFGSRun(res.iterations, res.values, res.extras[..., 0], res.extras[..., 1],
                    res.records, res.n_iter, res.n_fev, res.stop, W1f.copy(), W2f.copy())


@dataclass(frozen=True)
class Minimization:
    """Outcome of :func:`minimize_lbfgs` (arrays over the batch of runs).

    ``values`` and ``extras`` (``(n_records, *batch)`` and ``(n_records, *batch, k)``) and
    ``records`` are recorded at the start and after every iteration; ``x`` is the final point.
    """

    iterations: np.ndarray
    values: np.ndarray
    extras: np.ndarray
    records: dict
    n_iter: np.ndarray
    n_fev: np.ndarray
    stop: np.ndarray
    x: np.ndarray


def minimize_lbfgs(fun: Callable, x0, memory: int = 100, max_iter: int = 500, max_fev: int = 1000,
                   c1: float = 1e-4, c2: float = 0.9, max_ls: int = 25, prog_tol: float = 0.0,
                   record: Mapping[str, Callable] | None = None) -> Minimization:
    """The batched L-BFGS method of :func:`batched_lbfgs` for any smooth function.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (value, gradient, extras)`` for ``x`` of shape ``(*batch, n)``: values of
        shape ``batch``, gradients shaped like ``x`` and ``extras`` of shape ``(*batch, k)``
        (any quantities to carry along with the value, e.g. the parts of an objective).
    x0 : array_like (*batch, n)
        The starts, one run per batch entry.
    record : dict of str -> callable, optional
        ``record[name](x)`` (an array of the batch shape) is recorded after every iteration.

    Other parameters are those of :func:`batched_lbfgs`.

    Raises
    ------
    TypeError
        ``fun`` or ``record`` not callable; non-real ``x0``, ``c1``, ``c2``, ``prog_tol``;
        non-integer counts.
    ValueError
        ``x0`` empty or with NaN or infinite entries, counts below 1, ``prog_tol < 0``,
        constants outside ``0 < c1 < c2 < 1``.

    Notes
    -----
    ``H grad`` is computed in the compact form of Byrd, Nocedal and Schnabel (1994),
    ``H = gamma I + [S, gamma Y] M [S, gamma Y]^T``, with the inverse of the triangular factor
    ``R`` updated in place as pairs enter and leave: two passes over the memory per iteration
    instead of the two-loop recursion's ``2 memory`` sequential steps (the same direction in
    exact arithmetic; the tests compare them).
    """
    prog_tol = as_nonnegative_float("prog_tol", prog_tol)
    memory, max_iter, max_fev, max_ls = (as_positive_int(n, v) for n, v in (
        ("memory", memory), ("max_iter", max_iter), ("max_fev", max_fev), ("max_ls", max_ls)))
    c1, c2 = as_real("c1", c1), as_real("c2", c2)
    if not (0.0 < c1 < c2 < 1.0):
        raise ValueError(f"need 0 < c1 < c2 < 1 (Wolfe conditions); got c1 = {c1}, c2 = {c2}")
    if not callable(fun):
        raise TypeError(f"fun must be callable; got {type(fun).__name__}")
    record = _check_metrics(record, "record")
    x = as_matrix("x0", x0, ndim=1, allow_batch=True).copy()
    batch, n = x.shape[:-1], x.shape[-1]

    def evaluate(v):
        with np.errstate(over="ignore", invalid="ignore"):
            val_, grad_, extra_ = fun(v)
        return np.asarray(val_, dtype=float), np.asarray(grad_, dtype=float), \
            np.asarray(extra_, dtype=float)

    dot = lambda a, b: np.einsum("...i,...i->...", a, b)
    val, grad, ext = evaluate(x)
    floor = prog_tol * np.abs(val)
    n_fev = np.ones(batch, dtype=int)
    n_iter = np.zeros(batch, dtype=int)
    active = np.ones(batch, dtype=bool)
    stop = np.full(batch, "max_iter", dtype=object)
    mem = _CompactMemory(batch, memory, n)
    rec_v, rec_e = [val.copy()], [ext.copy()]
    recs = {k: [np.asarray(fn(x), dtype=float)] for k, fn in record.items()}
    d = -grad
    for it in range(1, max_iter + 1):
        if not active.any():
            break
        if it == 1:
            with np.errstate(divide="ignore"):
                t0 = np.minimum(1.0, 1.0 / np.sum(np.abs(grad), axis=-1))
        else:
            t0 = np.ones(batch)
        gtd = dot(grad, d)
        stuck = active & ~(gtd < 0)
        stop[stuck] = "no_progress"
        active &= ~stuck
        t_new, val_new, grad_new, ext_new, fev = _wolfe(
            evaluate, x, d, (val, grad, ext), gtd, t0, active, c1, c2, max_ls, dot)
        n_fev += np.where(active, fev, 0)
        decreased = active & (val_new < val)
        stop[active & ~decreased] = "no_progress"
        s = t_new[..., None] * d
        y = grad_new - grad
        m = decreased[..., None]
        val_old = val
        x = np.where(m, x + s, x)
        grad = np.where(m, grad_new, grad)
        d = -mem.update_and_apply(grad, s, y, decreased)  # the next direction
        val = np.where(decreased, val_new, val)
        ext = np.where(m, ext_new, ext)
        n_iter += decreased
        slow = decreased & (val_old - val <= floor)
        stop[slow] = "progress"
        active = decreased & ~slow
        over = active & (n_fev >= max_fev)
        stop[over] = "max_fev"
        active &= ~over
        rec_v.append(val.copy())
        rec_e.append(ext.copy())
        for k, fn in record.items():
            recs[k].append(np.asarray(fn(x), dtype=float))
    return Minimization(np.arange(len(rec_v)), np.array(rec_v), np.array(rec_e),
                        {k: np.array(v) for k, v in recs.items()}, n_iter, n_fev,
                        stop.astype(str), x)


class _CompactMemory:
    """The L-BFGS memory of many runs, with ``H g`` in compact form (Byrd, Nocedal and
    Schnabel 1994, Theorem 2.2):

    ``H g = gamma g + S v - gamma Y u``, ``u = R^{-1} S^T g``,
    ``v = R^{-T} ((D + gamma Y^T Y) u - gamma Y^T g)``,

    with ``R`` the upper triangle of ``S^T Y`` in chronological order and ``D`` its diagonal.
    Each run keeps its pairs in a ring of ``memory`` slots (``S`` and ``Y`` side by side in one
    array ``Z``); ``R^{-1}`` and ``Y^T Y`` are kept in the same slot order. Dropping the oldest
    pair removes its row and column of ``R^{-1}`` (the inverse of a trailing block of a
    triangular matrix is the trailing block of the inverse); adding a pair appends the column
    ``-R^{-1} c / (s^T y)`` with ``c = S^T y``. Empty slots hold zeros and contribute nothing.
    An update and the next product read the memory twice in all (it is the costly part: the
    memory of 20 runs of a few hundred parameters is several megabytes).
    """

    def __init__(self, batch, memory, n):
        self.shape = tuple(batch)
        B = int(np.prod(self.shape, dtype=int))
        self.B, self.m = B, memory
        self.Z = np.zeros((B, 2 * memory, n))  # rows: s_1..s_m, then y_1..y_m
        self.Rinv = np.zeros((B, memory, memory))
        self.YY = np.zeros((B, memory, memory))
        self.D = np.zeros((B, memory))
        self.ptr = np.zeros(B, dtype=int)
        self.gamma = np.ones(B)

    def update_and_apply(self, g, s, y, mask):
        """Store the pair ``(s, y)`` of the runs in ``mask`` whose ``y^T s > 1e-10`` (minFunc's
        rule; the others keep their memory), then return ``H g`` for every run."""
        m, B = self.m, self.B
        g, s, y = (a.reshape(B, -1) for a in (g, s, y))
        # one pass over the memory: S^T g, Y^T g, S^T y, Y^T y. (A loop of BLAS products, one
        # per run: NumPy's stacked matmul is several times slower for these shapes.)
        gy = np.stack([g, y], axis=-1)
        P = np.empty((B, 2 * m, 2))
        for i in range(B):
            np.matmul(self.Z[i], gy[i], out=P[i])
        p, q, c, yy = P[:, :m, 0], P[:, m:, 0], P[:, :m, 1].copy(), P[:, m:, 1].copy()
        ys = np.einsum("bi,bi->b", s, y)
        b = np.flatnonzero(np.asarray(mask).reshape(-1) & (ys > 1e-10))
        if b.size:
            j, k = self.ptr[b], np.arange(b.size)
            sb, yb, ysb = s[b], y[b], ys[b]
            y2 = np.einsum("bi,bi->b", yb, yb)
            # drop the pair in slot j (the oldest once the ring is full) ...
            self.Rinv[b, j, :] = 0.0
            self.Rinv[b, :, j] = 0.0
            cb = c[b]
            cb[k, j] = 0.0
            # ... and append the new one
            Rb = self.Rinv if b.size == B else self.Rinv[b]
            col = -(Rb @ cb[..., None])[..., 0] / ysb[:, None]
            col[k, j] = 1.0 / ysb
            self.Rinv[b, :, j] = col
            yyb = yy[b]
            yyb[k, j] = y2
            self.YY[b, j, :] = yyb
            self.YY[b, :, j] = yyb
            self.D[b, j] = ysb
            self.Z[b, j] = sb
            self.Z[b, m + j] = yb
            self.gamma[b] = ysb / y2
            self.ptr[b] = (j + 1) % m
            p = p.copy()
            q = q.copy()
            p[b, j] = np.einsum("bi,bi->b", sb, g[b])
            q[b, j] = np.einsum("bi,bi->b", yb, g[b])
        gam = self.gamma[:, None]
        u = (self.Rinv @ p[..., None])[..., 0]
        w = self.D * u + gam * ((self.YY @ u[..., None])[..., 0] - q)
        v = (np.swapaxes(self.Rinv, 1, 2) @ w[..., None])[..., 0]
        coef = np.concatenate([v, -gam * u], axis=-1)
        Hg = gam * g
        for i in range(B):  # the second pass
            Hg[i] += coef[i] @ self.Z[i]
        return Hg.reshape(self.shape + (-1,))


def _two_loop(grad, S, Yp, rho_m, order, h_diag, dot):
    """``-H grad`` by the L-BFGS two-loop recursion over the memory slots in ``order``."""
    q = -grad
    alpha = {}
    for i in reversed(order):
        a = rho_m[i] * dot(S[i], q)
        alpha[i] = a
        q = q - a[..., None] * Yp[i]
    r = h_diag[..., None] * q
    for i in order:
        b = rho_m[i] * dot(Yp[i], r)
        r = r + (alpha[i] - b)[..., None] * S[i]
    return r


def _wolfe(evaluate, x, d, start, gtd0, t, active, c1, c2, max_ls, dot):
    """minFunc's strong-Wolfe line search (``WolfeLineSearch`` with cubic interpolation), run
    for all active runs at once: one batched evaluation per round. Returns the accepted step,
    value, gradient and extras, and the number of evaluations of each run."""
    f0, g0, e0 = start
    shape = f0.shape
    t = t.copy()
    # phase: 0 bracketing, 1 zooming, 3 finish on the bracket's lowest point, 2 finished
    phase = np.where(active, 0, 2)
    ls_iter = np.zeros(shape, dtype=int)
    fev = np.zeros(shape, dtype=int)
    t_prev = np.zeros(shape)
    f_prev, gtd_prev, g_prev, e_prev = f0.copy(), gtd0.copy(), g0.copy(), e0.copy()
    nrm_d = np.max(np.abs(d), axis=-1)
    # the bracket: two points (t, value, directional derivative, gradient, extras)
    bt = np.zeros(shape + (2,))
    bf = np.zeros(shape + (2,))
    bd = np.zeros(shape + (2,))
    bg = np.zeros(shape + (2,) + g0.shape[-1:])
    be = np.zeros(shape + (2,) + e0.shape[-1:])
    insuf = np.zeros(shape, dtype=bool)
    t_out, f_out, g_out, e_out = np.zeros(shape), f0.copy(), g0.copy(), e0.copy()

    def take(arr, pos):  # arr[..., pos, ...] along the bracket axis (right after the batch axes)
        idx = pos.reshape(pos.shape + (1,) * (arr.ndim - pos.ndim))
        return np.take_along_axis(arr, idx, axis=pos.ndim).squeeze(pos.ndim)

    def put(arr, sel, pos, value):
        arr[sel, pos[sel]] = value[sel]

    while np.any(phase < 2):
        zoom = phase == 1
        if zoom.any():  # trial point of the zooming runs: cubic interpolation, safeguarded
            bmin, bmax = bt.min(-1), bt.max(-1)
            tz = _cubic_min(bt[..., 0], bf[..., 0], bd[..., 0], bt[..., 1], bf[..., 1], bd[..., 1],
                            bmin, bmax)
            width = bmax - bmin
            with np.errstate(invalid="ignore", divide="ignore"):
                close = np.minimum(bmax - tz, tz - bmin) / width < 0.1
            move = close & (insuf | (tz >= bmax) | (tz <= bmin))
            near_max = np.abs(tz - bmax) < np.abs(tz - bmin)
            tz = np.where(move, np.where(near_max, bmax - 0.1 * width, bmin + 0.1 * width), tz)
            insuf = np.where(zoom, close & ~move, insuf)
            t = np.where(zoom, tz, t)
        live = phase < 2
        f_new, g_new, e_new = evaluate(x + t[..., None] * d)
        f_new = np.where(np.isfinite(f_new), f_new, np.inf)  # NaN would break argmin
        fev += live
        gtd_new = dot(g_new, d)
        legal = np.isfinite(f_new) & np.all(np.isfinite(g_new), axis=-1)
        # ---- bracketing phase
        br = live & (phase == 0)
        if br.any():
            ill = br & ~legal
            armijo_fail = (f_new > f0 + c1 * t * gtd0) | ((ls_iter > 1) & (f_new >= f_prev))
            wolfe = np.abs(gtd_new) <= -c2 * gtd0
            to_zoom = br & legal & (armijo_fail | (~wolfe & (gtd_new >= 0)))
            done = br & legal & ~armijo_fail & wolfe
            extend = br & legal & ~to_zoom & ~done
            z = to_zoom  # bracket [t_prev, t]
            bt[z] = np.stack([t_prev[z], t[z]], -1)
            bf[z] = np.stack([f_prev[z], f_new[z]], -1)
            bd[z] = np.stack([gtd_prev[z], gtd_new[z]], -1)
            bg[z] = np.stack([g_prev[z], g_new[z]], -2)
            be[z] = np.stack([e_prev[z], e_new[z]], -2)
            phase = np.where(z, 1, phase)
            t_out = np.where(done, t, t_out)
            f_out = np.where(done, f_new, f_out)
            g_out = np.where(done[..., None], g_new, g_out)
            e_out = np.where(done[..., None], e_new, e_out)
            phase = np.where(done, 2, phase)
            # extrapolate (cubic, within [t + 0.01 (t - t_prev), 10 t])
            t_ext = _cubic_min(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                               t + 0.01 * (t - t_prev), 10.0 * t)
            e = extend
            t_prev = np.where(e, t, t_prev)
            f_prev = np.where(e, f_new, f_prev)
            gtd_prev = np.where(e, gtd_new, gtd_prev)
            g_prev = np.where(e[..., None], g_new, g_prev)
            e_prev = np.where(e[..., None], e_new, e_prev)
            t = np.where(e, t_ext, t)
            # a non-finite value: step back halfway (minFunc switches to backtracking here)
            t = np.where(ill, 0.5 * (t + t_prev), t)
            ls_iter = np.where(br & ~done & ~to_zoom, ls_iter + 1, ls_iter)
            # out of evaluations while bracketing: bracket [0, t_prev], finish on its best point
            spent = br & (phase == 0) & (ls_iter >= max_ls)
            if spent.any():
                s_ = spent
                bt[s_] = np.stack([np.zeros(shape)[s_], t_prev[s_]], -1)
                bf[s_] = np.stack([f0[s_], f_prev[s_]], -1)
                bd[s_] = np.stack([gtd0[s_], gtd_prev[s_]], -1)
                bg[s_] = np.stack([g0[s_], g_prev[s_]], -2)
                be[s_] = np.stack([e0[s_], e_prev[s_]], -2)
                phase = np.where(s_, 3, phase)
        # ---- zoom phase
        zm = live & zoom
        if zm.any():
            ls_iter = np.where(zm, ls_iter + 1, ls_iter)
            lo = np.argmin(bf, axis=-1)
            hi = 1 - lo
            armijo = f_new < f0 + c1 * t * gtd0
            new_hi = zm & (~armijo | (f_new >= take(bf, lo)) | ~legal)
            new_lo = zm & ~new_hi
            wolfe = new_lo & (np.abs(gtd_new) <= -c2 * gtd0)
            flip = new_lo & ~wolfe & (gtd_new * (take(bt, hi) - take(bt, lo)) >= 0)
            for arr in (bt, bf, bd, bg, be):  # the old LO becomes HI
                put(arr, flip, hi, take(arr, lo))
            pos = np.where(new_hi, hi, lo)
            sel = new_hi | new_lo
            for arr, v in ((bt, t), (bf, f_new), (bd, gtd_new), (bg, g_new), (be, e_new)):
                put(arr, sel, pos, v)
            narrow = np.abs(bt[..., 0] - bt[..., 1]) * nrm_d < 1e-9  # minFunc's progTol here
            finish = wolfe | (zm & (narrow | (ls_iter >= max_ls)))
            phase = np.where(finish, 3, phase)
        # ---- finish on the bracket's lowest point
        fin = phase == 3
        if fin.any():
            lo = np.argmin(bf, axis=-1)
            t_out = np.where(fin, take(bt, lo), t_out)
            f_out = np.where(fin, take(bf, lo), f_out)
            g_out = np.where(fin[..., None], take(bg, lo), g_out)
            e_out = np.where(fin[..., None], take(be, lo), e_out)
            phase = np.where(fin, 2, phase)
    return t_out, f_out, g_out, e_out, fev



# ----------------------------------------------------------------- step sizes
def largest_eigenvalue(problem: ShallowProblem, W1, W2) -> float:
    """Largest Hessian eigenvalue at ``(W1, W2)`` (Lanczos, matrix-free; dense for tiny n).

    Lanczos is :func:`landscape.spectrum.extreme_eigenvalue` (plain run first, then the run
    shifted by the spectral radius; the answer's residual is checked; the dense answer, with
    a ``RuntimeWarning``, when the check fails).

    Refuses a ``problem`` that is not a :class:`~landscape.shallow.ShallowProblem` and
    weights (one point, no batch) of the wrong shapes or with NaN, infinite or non-real
    entries."""
    if not isinstance(problem, ShallowProblem):
        raise TypeError(f"problem must be a ShallowProblem; got {type(problem).__name__}")
    problem._weights(W1, W2, batch=False, check_only=True)
    n = problem.n_params
    if n < 16:
        return float(np.linalg.eigvalsh(problem.hessian(W1, W2))[-1])
    from .spectrum import extreme_eigenvalue

    return extreme_eigenvalue(hessian_operator(problem, W1, W2), "LA", tol=1e-8, seed=0,
                              dense=lambda: problem.hessian(W1, W2), min_n=16, unshifted_first=True)


def step_from_curvature(problem: ShallowProblem, fraction: float = 0.5) -> float:
    """A constant step size: ``fraction / L``, with ``L`` the largest Hessian eigenvalue at
    the balanced global minimizer (the curvature where a converging run ends).

    The same rule applied to f (``mu = 0``) and to g gives each its own step. Refuses a
    ``problem`` that is not a :class:`~landscape.shallow.ShallowProblem` and a ``fraction``
    that is not a positive finite number.
    """
    if not isinstance(problem, ShallowProblem):
        raise TypeError(f"problem must be a ShallowProblem; got {type(problem).__name__}")
    fraction = as_positive_float("fraction", fraction)
    return fraction / largest_eigenvalue(problem, *problem.balanced_minimizer())
