"""The conjecture chapter's driver: probes of the unregularized shallow objective f.

* the instances (:func:`instance`, of the kinds :data:`KINDS`) and the balanced
  factorization of a point (:func:`rebalance`);
* L-BFGS runs on f (:func:`descend`, :func:`descend_rebalancing`, :func:`descent_probe` and
  its :class:`DescentReport`);
* critical-point searches (:func:`critical_probe`, :class:`CriticalReport`,
  :func:`stalled_searches`) and Lemma 1's points moved along f's symmetry
  (:func:`transported_probe`, :class:`TransportReport`);
* the escape test of a candidate local minimum (:func:`escapes`): how far below ``g(W)``
  gradient descent gets from small random perturbations.

For example, an instance of f with tied singular values of ``Ytilde``:

>>> import numpy as np
>>> p = instance(3, 2, 4, "repeated", np.random.default_rng(0))   # tied singular values of Ytilde
>>> (p.d0, p.d1, p.d2, p.mu)                                     # f: no regularizer
(3, 2, 4, 0.0)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from .. import canonical
from .._checks import (
    as_generator,
    as_int,
    as_nonnegative_float,
    as_positive_float,
    as_positive_int,
    check_array,
    check_dense,
    check_shape,
)
from ..models.shallow import ShallowProblem
from ..optim.critical_points import minimize_gradient_norm
from ..optim.curvature import classify
from ..optim.descent import gradient_descent
from ..optim.lbfgs import batched_lbfgs
from ..theory.paper_a.lemma1 import critical_points
from .saddle_search import describe_points

__all__ = ['CriticalReport', 'DescentReport', 'KINDS', 'TransportReport', 'critical_probe', 'descend', 'descend_rebalancing', 'descent_probe', 'escapes', 'instance', 'sort_point', 'rebalance', 'stalled_searches', 'transported_probe']


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
    W1, W2 = problem.as_weights(W1, W2, batch=False)
    if step is None:
        step = 0.5 / float(np.linalg.eigvalsh(problem.hessian(W1, W2))[-1])
    scale = radius * np.sqrt(np.sum(W1**2) + np.sum(W2**2) + 1.0)
    P1 = rng.standard_normal((n_tries,) + W1.shape)
    P2 = rng.standard_normal((n_tries,) + W2.shape)
    norm = np.sqrt(np.sum(P1**2, axis=(1, 2)) + np.sum(P2**2, axis=(1, 2)))[:, None, None]
    run = gradient_descent(problem, (W1 + scale * P1 / norm, W2 + scale * P2 / norm), step,
                           n_steps, record_every=n_steps)
    return float(problem.value(W1, W2) - np.nanmin(run.values[-1]))


#: The kinds of targets, namely generic Gaussian Y; Y = W X with W of rank 1 (a low-rank target);
#: and Y whose projected targets Y V have repeated singular values (3, 3, 1, 1, ...), the
#: degenerate case that earlier results (Table I) exclude.
KINDS = ("gaussian", "rank-one", "repeated")


def _check_p(p):
    if not isinstance(p, ShallowProblem):
        raise TypeError(f"p must be a ShallowProblem; got {type(p).__name__}")
    return p


def _check_batch_weights(p, W1, W2, allow_empty=False):
    """Check weights with one leading batch axis (without converting them)."""
    A1 = check_array("W1", W1, ndim=3, allow_empty=allow_empty)
    A2 = check_array("W2", W2, ndim=3, allow_empty=allow_empty)
    check_shape("W1", A1, (p.d1, p.d0), "= (d1, d0)")
    check_shape("W2", A2, (p.d2, p.d1), "= (d2, d1)")
    if len(A1) != len(A2):
        raise ValueError(f"W1 and W2 must hold the same number of points; got {len(A1)} and {len(A2)}")


def instance(d0: int, d1: int, d2: int, kind: str, rng, extra: int = 3) -> ShallowProblem:
    """A random instance of f (``mu = 0``): Gaussian ``X`` with ``N = d0 + extra`` samples and
    targets of the given ``kind`` (see :data:`KINDS`). Refuses sizes that are not integers
    >= 1, an ``extra`` that is not an integer >= 0, an unknown ``kind`` and an ``rng`` that
    is not a Generator."""
    d0, d1, d2 = (as_positive_int(n, v) for n, v in (("d0", d0), ("d1", d1), ("d2", d2)))
    extra = as_int("extra", extra, 0)
    if not isinstance(kind, str) or kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}; got {kind!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    N = d0 + extra
    X = rng.standard_normal((d0, N))
    if kind == "gaussian":
        Y = rng.standard_normal((d2, N))
    elif kind == "rank-one":
        Y = np.outer(rng.standard_normal(d2), rng.standard_normal(d0)) @ X
    else:
        V = canonical.svd(X)[2].T                                # (N, d0)
        k = min(d0, d2)
        P = canonical.orthonormal(rng.standard_normal((d2, k)))
        Q = canonical.orthonormal(rng.standard_normal((d0, k)))
        lam = np.where(np.arange(k) < 2, 3.0, 1.0)               # 3, 3, 1, 1, ...
        Y = (P * lam) @ Q.T @ V.T
    return ShallowProblem(X, Y, hidden=d1)


def rebalance(p: ShallowProblem, W1, W2):
    """The balanced factorization of the same product: weights with ``W2 W1`` unchanged (so
    the same value of f) and ``W2^T W2 = W1 X X^T W1^T`` (the construction of the proof of
    Theorem 2(i), applied to ``W2 W1 U Sigma`` instead of ``Y V``). Refuses a ``p`` that is
    not a :class:`~landscape.models.shallow.ShallowProblem` and weights (one point) of the wrong
    shapes or with NaN, infinite or non-real entries."""
    _check_p(p).as_weights(W1, W2, batch=False, check_only=True)
    M = (np.asarray(W2) @ np.asarray(W1)) @ (p.U * p.sigma)
    P, s, Qt = canonical.svd(M)
    k = min(p.d1, len(s))
    r = np.sqrt(s[:k])
    A2 = np.zeros((p.d2, p.d1))
    A1 = np.zeros((p.d1, p.d0))
    A2[:, :k] = P[:, :k] * r
    A1[:k, :] = ((r[:, None] * Qt[:k]) / p.sigma) @ p.U.T
    return A1, A2


def _scales(p: ShallowProblem):
    return np.abs(p.XXt).max() * np.abs(p.YXt).max(), 0.5 * float(np.sum(p.Y**2))


def descend(p: ShallowProblem, W1, W2, max_iter: int = 1000) -> np.ndarray:
    """Where L-BFGS (memory 10) on f goes from each of the given points (leading batch axis),
    started from the balanced weights with the same product (:func:`rebalance`: the same
    value of f, without the imbalance that stalls the line search, see
    :func:`descent_probe`): the relative excess ``(f - min f) / (1/2 ||Y||^2)`` at the end.
    A run stops after ``max_iter`` iterations or when an iteration gains less than ``1e-15``
    of its starting value. Refuses what :func:`descend_rebalancing` refuses."""
    return descend_rebalancing(p, W1, W2, rounds=1, max_iter=max_iter)[0]


def descend_rebalancing(p: ShallowProblem, W1, W2, rounds: int = 3,
                        max_iter: int = 1000) -> np.ndarray:
    """:func:`descend` repeated: after each round, the end point is rebalanced again and
    L-BFGS restarted from it. A run on f can drift along f's flat directions
    ``(A W1, W2 A^-1)`` into weights so unbalanced that it crawls (its value then is not a
    critical value of f); rebalancing, which keeps the value, lets it go on. Returns the
    relative excess ``(f - min f) / (1/2 ||Y||^2)`` after each round, shape
    ``(rounds, k)``.

    Refuses a ``p`` that is not a :class:`~landscape.models.shallow.ShallowProblem`, weights that are
    not batches of shapes ``(k, d1, d0)`` and ``(k, d2, d1)`` of finite real numbers (``k = 0``
    is allowed), and ``rounds``, ``max_iter`` that are not integers >= 1."""
    _check_p(p)
    rounds = as_positive_int("rounds", rounds)
    max_iter = as_positive_int("max_iter", max_iter)
    _check_batch_weights(p, W1, W2, allow_empty=True)
    W1, W2 = np.asarray(W1, dtype=float), np.asarray(W2, dtype=float)
    out = np.zeros((rounds, len(W1)))
    for k in range(rounds if len(W1) else 0):
        A1, A2 = (np.stack(A) for A in zip(*(rebalance(p, a1, a2) for a1, a2 in zip(W1, W2))))
        run = batched_lbfgs(p, A1, A2, memory=10, max_iter=max_iter, max_fev=3 * max_iter,
                            prog_tol=1e-15)
        W1, W2 = run.W1, run.W2
        out[k] = (np.asarray(run.g[-1]) - p.global_minimum()) / _scales(p)[1]
    return out


def stalled_searches(p: ShallowProblem, n_starts: int, rng, scale: float = 1.0,
                     max_iter: int = 2000):
    """The end points ``(W1, W2)`` (leading batch axis) of the searches of
    :func:`critical_probe` (same starts from ``rng``, same rule) that did not reach a
    critical point. Refuses the arguments :func:`critical_probe` refuses."""
    _check_probe(p, n_starts, rng, scale, max_iter)
    found, crit = _search(p, n_starts, rng, scale, max_iter)
    return found.W1[~crit], found.W2[~crit]


def sort_point(p: ShallowProblem, W1, W2, tol: float) -> tuple[str, float]:
    """The kind of a critical point of ``p`` by its dense Hessian and its value
    (:func:`~landscape.optim.curvature.classify` with ``tol`` for eigenvalues and for the
    value's excess over the global minimum), and the smallest Hessian eigenvalue: for
    example ``("strict saddle", lambda_min)`` or ``("global minimum", lambda_min)``; a
    ``"local minimum"`` or ``"inconclusive (PSD)"`` point is a candidate for :func:`escapes`.

    Refuses a ``p`` that is not a :class:`~landscape.models.shallow.ShallowProblem`, weights of
    the wrong shapes or with NaN, infinite or non-real entries, a negative or non-finite
    ``tol``, and (before allocating it) a Hessian above the dense-size limit."""
    tol = as_nonnegative_float("tol", tol)
    _check_p(p)
    ev = np.linalg.eigvalsh(p.hessian(W1, W2))
    gap = float(p.value(W1, W2) - p.global_minimum())
    return classify(ev, tol, value_gap=gap, value_tol=tol), float(ev[0])


def _check_probe(p, n_starts, rng, scale, max_iter, dense=False):
    _check_p(p)
    as_positive_int("n_starts", n_starts)
    as_generator("rng", rng)
    as_positive_float("scale", scale)
    as_positive_int("max_iter", max_iter)
    if dense:
        check_dense("p", p.n_params, what="dense Hessian (to classify end points)")


def _search(p: ShallowProblem, n_starts: int, rng, scale: float, max_iter: int):
    """The critical-point search of :func:`critical_probe` from ``n_starts`` Gaussian starts:
    its result and which runs reached a critical point (relative gradient ``<= 1e-9``)."""
    W1, W2 = p.random_weights(rng, scale=scale, batch=(n_starts,))
    found = minimize_gradient_norm(p, W1, W2, max_iter=max_iter)
    return found, found.grad_norm <= 1e-9 * _scales(p)[0]


@dataclass(frozen=True)
class DescentReport:
    """Where L-BFGS runs on f ended: counts by outcome, and the largest relative excess."""

    n_runs: int
    outcomes: dict
    worst_excess: float


def descent_probe(p: ShallowProblem, n_starts: int, rng, scale: float = 1.0,
                  max_iter: int = 3000) -> DescentReport:
    """L-BFGS (memory 10) on f from ``n_starts`` Gaussian starts of entry size ``scale``.

    Each end point is ``"global minimum"`` (value within ``1e-8 * 1/2 ||Y||^2`` of the
    minimum); or, if the run stopped where the gradient is not at roundoff level (on a slope,
    typically because the weights drifted along f's flat directions ``(A W1, W2 A^-1)`` until
    the problem became too ill-conditioned for the line search), ``"global minimum after
    rebalancing"`` when a fresh L-BFGS run from the balanced weights with the same product
    (:func:`rebalance`, same value of f) gets to the minimum, and ``"unfinished"`` when it does
    not; or the :func:`sort_point` kind of the critical point the run stopped at.
    ``worst_excess`` is the largest relative excess at the end (after the restarts).

    Refuses a ``p`` that is not a :class:`~landscape.models.shallow.ShallowProblem` (or whose dense
    Hessian is above the dense-size limit), an ``n_starts`` or ``max_iter`` that is not an
    integer >= 1, an ``rng`` that is not a Generator and a ``scale`` that is not positive and
    finite.
    """
    _check_probe(p, n_starts, rng, scale, max_iter, dense=True)
    W1, W2 = p.random_weights(rng, scale=scale, batch=(n_starts,))
    run = batched_lbfgs(p, W1, W2, memory=10, max_iter=max_iter, max_fev=3 * max_iter)
    g_scale, v_scale = _scales(p)
    excess = (run.g[-1] - p.global_minimum()) / v_scale
    outcomes = Counter()
    for i in range(n_starts):
        if excess[i] <= 1e-8:
            outcomes["global minimum"] += 1
        elif p.gradient_norm(run.W1[i], run.W2[i]) > 1e-9 * g_scale:
            # stopped on a slope: restart from the same product, balanced (f is unchanged)
            A1, A2 = rebalance(p, run.W1[i], run.W2[i])
            again = batched_lbfgs(p, A1, A2, memory=10, max_iter=max_iter, max_fev=3 * max_iter)
            excess[i] = (again.g[-1] - p.global_minimum()) / v_scale
            outcomes["global minimum after rebalancing" if excess[i] <= 1e-8 else "unfinished"] += 1
        else:
            outcomes[sort_point(p, run.W1[i], run.W2[i], 1e-7 * g_scale)[0]] += 1
    return DescentReport(n_starts, dict(outcomes), float(np.max(excess)))


@dataclass(frozen=True)
class CriticalReport:
    """Critical points found by minimizing ``1/2 ||grad f||^2``, sorted.

    Attributes
    ----------
    n_starts : int
    kinds : dict
        Counts by :func:`sort_point` kind among the points with a gradient at roundoff level.
    not_critical : int
        Runs that ended at a local minimum of the gradient norm that is not a zero.
    lam_min : list of float
        The smallest Hessian eigenvalue (relative to ``scale``) at each saddle found.
    escaped : list of float
        For each second-order critical point that is not global, how far descent from its
        neighbourhood got below it (relative to ``1/2 ||Y||^2``).
    stalled : dict of lists
        Where the ``not_critical`` searches ended, one entry per search: ``"grad"`` the
        gradient norm of f (relative to ``scale``), ``"excess"`` the value above the global
        minimum (relative to ``1/2 ||Y||^2``), ``"lam_min"`` the smallest Hessian eigenvalue
        (relative to ``scale``), ``"n_iter"`` the iterations used, and ``"descended"`` the
        relative excess after L-BFGS on f from the balanced weights with the same product
        (:func:`descend`).
    saddle_escape : float
        The escape test (:func:`landscape.studies.conjecture.escapes`, relative to ``1/2 ||Y||^2``)
        applied to the saddle found with the least negative smallest eigenvalue, a check
        that the test detects a point that is not a local minimum (NaN if no saddle was found).
    distinct : list of dict
        The distinct critical points among those found (same product ``W2 W1`` up to
        ``landscape.studies.saddle_search.product_tolerance``), as
        ``landscape.studies.saddle_search.describe_points`` describes them (count, excess,
        index, smallest eigenvalue, product).
    labels : list of int
        For each search that reached a critical point (in the order of the starts), the
        position of its point in ``distinct``.
    """

    n_starts: int
    kinds: dict
    not_critical: int
    lam_min: list
    escaped: list
    stalled: dict = field(default_factory=dict)
    saddle_escape: float = float("nan")
    distinct: list = field(default_factory=list)
    labels: list = field(default_factory=list)


def critical_probe(p: ShallowProblem, n_starts: int, rng, scale: float = 1.0,
                   max_iter: int = 2000) -> CriticalReport:
    """Search for critical points of f from ``n_starts`` Gaussian starts and sort them; the
    points reached are also grouped into distinct critical points by their product
    ``W2 W1`` (``distinct``, ``labels`` of :class:`CriticalReport`).

    Refuses a ``p`` that is not a :class:`~landscape.models.shallow.ShallowProblem` (or whose dense
    Hessian is above the dense-size limit), an ``n_starts`` or ``max_iter`` that is not an
    integer >= 1, an ``rng`` that is not a Generator and a ``scale`` that is not positive and
    finite."""
    _check_probe(p, n_starts, rng, scale, max_iter, dense=True)
    found, crit = _search(p, n_starts, rng, scale, max_iter)
    g_scale, v_scale = _scales(p)
    kinds, lam, esc, saddles = Counter(), [], [], []
    for i in np.flatnonzero(crit):
        kind, lam_min = sort_point(p, found.W1[i], found.W2[i], 1e-7 * g_scale)
        kinds[kind] += 1
        if kind == "strict saddle":
            lam.append(lam_min / g_scale)
            saddles.append(i)
        elif kind != "global minimum":
            esc.append(escapes(p, found.W1[i], found.W2[i], rng) / v_scale)
    off = np.flatnonzero(~crit)
    stalled = {
        "grad": (found.grad_norm[off] / g_scale).tolist(),
        "excess": ((found.value[off] - p.global_minimum()) / v_scale).tolist(),
        "lam_min": [float(np.linalg.eigvalsh(p.hessian(found.W1[i], found.W2[i]))[0]) / g_scale
                    for i in off],
        "n_iter": [int(found.n_iter[i]) for i in off],
        "descended": descend(p, found.W1[off], found.W2[off]).tolist()}
    saddle_escape = float("nan")
    if saddles:
        i = saddles[int(np.argmax(lam))]
        saddle_escape = escapes(p, found.W1[i], found.W2[i], rng) / v_scale
    on = np.flatnonzero(crit)
    labels, distinct = describe_points(p, found.W1[on], found.W2[on])
    return CriticalReport(n_starts, dict(kinds), len(off), lam, esc, stalled, saddle_escape,
                          distinct, labels.tolist())


@dataclass(frozen=True)
class TransportReport:
    """Lemma 1's critical points moved along f's symmetry, sorted with f's Hessian.

    ``kinds`` counts :func:`sort_point` kinds; ``max_grad`` is the largest relative gradient
    norm of f at the moved points (roundoff: they are critical); ``max_lam_saddle`` the
    largest (least negative) relative smallest eigenvalue among the saddles.
    """

    n_points: int
    kinds: dict
    max_grad: float
    max_lam_saddle: float


def transported_probe(p: ShallowProblem, rng, max_points: int = 64) -> TransportReport:
    """Critical points of f off the balanced set: elements of Lemma 1's set C (at most
    ``max_points``, chosen at random), each moved to ``(A W1, W2 A^-1)`` with
    ``A = Q1 diag(e^z) Q2``, ``Q1, Q2`` random rotations and ``z`` standard normal.

    Refuses a ``p`` that is not a :class:`~landscape.models.shallow.ShallowProblem` (or whose dense
    Hessian is above the dense-size limit), an ``rng`` that is not a Generator and a
    ``max_points`` that is not an integer >= 1."""
    _check_p(p)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    max_points = as_positive_int("max_points", max_points)
    check_dense("p", p.n_params, what="dense Hessian (to classify the points)")
    points = critical_points(p, rng=rng)
    if len(points) > max_points:
        points = [points[i] for i in rng.choice(len(points), max_points, replace=False)]
    g_scale, _ = _scales(p)
    kinds, grads, lams = Counter(), [], []
    d1 = p.d1
    for c in points:
        Q1 = canonical.orthonormal(rng.standard_normal((d1, d1)))
        Q2 = canonical.orthonormal(rng.standard_normal((d1, d1)))
        z = rng.standard_normal(d1)
        A, A_inv = (Q1 * np.exp(z)) @ Q2, Q2.T @ (Q1.T * np.exp(-z)[:, None])
        W1, W2 = A @ c.W1, c.W2 @ A_inv
        grads.append(p.gradient_norm(W1, W2) / g_scale)
        kind, lam = sort_point(p, W1, W2, 1e-7 * g_scale)
        kinds[kind] += 1
        if kind == "strict saddle":
            lams.append(lam / g_scale)
    return TransportReport(len(points), dict(kinds), float(max(grads)),
                           float(max(lams)) if lams else float("nan"))
