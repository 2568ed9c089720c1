"""L-BFGS: the one SciPy wrapper :func:`lbfgs` for every model (through its packed
objective, :func:`~landscape.optim.curvature.packed`, or any ``fun(theta) -> (value,
gradient)``), and the batched minFunc-style method of paper A's setup on
:class:`~landscape.models.shallow.ShallowProblem` (:func:`batched_lbfgs`, :func:`minimize_lbfgs`).

All starts advance together: the weights carry a leading batch axis, so a step is a few
batched matrix products (``numpy.matmul`` over the batch) and never touches an array with
``N`` columns (the problem's ``X X^T`` and ``Y X^T`` are computed once).

A :class:`~landscape.models.shallow.ProblemStack` goes one step further: it stacks the invariants of several problems
of the same shape (one random instance per seed), so that one batched product advances every
seed on its own data. :func:`~landscape.optim.descent.gradient_descent` accepts either, and records any metrics along
the way; :func:`batched_lbfgs` is an L-BFGS method modelled on minFunc (the package paper A
used), batched the same way; :func:`lbfgs` is SciPy's L-BFGS-B on one start, recording the
objective (and any ``record`` callables) at every iteration through its callback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from .._checks import as_matrix, as_nonnegative_float, as_positive_int, as_real, as_seeds, check_array
from ..models.deep import check_network
from ..models.shallow import check_problem_or_stack, f_kernel, gradient_kernel, invariants
from ..optim.descent import check_metrics

__all__ = ['LBFGSResult', 'LBFGSRun', 'Minimization', 'batched_lbfgs', 'lbfgs', 'lbfgs_from_seeds', 'minimize_lbfgs', 'packed_loss']


@dataclass(frozen=True)
class LBFGSResult:
    """Outcome of :func:`lbfgs`.

    Attributes
    ----------
    x : ndarray
        The final parameter vector.
    weights : object
        The final weights in the model's own form (``(W1, W2)``, a list of matrices, a
        vector); ``x`` itself when :func:`lbfgs` was given a function. ``Ms`` is the same
        (the name the deep networks use).
    value : float
        The objective at ``x``.
    n_iter : int
        Iterations (up to the one that reached ``target``, when it was reached).
    n_fev : int
        Objective-and-gradient evaluations.
    grad_norm : float
        ``||gradient||`` at ``x``.
    reached : bool or None
        Whether the value reached ``target`` (``None`` without a target).
    message : str
        SciPy's reason for stopping.
    values : ndarray (n_iter + 1,)
        The objective at the start and after each iteration.
    records : dict of str -> ndarray (n_iter + 1,)
        The ``record`` callables at the same points.
    """

    x: np.ndarray
    weights: object
    value: float
    n_iter: int
    n_fev: int
    grad_norm: float
    reached: bool | None
    message: str
    values: np.ndarray
    records: dict

    @property
    def Ms(self):
        """The final weights of a network (the same as ``weights``)."""
        return self.weights


def lbfgs(objective, start, maxiter: int = 10000, gtol: float = 1e-10, ftol: float = 1e-15,
          memory: int = 10, maxfun: int | None = None, target: float | None = None,
          record: Mapping[str, Callable] | None = None) -> LBFGSResult:
    """Minimize a smooth objective with SciPy's L-BFGS-B (no bounds, exact gradients): the one
    L-BFGS wrapper of the library (the batched minFunc-style method paper A used is
    :func:`batched_lbfgs`).

    Parameters
    ----------
    objective : model or callable
        A model (anything :func:`~landscape.optim.curvature.packed` accepts: a
        :class:`~landscape.models.shallow.ShallowProblem`, a deep or multi-tower network, a
        :class:`~landscape.models.tanh.TanhNetwork`), or a packed objective
        ``fun(theta) -> (value, gradient)`` of a parameter vector.
    start : weights or array_like
        The model's weights (``(W1, W2)``, a list of matrices, a vector), or the start vector
        of a packed objective.
    maxiter, memory : int
        Iterations and stored pairs (SciPy's ``maxcor``).
    gtol, ftol : float
        SciPy's stopping rules: largest gradient entry ``<= gtol``, or relative decrease of the
        value below ``ftol`` (0 and 0: run until ``maxiter``, ``maxfun`` or until the line
        search makes no progress).
    maxfun : int, optional
        Evaluations allowed (SciPy's default when ``None``).
    target : float, optional
        Stop at the first iteration whose value is ``<= target``.
    record : dict of str -> callable, optional
        ``record[name](x)`` (a float, ``x`` the parameter vector) at the start and after every
        iteration, like the value.

    >>> import numpy as np
    >>> from landscape import ShallowProblem
    >>> p = ShallowProblem(np.eye(2), np.diag([2.0, 1.0]), 1)
    >>> res = lbfgs(p, p.random_weights(np.random.default_rng(0)))
    >>> round(res.value, 9), res.grad_norm < 1e-9, bool(res.values[-1] == res.value)
    (0.5, True, True)
    >>> lbfgs(lambda x: (float(x @ x), 2 * x), np.ones(3)).value < 1e-20
    True

    Raises
    ------
    TypeError
        An ``objective`` that is neither a model nor callable; weights the model refuses;
        non-integer counts; non-real tolerances or ``target``; ``record`` not a dict of
        callables.
    ValueError
        A start vector that is not a non-empty finite 1-D array; counts below 1; tolerances
        negative or not finite; a ``target`` that is NaN or infinite.
    """
    from scipy.optimize import minimize

    from .curvature import packed

    maxiter, memory = as_positive_int("maxiter", maxiter), as_positive_int("memory", memory)
    gtol, ftol = as_nonnegative_float("gtol", gtol), as_nonnegative_float("ftol", ftol)
    maxfun = None if maxfun is None else as_positive_int("maxfun", maxfun)
    target = None if target is None else as_real("target", target)
    record = check_metrics(record, "record")
    if callable(objective) and not hasattr(objective, "n_params"):
        fun, unpack = objective, None
        x0 = np.array(check_array("start", start, ndim=1), dtype=float)
    else:
        try:
            model = packed(objective)
        except TypeError:
            raise TypeError(f"objective must be a model or a callable fun(theta) -> (value, gradient); "
                            f"got {type(objective).__name__}") from None
        fun, unpack = model.value_and_gradient, model.unpack
        x0 = model.pack(start)

    values, recs, hit = [], {k: [] for k in record}, {"count": 0, "n": None}

    def keep(x, value):
        values.append(float(value))
        for k, fn in record.items():
            recs[k].append(float(fn(x)))

    def first(theta):  # the first evaluation is at the start: record it there
        out = fun(theta)
        if not values:
            keep(np.array(theta, dtype=float), out[0])
        return out

    def callback(intermediate_result):
        hit["count"] += 1
        keep(intermediate_result.x, intermediate_result.fun)
        if target is not None and intermediate_result.fun <= target:
            hit["n"] = hit["count"]
            raise StopIteration

    options = {"maxiter": int(maxiter), "gtol": gtol, "ftol": ftol, "maxcor": int(memory)}
    if maxfun is not None:
        options["maxfun"] = int(maxfun)
    res = minimize(first, x0, jac=True, method="L-BFGS-B", callback=callback, options=options)
    value, grad = fun(res.x)
    n_iter = hit["n"] if hit["n"] is not None else int(res.nit)
    reached = None if target is None else bool(value <= target)
    weights = res.x if unpack is None else unpack(res.x)
    return LBFGSResult(res.x, weights, float(value), int(n_iter), int(res.nfev),
                       float(np.linalg.norm(grad)), reached, str(res.message), np.array(values),
                       {k: np.array(v) for k, v in recs.items()})


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
        Starts with leading batch axes (as for :func:`~landscape.optim.descent.gradient_descent`).
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
    check_problem_or_stack(problem)
    metrics = check_metrics(metrics)
    W1, W2 = problem.as_weights(W1, W2)
    batch = W1.shape[:-2]
    d1, d0 = W1.shape[-2:]
    d2 = W2.shape[-2]
    n1, n = d1 * d0, d1 * d0 + d2 * d1
    data, mu = invariants(problem), problem.mu
    x0 = np.concatenate([W1.reshape(*batch, n1), W2.reshape(*batch, n - n1)], axis=-1)

    def split(v):
        return v[..., :n1].reshape(*batch, d1, d0), v[..., n1:].reshape(*batch, d2, d1)

    def fun(v):
        A1, A2 = split(v)
        f_v = f_kernel(data, A1, A2)
        if mu:
            G1, G2, r_v = gradient_kernel(data, mu, A1, A2, with_rho=True)
        else:
            G1, G2 = gradient_kernel(data, mu, A1, A2)
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
    record = check_metrics(record, "record")
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


def lbfgs_from_seeds(net, seeds, scale: float = 1.0, **kw) -> list[LBFGSResult]:
    """:func:`lbfgs` from ``net.random_weights(default_rng(seed), scale)`` for each seed.

    Keyword arguments (``gtol``, ``maxiter``, ``target``, ...) are passed to :func:`lbfgs`.
    Returns the results in the order of ``seeds``. Refuses a ``net`` of another type, an
    empty list of seeds or seeds that are not integers >= 0, a negative or non-finite
    ``scale``, and the bad arguments of :func:`lbfgs` (checked before the first run).
    """
    check_network(net)
    seeds = as_seeds("seeds", seeds)
    scale = as_nonnegative_float("scale", scale)
    if "maxiter" in kw:
        as_positive_int("maxiter", kw["maxiter"])
    for name in ("gtol", "ftol"):
        if name in kw:
            as_nonnegative_float(name, kw[name])
    return [lbfgs(net, net.random_weights(np.random.default_rng(int(s)), scale=scale), **kw)
            for s in seeds]


def packed_loss(net):
    """The loss of ``net`` as a function of packed parameter vectors.

    Returns ``fun`` with ``fun(thetas)`` the array of ``net.value(net.unpack(theta))`` over the
    rows of ``thetas`` (shape ``(n_samples, n_params)``; a single vector gives one value), the
    form :func:`~landscape.optim.curvature.perturbation_test` expects. The rows are evaluated one at a time, so losses
    without batch support (e.g. a :class:`~landscape.models.losses.Custom` loss) work too.
    Refuses a ``net`` of another type; ``fun`` refuses ``thetas`` that are not finite real
    arrays with ``n_params`` entries in their last axis (the argument is named ``theta`` in
    its messages).
    """
    check_network(net)

    def fun(thetas):
        check_array("theta", thetas, ndim=1, allow_batch=True)
        thetas = np.asarray(thetas, dtype=float)
        if thetas.shape[-1] != net.n_params:
            raise ValueError(f"theta must have n_params = {net.n_params} entries in its last axis; "
                             f"got shape {thetas.shape}")
        rows = thetas.reshape(-1, thetas.shape[-1])
        return np.array([float(net.value(net.unpack(t))) for t in rows])

    return fun
