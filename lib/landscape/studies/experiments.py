r"""Paper A's experiments (Section IV): the four setups, their data, the two metrics, and
runs of gradient descent and L-BFGS on f and g batched over seeds.

The setups: ``d2 = 20``, ``d1 = 15``, ``N = 100``, ``d0 = 10`` (over-parameterized,
``d0 < min(d1, d2)``) or ``d0 = 20``, with Gaussian ``X``, ``W1*``, ``W2*`` and targets

.. math::
    Y &= W_2^\star W_1^\star X \quad (8) \qquad\text{or}\qquad
    Y = \sigma(W_2^\star W_1^\star X) \quad (9), \\
    \sigma(a) &= \begin{cases} a & a \ge 0 \\ 0.8\,a & a < 0 \end{cases}

(the leaky ReLU, applied entrywise), and ``mu = 1/8``. The paper plots

.. math::
    \mathrm{MSE}_o &= \frac{\|W_2W_1X - Y\|_F^2}{\|Y\|_F^2}, \\
    \mathrm{MSE}_w &= \frac{\|W_2W_1 - W_2^\star W_1^\star\|_F^2}{\|W_2^\star W_1^\star\|_F^2}

along the iterations (Figures 1-8). What the paper does not say (the scale of the data, the
initialization, the step size, the iteration budget, the seeds) is a parameter here, with
defaults that the book states and justifies.

Each seed draws its own instance and its own start, in a fixed order (``W2*``, ``W1*``, ``X``,
then the start ``W1``, ``W2``), from ``numpy.random.default_rng(seed)``; f and g are run from
the same instance and start, so their comparison is paired.

For example, the leaky ReLU of (9) and the four setups:

>>> import numpy as np
>>> leaky_relu(np.array([-1.0, 0.0, 2.0])).tolist()          # the sigma of (9)
[-0.8, 0.0, 2.0]
>>> [(s.d0, s.nonlinear) for s in SETUPS]                     # d0 and targets (8) or (9)
[(10, False), (20, False), (10, True), (20, True)]
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from .._checks import (
    as_bool,
    as_int,
    as_mapping,
    as_nonnegative_float,
    as_positive_float,
    as_positive_int,
    as_real,
    as_seeds,
    check_array,
)
from ..models.shallow import ProblemStack, ShallowProblem
from ..optim.curvature import largest_eigenvalue
from ..optim.descent import gradient_descent
from ..optim.lbfgs import batched_lbfgs

__all__ = ['Batch', 'Curves', 'PAPER', 'RULES', 'SETUPS', 'Setup', 'Sweep', 'TuneResult', 'choose_step', 'claims_table', 'describe', 'draw', 'faster', 'format_spread', 'leaky_relu', 'reproduce', 'run_gd', 'run_lbfgs', 'sig', 'similar', 'slower', 'speedup', 'spread', 'start_curvature', 'tune_step']


#: The sizes and constants paper A states for Section IV.
PAPER = {"d1": 15, "d2": 20, "N": 100, "mu": 1 / 8, "slope": 0.8}


def leaky_relu(a, slope: float = PAPER["slope"]) -> np.ndarray:
    """The leaky ReLU of (9), ``a`` where ``a >= 0`` and ``slope * a`` elsewhere (entrywise).

    Refuses ``a`` that is not an array of finite real numbers and a ``slope`` that is not a
    finite real number."""
    check_array("a", a, ndim=0, allow_batch=True, allow_empty=True)
    slope = as_real("slope", slope)
    a = np.asarray(a, dtype=float)
    return np.where(a >= 0, a, slope * a)


@dataclass(frozen=True)
class Setup:
    """One of the paper's four setups: the input size and the kind of targets.

    Refuses a ``d0`` that is not an integer >= 1, a ``nonlinear`` that is not a bool and
    ``figures`` that are not a pair of integers >= 1.

    Attributes
    ----------
    d0 : int
        Input size (10 or 20 in the paper).
    nonlinear : bool
        Targets from (9) (leaky ReLU) instead of (8).
    figures : tuple of int
        The paper's figure numbers for gradient descent and for L-BFGS on this setup.
    """

    d0: int
    nonlinear: bool
    figures: tuple[int, int]

    def __post_init__(self):
        as_positive_int("d0", self.d0)
        as_bool("nonlinear", self.nonlinear)
        if isinstance(self.figures, (str, bytes)) or not hasattr(self.figures, "__len__"):
            raise TypeError(f"figures must be a pair of figure numbers; got {self.figures!r}")
        if len(self.figures) != 2:
            raise ValueError(f"figures must be a pair of figure numbers; got {self.figures!r}")
        for i, f in enumerate(self.figures):
            as_positive_int(f"figures[{i}]", f)

    @property
    def name(self) -> str:
        kind = "leaky-ReLU (9)" if self.nonlinear else "linear (8)"
        return f"{kind}, d0 = {self.d0}"

    @property
    def key(self) -> str:
        """A short identifier, e.g. ``"lin10"`` or ``"relu20"``."""
        return f"{'relu' if self.nonlinear else 'lin'}{self.d0}"


#: Figures 1-2, 3-4, 5-6 and 7-8 of paper A.
SETUPS = (Setup(10, False, (1, 2)), Setup(20, False, (3, 4)), Setup(10, True, (5, 6)),
          Setup(20, True, (7, 8)))


@dataclass(frozen=True)
class Batch:
    """The instances and starts of one setup for a list of seeds.

    Attributes
    ----------
    setup : Setup
    seeds : tuple of int
    stack : ProblemStack
        The problems (with the batch's ``mu``).
    W_star : ndarray (B, d2, d0)
        The planted products ``W2* W1*``.
    W1, W2 : ndarray
        The starts, shapes ``(B, d1, d0)`` and ``(B, d2, d1)``.
    """

    setup: Setup
    seeds: tuple
    stack: ProblemStack
    W_star: np.ndarray
    W1: np.ndarray
    W2: np.ndarray

    @property
    def mu(self) -> float:
        return self.stack.mu

    def with_mu(self, mu) -> "Batch":
        """The same instances and starts, objective with another ``mu`` (0 gives f); refuses a
        ``mu`` that is negative or not finite."""
        return Batch(self.setup, self.seeds, self.stack.with_mu(mu), self.W_star, self.W1, self.W2)

    def problem(self, i: int) -> ShallowProblem:
        """The problem of the ``i``-th seed (``i`` an integer in ``range(len(seeds))``)."""
        i = as_int("i", i, 0)
        if i >= len(self.seeds):
            raise ValueError(f"i must be below the number of seeds {len(self.seeds)}; got {i}")
        return self.stack.problems[i]

    def min_mse(self) -> np.ndarray:
        """The smallest ``MSE_o`` any weights reach, per seed: ``2 min f / ||Y||^2``
        (closed form, :meth:`~landscape.models.shallow.ShallowProblem.global_minimum`); 0 for the targets (8)."""
        return 2.0 * self.stack.global_minimum() / self.stack.Y_norm2

    def mse_objective(self, W1, W2) -> np.ndarray:
        """``MSE_o`` of paper A, per seed (leading axes broadcast).

        Refuses weights as :class:`~landscape.models.shallow.ProblemStack` does.
        """
        return self.stack.mse_objective(W1, W2)

    def mse_weights(self, W1, W2) -> np.ndarray:
        """``MSE_w`` of paper A, per seed (leading axes broadcast); refuses weights as
        :class:`~landscape.models.shallow.ProblemStack` does."""
        self.stack.as_weights(W1, W2, check_only=True)
        W = np.asarray(W2) @ np.asarray(W1)
        return np.sum((W - self.W_star) ** 2, axis=(-2, -1)) / np.sum(self.W_star**2, axis=(-2, -1))


def draw(setup: Setup, seeds, mu: float = PAPER["mu"], x_scale: float = 1.0,
         init_scale: float = 1.0, N: int = PAPER["N"]) -> Batch:
    """Draw the instances and starts of ``setup`` for ``seeds``.

    Parameters
    ----------
    setup : Setup
    seeds : iterable of int
        One instance and one start per seed, from ``numpy.random.default_rng(seed)``.
    mu : float
        Weight of the regularizer (``0`` for f).
    x_scale : float
        ``X`` has i.i.d. ``N(0, x_scale^2)`` entries (the paper: "Gaussian", read as 1).
        The targets scale with it (both (8) and (9) are positively homogeneous in ``X``).
    init_scale : float
        The start has i.i.d. ``N(0, init_scale^2)`` entries.
    N : int
        Number of samples (100 in the paper).

    Raises
    ------
    TypeError
        ``setup`` not a :class:`Setup`; seeds that are not integers; non-real scales or
        ``mu``; a non-integer ``N``.
    ValueError
        No seed or a negative one; scales that are not positive and finite; ``mu < 0``;
        ``N < d0``.
    """
    if not isinstance(setup, Setup):
        raise TypeError(f"setup must be a Setup; got {type(setup).__name__}")
    seeds = as_seeds("seeds", seeds)
    N = as_positive_int("N", N)
    as_nonnegative_float("mu", mu)
    for name, v in (("x_scale", x_scale), ("init_scale", init_scale)):
        as_positive_float(name, v)
    d0, d1, d2 = setup.d0, PAPER["d1"], PAPER["d2"]
    if N < d0:
        raise ValueError(f"N must be at least d0 = {d0} (X must have full row rank); got {N}")
    problems, W_star, W1, W2 = [], [], [], []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        W2s = rng.standard_normal((d2, d1))
        W1s = rng.standard_normal((d1, d0))
        X = x_scale * rng.standard_normal((d0, N))
        Z = W2s @ W1s @ X
        Y = leaky_relu(Z) if setup.nonlinear else Z
        problems.append(ShallowProblem(X, Y, hidden=d1, mu=mu))
        W_star.append(W2s @ W1s)
        W1.append(init_scale * rng.standard_normal((d1, d0)))
        W2.append(init_scale * rng.standard_normal((d2, d1)))
    return Batch(setup, seeds, ProblemStack(problems), np.array(W_star), np.array(W1), np.array(W2))


@dataclass(frozen=True)
class Curves:
    """Convergence curves of one algorithm on one objective, one column per seed.

    Attributes
    ----------
    iterations : ndarray (n_records,)
    mse_o, mse_w : ndarray (n_records, B)
        Paper A's two metrics along the runs (NaN after a run diverged).
    excess : ndarray (n_records, B)
        ``MSE_o - min MSE_o`` (``2 (f - min f) / ||Y||^2``): the distance to the global
        minimum, in the unit of ``MSE_o``.
    n_fev : ndarray (B,) or None
        Objective-and-gradient evaluations (L-BFGS).
    """

    iterations: np.ndarray
    mse_o: np.ndarray
    mse_w: np.ndarray
    excess: np.ndarray
    n_fev: np.ndarray | None = None

    def iterations_to(self, tol: float) -> np.ndarray:
        """First recorded iteration with ``excess <= tol``, per seed (``inf`` if never).

        Refuses a ``tol`` that is negative or not finite.
        """
        tol = as_nonnegative_float("tol", tol)
        hit = self.excess <= tol
        first = np.argmax(hit, axis=0)
        return np.where(hit.any(axis=0), self.iterations[first], np.inf)

    def final(self, name: str = "excess") -> np.ndarray:
        """The last recorded value of ``"excess"``, ``"mse_o"`` or ``"mse_w"``, per seed.

        Refuses another ``name``.
        """
        if name not in ("excess", "mse_o", "mse_w") or not isinstance(name, str):
            raise ValueError(f"name must be 'excess', 'mse_o' or 'mse_w'; got {name!r}")
        return getattr(self, name)[-1]


def _check_batch(batch):
    if not isinstance(batch, Batch):
        raise TypeError(f"batch must be a Batch (from draw); got {type(batch).__name__}")


def _curves(batch: Batch, iterations, f, W_metric, n_fev=None) -> Curves:
    unit = batch.stack.Y_norm2
    mse_o = 2.0 * f / unit
    excess = 2.0 * (f - batch.stack.global_minimum()) / unit
    return Curves(np.asarray(iterations), mse_o, W_metric, excess, n_fev)


def run_gd(batch: Batch, step, n_steps: int, record_every: int = 10) -> Curves:
    """Gradient descent with constant ``step`` on the batch's objective, every seed at once.

    Refuses a ``batch`` that is not a :class:`Batch` and the bad arguments of
    :func:`landscape.optim.descent.gradient_descent`."""
    _check_batch(batch)
    run = gradient_descent(batch.stack, (batch.W1, batch.W2), step, n_steps, record_every,
                           metrics={"mse_w": batch.mse_weights})
    return _curves(batch, run.steps, run.metrics["f"], run.metrics["mse_w"])


def run_lbfgs(batch: Batch, memory: int = 100, max_iter: int = 500, max_fev: int = 1000,
              prog_tol: float = 0.0) -> Curves:
    """minFunc-style L-BFGS (:func:`landscape.optim.lbfgs.batched_lbfgs`) on every seed at once.

    Refuses a ``batch`` that is not a :class:`Batch` and the bad arguments of
    :func:`landscape.optim.lbfgs.batched_lbfgs`."""
    _check_batch(batch)
    run = batched_lbfgs(batch.stack, batch.W1, batch.W2, memory=memory, max_iter=max_iter,
                        max_fev=max_fev, prog_tol=prog_tol, metrics={"mse_w": batch.mse_weights})
    return _curves(batch, run.iterations, run.f, run.metrics["mse_w"], run.n_fev)


def start_curvature(batch: Batch) -> np.ndarray:
    """The largest Hessian eigenvalue of the batch's objective at each start, shape ``(B,)``.

    Refuses a ``batch`` that is not a :class:`Batch`.
    """
    _check_batch(batch)
    return np.array([largest_eigenvalue(batch.problem(i), (batch.W1[i], batch.W2[i]))
                     for i in range(len(batch.seeds))])


@dataclass(frozen=True)
class TuneResult:
    """Outcome of :func:`tune_step`: the grid, each step's median iterations to the tolerance
    and median final excess over the tuning seeds, and the chosen step."""

    steps: np.ndarray
    median_iterations: np.ndarray
    median_final: np.ndarray
    diverged: np.ndarray
    best: int

    @property
    def step(self) -> float:
        return float(self.steps[self.best])

    @property
    def interior(self) -> bool:
        """Whether the chosen step has a grid neighbour on both sides."""
        return 0 < self.best < len(self.steps) - 1


def tune_step(batch: Batch, steps, n_steps: int, tol: float = 1e-8, record_every: int = 10) -> TuneResult:
    """The book's step-size rule: run gradient descent with every step of the grid ``steps``
    from every start of ``batch`` (all at once), and pick the step with the smallest median
    (over seeds) number of iterations to ``excess <= tol``; ties, including "none reached
    it", go to the smaller median final excess. A step at which any run diverged is
    not chosen.

    Refuses a ``batch`` that is not a :class:`Batch`, ``steps`` that are not a non-empty 1-D
    array of positive finite numbers, a negative or non-finite ``tol``, and the bad counts
    of :func:`landscape.optim.descent.gradient_descent`."""
    _check_batch(batch)
    steps = check_array("steps", steps, ndim=1)
    if np.any(steps <= 0):
        raise ValueError(f"steps must be a 1-D array of positive step sizes; got {steps}")
    tol = as_nonnegative_float("tol", tol)
    run = gradient_descent(batch.stack, (batch.W1, batch.W2), steps[:, None], n_steps, record_every)
    excess = 2.0 * (run.metrics["f"] - batch.stack.global_minimum()) / batch.stack.Y_norm2
    hit = excess <= tol
    first = np.where(hit.any(axis=0), run.steps[np.argmax(hit, axis=0)], np.inf)
    final = np.where(np.isfinite(excess[-1]), excess[-1], np.inf)
    med_t = np.median(first, axis=1)
    med_f = np.median(final, axis=1)
    diverged = run.diverged.sum(axis=1) if run.diverged is not None else np.zeros(len(steps), int)
    if np.all(diverged > 0):
        raise ValueError("every step of the grid diverged on some tuning run; extend it downwards")
    # steps at which a tuning run diverged are excluded (a step that blows up is not usable)
    order = np.lexsort((med_f, med_t, diverged > 0))
    return TuneResult(steps, med_t, med_f, diverged, int(order[0]))


def speedup(t_f, t_g) -> np.ndarray:
    """Paired speed-up ``T_f / T_g`` per seed (``> 1``: g reached the tolerance in fewer
    iterations). ``inf / inf`` (neither reached it) is NaN.

    Refuses iteration counts that are not non-empty arrays of numbers ``>= 0`` (``inf``
    allowed, NaN not) of the same shape."""
    for name, t in (("t_f", t_f), ("t_g", t_g)):
        arr = check_array(name, t, ndim=0, allow_batch=True, allow_inf=True)
        if np.any(arr < 0):
            raise ValueError(f"{name} must hold iteration counts >= 0; got {arr.min()}")
    if np.shape(t_f) != np.shape(t_g):
        raise ValueError(f"t_f and t_g must have the same shape; got {np.shape(t_f)} and {np.shape(t_g)}")
    t_f, t_g = np.asarray(t_f, dtype=float), np.asarray(t_g, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return t_f / t_g


#: The book's rules for paper A's experiments (the chapter states and justifies each one).
RULES = {
    "reported_seeds": tuple(range(20)),        # the seeds of the figures and of the claims
    "tuning_seeds": tuple(range(20)),          # the GD step is chosen on the same runs
    "grid_exponents": tuple(range(-2, 7)),     # GD steps 2^k / L0
    "gd_steps": 10_000,                        # GD budget
    "record_every": 10,
    "lbfgs": {"memory": 100, "max_iter": 500, "max_fev": 1000, "prog_tol": 1e-15},
    "tol": 1e-8,                               # "reached": excess MSE_o <= tol
}


def choose_step(setup: Setup, mu: float, x_scale: float = 1.0, init_scale: float = 1.0,
                rules: dict = RULES) -> tuple[float, TuneResult]:
    """The book's step-size rule for gradient descent on one setup and objective.

    ``L0`` is the median, over the tuning seeds, of the largest Hessian eigenvalue of the
    objective at the start; the grid is ``2^k / L0`` for ``k`` in ``rules["grid_exponents"]``;
    :func:`tune_step` picks the step. If the choice is at an end of the grid, or every step
    diverges somewhere (the curvature can grow far beyond ``L0`` along the way, e.g. from a
    small start), the grid is moved by its width and the search repeated. Returns
    ``(L0, TuneResult)``. Refuses the bad arguments of :func:`draw` and ``rules`` that are
    not a dict with the keys of :data:`RULES`.
    """
    if not isinstance(setup, Setup):
        raise TypeError(f"setup must be a Setup; got {type(setup).__name__}")
    as_nonnegative_float("mu", mu)
    as_positive_float("x_scale", x_scale), as_positive_float("init_scale", init_scale)
    as_mapping("rules", rules, RULES)
    batch = draw(setup, rules["tuning_seeds"], mu=mu, x_scale=x_scale, init_scale=init_scale)
    L0 = float(np.median(start_curvature(batch)))
    exps = np.asarray(rules["grid_exponents"], dtype=float)
    width = len(exps) - 1
    for _ in range(6):  # move the grid until the choice is interior (rarely needed)
        try:
            res = tune_step(batch, 2.0**exps / L0, rules["gd_steps"], rules["tol"],
                            rules["record_every"])
        except ValueError:  # every step diverged somewhere: the curvature grows on the way
            exps = exps - width
            continue
        if res.interior:
            break
        exps = exps + (width - 1 if res.best == width else 1 - width)
    return L0, res


def reproduce(steps: dict, x_scale: float = 1.0, init_scale: float = 1.0, mu: float = PAPER["mu"],
              setups=SETUPS, rules: dict = RULES) -> dict:
    """The runs behind paper A's Figures 1-8: for every setup, gradient descent and L-BFGS on f
    and on g from the reported seeds.

    Parameters
    ----------
    steps : dict
        The GD step of each setup and objective, keyed ``"lin10/f"``, ``"lin10/g"``, ...
        (as chosen by :func:`choose_step`).

    Returns
    -------
    dict
        ``(setup.key, algorithm, objective) -> Curves`` with algorithm ``"GD"`` or
        ``"L-BFGS"`` and objective ``"f"`` or ``"g"``.

    Raises
    ------
    TypeError
        ``steps`` or ``rules`` not a dict; ``setups`` not a sequence of :class:`Setup`;
        non-real scales or ``mu``.
    ValueError
        ``steps`` without the step of some setup and objective; ``rules`` without a key of
        :data:`RULES`; no setup; scales that are not positive and finite; ``mu < 0``.
    """
    if isinstance(setups, Setup) or isinstance(setups, (str, bytes)) or not hasattr(setups, "__iter__"):
        raise TypeError(f"setups must be a sequence of Setup; got {type(setups).__name__}")
    setups = tuple(setups)
    if not setups:
        raise ValueError("setups must hold at least one Setup; got an empty sequence")
    for i, s in enumerate(setups):
        if not isinstance(s, Setup):
            raise TypeError(f"setups[{i}] must be a Setup; got {type(s).__name__}")
    as_mapping("steps", steps, [f"{s.key}/{o}" for s in setups for o in ("f", "g")])
    as_mapping("rules", rules, RULES)
    as_positive_float("x_scale", x_scale), as_positive_float("init_scale", init_scale)
    as_nonnegative_float("mu", mu)
    out = {}
    for setup in setups:
        base = draw(setup, rules["reported_seeds"], mu=mu, x_scale=x_scale, init_scale=init_scale)
        for obj, batch in (("f", base.with_mu(0.0)), ("g", base)):
            out[setup.key, "GD", obj] = run_gd(batch, steps[f"{setup.key}/{obj}"], rules["gd_steps"],
                                               rules["record_every"])
            out[setup.key, "L-BFGS", obj] = run_lbfgs(batch, **rules["lbfgs"])
    return out


def spread(values, quantiles=(0.1, 0.9)) -> tuple[float, float, float]:
    """``(median, low quantile, high quantile)`` of ``values`` (``inf`` allowed).

    Refuses ``values`` that are not a non-empty 1-D array of real numbers (NaN and ``inf``
    allowed) and ``quantiles`` that are not a pair ``0 <= low <= high <= 1``."""
    check_array("values", values, ndim=1, allow_inf=True, allow_nan=True)
    _check_quantiles(quantiles)
    v = np.asarray(values, dtype=float)
    lo, med, hi = np.quantile(v, [quantiles[0], 0.5, quantiles[1]], method="lower")
    return float(med), float(lo), float(hi)


def _check_quantiles(quantiles, name="quantiles"):
    if isinstance(quantiles, (str, bytes)) or not hasattr(quantiles, "__len__"):
        raise TypeError(f"{name} must be a pair (low, high) of probabilities; got {quantiles!r}")
    if len(quantiles) != 2:
        raise ValueError(f"{name} must be a pair (low, high) of probabilities; got {quantiles!r}")
    lo, hi = (as_real(f"{name}[{i}]", q) for i, q in enumerate(quantiles))
    if not 0 <= lo <= hi <= 1:
        raise ValueError(f"{name} must satisfy 0 <= low <= high <= 1; got {quantiles!r}")


def _check_ratios(ratios, name="ratios"):
    check_array(name, ratios, ndim=1, allow_inf=True, allow_nan=True)


def sig(x: float, digits: int = 2) -> str:
    """``x`` rounded to ``digits`` significant digits, printed without exponent where short
    (``sig(278) == "280"``, ``sig(0.01534) == "0.015"``); ``inf`` and ``n/a`` (NaN) as words.
    Refuses an ``x`` that is not a real number and ``digits`` that are not an integer >= 1."""
    if not (isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))) \
            and not (isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind in "iuf"):
        raise TypeError(f"x must be a real number; got {x!r} of type {type(x).__name__}")
    digits = as_positive_int("digits", digits)
    x = float(x)
    if np.isnan(x):
        return "n/a"
    return "inf" if not np.isfinite(x) else f"{float(f'{x:.{digits}g}'):g}"


def format_spread(values, digits: int = 2, quantiles=(0.1, 0.9)) -> str:
    """``"median [low, high]"`` with ``digits`` significant digits (infinities print as
    ``inf``, NaN as ``n/a``). The quantiles are order statistics (no interpolation), so each
    number is one of the measured values, rounded. Refuses the arguments :func:`spread`
    and :func:`sig` refuse."""
    digits = as_positive_int("digits", digits)
    med, lo, hi = spread(values, quantiles)
    return f"{sig(med, digits)} [{sig(lo, digits)}, {sig(hi, digits)}]"


def faster(ratios) -> bool:
    """The book's rule for "g is faster": median ``T_f/T_g`` above 1 and ``T_f > T_g`` on at
    least 75% of the seeds. Refuses ``ratios`` that are not a non-empty 1-D array of real
    numbers (NaN and ``inf`` allowed)."""
    _check_ratios(ratios)
    r = np.asarray(ratios, dtype=float)
    return spread(r)[0] > 1 and np.mean(r > 1) >= 0.75


def slower(ratios) -> bool:
    """The same rule the other way round: f is faster.

    Refuses ``ratios`` that are not a non-empty 1-D array of real numbers (NaN and ``inf``
    allowed).
    """
    _check_ratios(ratios)
    r = np.asarray(ratios, dtype=float)
    return spread(r)[0] < 1 and np.mean(r < 1) >= 0.75


def similar(ratios) -> bool:
    """"Similar speed": median ``T_f/T_g`` within ``[2/3, 3/2]``.

    Refuses ``ratios`` that are not a non-empty 1-D array of real numbers (NaN and ``inf``
    allowed).
    """
    _check_ratios(ratios)
    return 2 / 3 <= spread(ratios)[0] <= 3 / 2


def describe(ratios) -> str:
    """One of ``"g much faster"`` (faster, median >= 2), ``"g slightly faster"``,
    ``"similar"``, ``"f slightly faster"``, ``"f much faster"`` (median <= 1/2), ``"mixed"``.

    Refuses ``ratios`` that are not a non-empty 1-D array of real numbers (NaN and ``inf`` allowed).
    """
    _check_ratios(ratios)
    med = spread(ratios)[0]
    if faster(ratios):
        return "g much faster" if med >= 2 else "g slightly faster"
    if slower(ratios):
        return "f much faster" if med <= 0.5 else "f slightly faster"
    return "similar" if similar(ratios) else "mixed"


def claims_table(T, verdicts, notes=None) -> str:
    r"""The markdown table of paper A's five claims about Figures 1-8, measured.

    ``T`` maps ``(setup key, algorithm, objective)`` to the iterations to the tolerance per
    seed (``inf``: not reached), for the algorithms ``"GD"`` (the budget of the figures),
    ``"GD-long"`` (longer runs) and ``"L-BFGS"``, the objectives ``"f"`` and ``"g"`` and the
    four setups. ``verdicts`` maps each claim ``"(a)"``-``"(e)"`` to its verdict text (the
    notebook's checks decide it); ``notes`` optionally maps a claim to text appended to its
    measured cell. The measured cells are computed here: the paired speed-ups ``T_f / T_g``
    (``"median [10%, 90%]"``, :func:`format_spread`) for (a), (b) and (e) (at ``d0 = 20``), the
    median ``T`` at ``d0 = 10`` and ``d0 = 20`` for (c), and for (d) the number of runs of
    gradient descent on the linear setups that reach the tolerance within each budget.

    Refuses ``T``, ``verdicts`` and ``notes`` that are not dicts, ``verdicts`` without one of
    the five claims and ``T`` without one of the entries above.
    """
    if notes is not None:
        as_mapping("notes", notes)
    notes = dict(notes or {})
    as_mapping("verdicts", verdicts)
    as_mapping("T", T)
    missing = {"(a)", "(b)", "(c)", "(d)", "(e)"} - set(verdicts)
    if missing:
        raise ValueError(f"verdicts is missing {sorted(missing)}")
    as_mapping("T", T, [(k, a, o) for k in ("lin10", "lin20") for a in ("GD", "GD-long", "L-BFGS")
                        for o in ("f", "g")] + [("relu20", a, o) for a in ("GD-long", "L-BFGS") for o in ("f", "g")])

    def both(key):
        return "; ".join(f"{'GD' if a == 'GD-long' else a} "
                         f"{format_spread(speedup(T[key, a, 'f'], T[key, a, 'g']))}"
                         for a in ("GD-long", "L-BFGS"))

    medians = "; ".join(f"{a} on {o}: {sig(spread(T['lin10', a, o])[0])} vs "
                        f"{sig(spread(T['lin20', a, o])[0])}"
                        for a in ("GD-long", "L-BFGS") for o in ("f", "g"))

    def reached(algo, obj):
        return int(sum(np.sum(np.isfinite(np.asarray(T[k, algo, obj], dtype=float)))
                       for k in ("lin10", "lin20")))

    n = sum(len(T[k, "GD", "f"]) for k in ("lin10", "lin20"))
    reach = (f"$f$: {reached('GD', 'f')}/{n} runs within $10^4$ steps, "
             f"{reached('GD-long', 'f')}/{n} within $10^5$; $g$: {reached('GD', 'g')}/{n} "
             f"within $10^4$, {reached('GD-long', 'g')}/{n} within $10^5$")
    rows = [("(a)", "GD and L-BFGS slightly faster on $g$, $d_0 = 10$", both("lin10")),
            ("(b)", "much faster on $g$, $d_0 = 20$", both("lin20")),
            ("(c)", "both faster when $d_0 = 10$", f"median $T$ ($d_0$ = 10 vs 20): {medians}"),
            ("(d)", "GD reaches global minima of $f$ and $g$", reach),
            ("(e)", "leaky ReLU: GD similar, L-BFGS faster on $g$, same value, MSEs not 0",
             f"{both('relu20')} ($d_0 = 20$)")]
    lines = ["| claim | paper A says | measured (median [10%, 90%] of $T_f/T_g$) | verdict |",
             "|---|---|---|---|"]
    for claim, says, measured in rows:
        if claim in notes:
            measured = f"{measured}; {notes[claim]}"
        lines.append(f"| {claim} | {says} | {measured} | {verdicts[claim]} |")
    return "\n".join(lines)


class Sweep:
    """The results of ``scripts/regularizer_data.py`` (``book/shallow/data/regularizer.json``):
    iterations to the tolerance per seed for every point of the sensitivity study.

    Points are addressed like the script's keys: algorithm (``"GD"`` or ``"L-BFGS"``), setup
    key, objective, ``x_scale``, ``mu``, ``init_scale`` and the step rule (GD) or the memory
    (L-BFGS). Runs on f do not depend on ``mu`` (stored with ``mu = 0``).

    Refuses ``data`` that is not a dict with ``"results"`` and ``"rules"``; the methods
    refuse an unknown algorithm or objective and scales or ``mu`` that are not finite
    numbers (positive for the scales, ``>= 0`` for ``mu``); a point that is not stored
    raises ``KeyError``.
    """

    def __init__(self, data: dict):
        as_mapping("data", data, ("results", "rules"))
        self.data = data
        self.results = data["results"]
        self.budget = {"GD": data["rules"]["gd_steps"], "L-BFGS": data["rules"]["lbfgs"]["max_iter"]}

    def entry(self, algorithm, setup, objective, x_scale=1.0, mu=PAPER["mu"], init_scale=1.0,
              variant=None) -> dict:
        """The stored entry of one point (``variant``: step rule, default ``"tuned"``, or memory,
        default 100).

        Refuses an unknown ``algorithm`` or ``objective``, scales that are not positive and
        finite and a ``mu`` that is negative or not finite; a point that is not stored raises
        ``KeyError``.
        """
        if algorithm not in ("GD", "L-BFGS") or not isinstance(algorithm, str):
            raise ValueError(f"algorithm must be 'GD' or 'L-BFGS'; got {algorithm!r}")
        if objective not in ("f", "g") or not isinstance(objective, str):
            raise ValueError(f"objective must be 'f' or 'g'; got {objective!r}")
        x_scale, init_scale = as_positive_float("x_scale", x_scale), as_positive_float("init_scale", init_scale)
        mu = as_nonnegative_float("mu", mu)
        if variant is None:
            variant = "tuned" if algorithm == "GD" else 100
        m = 0.0 if objective == "f" else float(mu)
        key = json.dumps([algorithm, setup, objective, float(x_scale), m, float(init_scale), variant])
        if key not in self.results:
            raise KeyError(f"no such point in the sweep: {key}")
        return self.results[key]

    def _check(self, algorithm, kw):
        """The checks of :meth:`entry`, before any lookup."""
        if algorithm not in ("GD", "L-BFGS") or not isinstance(algorithm, str):
            raise ValueError(f"algorithm must be 'GD' or 'L-BFGS'; got {algorithm!r}")
        for name, check in (("x_scale", as_positive_float), ("init_scale", as_positive_float),
                            ("mu", as_nonnegative_float)):
            if name in kw:
                check(name, kw[name])

    def T(self, *args, **kw) -> np.ndarray:
        """Iterations to the tolerance per seed (``inf``: not within the budget).

        Refuses the arguments :meth:`entry` refuses.
        """
        return np.array([np.inf if t is None else t for t in self.entry(*args, **kw)["T"]])

    def capped(self, algorithm, setup, **kw) -> bool:
        """Whether most runs on g did not reach the tolerance within the budget (then the
        median ratio of :meth:`ratio` is only an upper bound).

        Refuses the arguments :meth:`entry` refuses.
        """
        self._check(algorithm, kw)
        return bool(np.mean(~np.isfinite(self.T(algorithm, setup, "g", **kw))) > 0.5)

    def ratio(self, algorithm, setup, **kw) -> np.ndarray:
        """Paired ``T_f / T_g`` per seed, with runs that did not reach the tolerance counted
        at the budget (so a ratio is a bound when one of the two did not get there).

        Refuses the arguments :meth:`entry` refuses.
        """
        self._check(algorithm, kw)
        cap = self.budget[algorithm]
        t_f = np.minimum(self.T(algorithm, setup, "f", **kw), cap)
        t_g = np.minimum(self.T(algorithm, setup, "g", **kw), cap)
        return t_f / t_g
