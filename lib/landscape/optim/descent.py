"""Gradient descent on any model, batched over starts (see the layout in ``lib/README.md``).

One method, :func:`gradient_descent`, for every model of
:mod:`landscape.models.protocol`: paper A's shallow problems (and stacks of them), the
deep and multi-tower networks of paper B, and the two-variable landscapes. It returns one
record, :class:`Run`.

Example: paper A's shallow problem, two starts, one step size per start.

>>> import numpy as np
>>> from landscape import ShallowProblem
>>> from landscape.optim.descent import gradient_descent
>>> p = ShallowProblem(np.eye(2), np.array([[1.0, 2.0]]), hidden=1)
>>> W1 = np.full((2, 1, 2), 0.5)
>>> W2 = np.full((2, 1, 1), 0.5)
>>> run = gradient_descent(p, (W1, W2), step=[0.1, 0.2], n_steps=200, record_every=100)
>>> run.steps.tolist(), run.values.shape
([0, 100, 200], (3, 2))
>>> bool(np.all(run.values[-1] < 1e-12)), bool(np.all(run.metrics["rho"][-1] >= 0))
(True, True)

With a ``target``, the first step at which each run's value is at most the target:

>>> run = gradient_descent(p, (W1, W2), 0.1, 1000, target=1e-6)
>>> bool(np.all(run.hit > 0)), int(run.steps[-1]) == int(run.hit.max())
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from .._checks import as_bool, as_int, as_positive_int, as_real, check_array, check_shape
from ..models.protocol import as_model

__all__ = ['Run', 'gradient_descent']


@dataclass(frozen=True)
class Run:
    """The record of a batched gradient-descent run.

    Attributes
    ----------
    steps : ndarray
        Iteration numbers at which values were recorded (0 is the start), shape
        ``(n_records,)``.
    values : ndarray
        The model's value along the runs, shape ``(n_records, *batch)`` (for paper A's
        shallow problem, g of (2), which is f of (1) when ``mu = 0``).
    grad_norms : ndarray
        The Frobenius norm of the whole gradient at the same records.
    weights : list
        Final weights, structured as the starts (``[W1, W2]`` for the shallow problem, the
        list of layers of a network, one list per tower of a multi-tower network, ``[p]``
        for a two-variable landscape), with the batch shape in front.
    metrics : dict
        The terms the model records (the shallow problem: ``g``, ``f`` and ``rho``) and the
        values of the ``metrics`` callables along the runs, each of shape
        ``(n_records, *batch, ...)``. They are also attributes: ``run.rho`` is
        ``run.metrics["rho"]``.
    hit : ndarray
        Integers, shape ``(*batch)``: the first step at which the value was ``<= target``
        (``-1`` if never, or if no target was given).
    diverged : ndarray or None
        Boolean, shape ``(*batch)``: runs whose value became non-finite; they were stopped
        there (their later records are NaN). ``None`` when no run diverged.
    """

    steps: np.ndarray
    values: np.ndarray
    grad_norms: np.ndarray
    weights: list
    metrics: dict = field(default_factory=dict)
    hit: np.ndarray | None = None
    diverged: np.ndarray | None = None

    def __getattr__(self, name):
        metrics = self.__dict__.get("metrics", {})
        if name in metrics:
            return metrics[name]
        raise AttributeError(f"Run has no attribute or metric {name!r}")


def check_metrics(metrics, name: str = "metrics") -> dict:
    if metrics is None:
        return {}
    if not isinstance(metrics, Mapping) or not all(callable(v) for v in metrics.values()):
        raise TypeError(f"{name} must be a dict of name -> callable; got {metrics!r}")
    return dict(metrics)


def _flatten(tree):
    """The arrays of a list of arrays or of a list of lists of arrays (towers), and how to
    put them back."""
    if isinstance(tree[0], (list, tuple)):
        sizes = [len(T) for T in tree]
        return [M for T in tree for M in T], sizes
    return list(tree), None


def _nest(leaves, sizes):
    if sizes is None:
        return list(leaves)
    out, at = [], 0
    for n in sizes:
        out.append(list(leaves[at:at + n]))
        at += n
    return out


def _core_shapes(model) -> list:
    """The core shape of every weight array, in the order of :func:`_flatten`."""
    out = []
    for s in model.shapes:
        s = list(s)
        out.extend([tuple(x) for x in s] if s and isinstance(s[0], (list, tuple)) else [tuple(s)])
    return out


def _check_weights(model, weights):
    if isinstance(weights, np.ndarray) or not isinstance(weights, (list, tuple)) or not weights:
        raise TypeError(f"weights must be a non-empty list of weight arrays; got {type(weights).__name__}")
    if hasattr(model, "check_weights"):
        return model.check_weights(weights)
    shapes = _core_shapes(model)
    leaves, sizes = _flatten(weights)
    if len(leaves) != len(shapes):
        raise ValueError(f"weights must hold {len(shapes)} arrays; got {len(leaves)}")
    out = []
    for i, (w, shape) in enumerate(zip(leaves, shapes)):
        w = np.array(check_array(f"weights[{i}]", w, ndim=len(shape), allow_batch=True))
        check_shape(f"weights[{i}]", w, tuple(shape))
        out.append(w)
    if len({w.shape[:w.ndim - len(s)] for w, s in zip(out, shapes)}) > 1:
        raise ValueError("the weight arrays must have the same batch shape")
    return _nest(out, sizes)


def _grad_norm(G, core):
    return np.sqrt(sum(np.sum(g * g, axis=tuple(range(-k, 0))) for g, k in zip(G, core)))


def gradient_descent(model, weights, step, n_steps: int, record_every: int = 1,
                     metrics: Mapping[str, Callable] | None = None, target: float | None = None,
                     stop_when_all_hit: bool = True) -> Run:
    """Run ``W <- W - step * grad(W)`` for ``n_steps`` steps from every start at once.

    Parameters
    ----------
    model : Model
        Any model of :mod:`landscape.models.protocol` (a shallow problem or stack, a
        network, a two-variable landscape, or an object with the protocol's methods;
        adapted by :func:`~landscape.models.protocol.as_model`).
    weights : list of array_like
        The starts, structured as the model's weights (``(W1, W2)``, the list of layers,
        one list per tower, ``[p]``); the arrays may have leading batch axes (one start per
        batch entry). With a :class:`~landscape.models.shallow.ProblemStack`, the last batch
        axis runs over its problems.
    step : float or array_like
        The constant step size; an array broadcasts against the batch shape (one step per
        run, e.g. a grid of steps for every seed).
    n_steps, record_every : int
        Values (and gradient norms, terms and metrics) are recorded every ``record_every``
        steps and at the end.
    metrics : dict of str -> callable, optional
        ``metric(*weights) -> array`` (of the batch shape, or with further trailing axes),
        recorded with the values; for a shallow problem ``metric(W1, W2)``.
    target : float, optional
        Records in ``Run.hit`` the first step at which each run's value is ``<= target``
        (the value is then computed at every step) and, with ``stop_when_all_hit``, stops
        once every run has reached it.

    Runs whose value becomes non-finite (a step too large for them) are stopped at the next
    record and flagged in ``Run.diverged``; the other runs are not affected.

    Raises
    ------
    TypeError
        ``model`` that is not a model; weights that are not a list of real arrays; non-real
        steps or ``target``; non-integer ``n_steps`` or ``record_every``; ``metrics`` that
        are not a dict of callables; a ``stop_when_all_hit`` that is not a bool.
    ValueError
        Weights of the wrong shapes, NaN or infinite entries; a step that is not positive
        and finite (or an empty array of steps, or one that does not broadcast against the
        batch shape); ``n_steps < 0``; ``record_every < 1``; a NaN or infinite ``target``;
        a metric named like one of the model's recorded terms.
    """
    model = as_model(model)
    step_arr = check_array("step", step, ndim=0, allow_batch=True)
    if not np.all(step_arr > 0):
        raise ValueError(f"step must be a positive finite number (or array of them); got {step}")
    n_steps = as_int("n_steps", n_steps, 0)
    record_every = as_positive_int("record_every", record_every)
    metrics = check_metrics(metrics)
    target = None if target is None else as_real("target", target)
    stop_when_all_hit = as_bool("stop_when_all_hit", stop_when_all_hit)
    W, sizes = _flatten(_check_weights(model, weights))
    core = [len(s) for s in _core_shapes(model)]
    wbatch = W[0].shape[:W[0].ndim - core[0]]
    try:
        batch = np.broadcast_shapes(wbatch, step_arr.shape)
    except ValueError:
        raise ValueError(f"step of shape {step_arr.shape} does not broadcast against the batch "
                         f"shape {wbatch} of the weights") from None
    W = [np.array(np.broadcast_to(w, batch + w.shape[w.ndim - k:])) for w, k in zip(W, core)]
    axes = [(...,) + (None,) * k for k in core]           # a batch array against each weight
    if step_arr.ndim == 0:
        eta = [float(step_arr)] * len(W)
    else:
        eta = [np.broadcast_to(step_arr, batch)[a].copy() for a in axes]

    with_gradient = hasattr(model, "value_and_gradient")
    value_and_terms = getattr(model, "value_and_terms", None)
    gradient = getattr(model, "gradient_unchecked", None)
    unchecked = gradient is not None
    gradient = gradient or model.gradient

    steps, values, norms = [], [], []
    terms_rec: dict = {}
    recs = {name: [] for name in metrics}
    dead = np.zeros(batch, dtype=bool)
    hit = np.full(batch, -1, dtype=int)

    def stop(bad):  # stop these runs (and keep their NaNs out of later records)
        nonlocal dead, eta
        dead = dead | bad
        eta = [np.where(dead[a], 0.0, e) for e, a in zip(eta, axes)]
        for w in W:
            w[dead] = np.nan

    def point():  # a model that checks its weights sees the stopped runs' weights as zeros
        if unchecked or not dead.any():
            return _nest(W, sizes)
        return _nest([np.where(dead[a], 0.0, w) for w, a in zip(W, axes)], sizes)

    def call(fn):
        """``fn`` at the current point; a model that checks its arguments may refuse a point
        where a run overflowed (an infinite product of finite layers): those runs are stopped."""
        if unchecked:
            return fn(point())
        try:
            return fn(point())
        except ValueError:
            bad = np.zeros(batch, dtype=bool)
            for idx in np.ndindex(*batch):
                if not dead[idx]:
                    try:
                        bad[idx] = not np.all(np.isfinite(model.value(_nest([w[idx] for w in W], sizes))))
                    except ValueError:
                        bad[idx] = True
            if not bad.any():
                raise
            stop(bad)
            return fn(point())

    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(n_steps + 1):
            recorded = t % record_every == 0 or t == n_steps
            if not unchecked:
                bad = ~dead & np.logical_and.reduce(
                    [np.isfinite(w).all(axis=tuple(range(-k, 0))) for w, k in zip(W, core)]) == 0
                if np.any(bad):
                    stop(bad)
            G = terms = v = None
            if with_gradient:
                v, G = call(model.value_and_gradient)
                G = _flatten(G)[0]
            elif recorded or target is not None:
                if value_and_terms is not None:
                    v, terms = call(value_and_terms)
                else:
                    v = call(model.value)
            if v is not None and (recorded or not unchecked):
                bad = ~np.isfinite(v) & ~dead
                if np.any(bad):
                    stop(bad)
                    G = None if G is None else [np.where(dead[a], 0.0, g) for g, a in zip(G, axes)]
            if target is not None:
                v = np.asarray(v, dtype=float)
                hit = np.where((hit < 0) & (v <= target) & ~dead, t, hit)
            done = t == n_steps or (target is not None and stop_when_all_hit and np.all(hit >= 0))
            if recorded or done:
                if G is None:
                    G = _flatten(call(gradient))[0]
                v = np.asarray(v, dtype=float)
                gn = _grad_norm(G, core)
                if t == 0:
                    clash = sorted(set(terms or {}) & set(recs))
                    if clash:
                        raise ValueError(f"metrics must not be named like the model's recorded terms "
                                         f"{sorted(terms)}; got {clash}")
                steps.append(t)
                values.append(np.where(dead, np.nan, v) if dead.any() else v)
                norms.append(np.where(dead, np.nan, gn) if dead.any() else gn)
                for name, x in (terms or {}).items():
                    terms_rec.setdefault(name, []).append(np.where(dead, np.nan, x) if dead.any() else x)
                for name, fn in metrics.items():
                    recs[name].append(np.asarray(fn(*_nest(W, sizes)), dtype=float))
            if done:
                break
            if G is None:
                G = _flatten(call(gradient))[0]
            if dead.any():
                G = [np.where(dead[a], 0.0, g) for g, a in zip(G, axes)]
            W = [w - e * g for w, e, g in zip(W, eta, G)]
    out = {k: np.array(v) for k, v in terms_rec.items()}
    out.update({k: np.array(v) for k, v in recs.items()})
    return Run(np.array(steps), np.array(values), np.array(norms), _nest(W, sizes), out, hit,
               dead if dead.any() else None)
