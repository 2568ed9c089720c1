"""Cross-cutting (named for what it checks, not after a module): every public entry point of
``landscape`` refuses bad input with an error naming the argument.

A table of rows ``(entry point, bad call, exception type, argument name)``: each bad call must
raise that exception type (``ValueError`` or ``TypeError``), with a message that contains the
argument's name. ``test_every_entry_point_is_covered`` lists the public API (each module's
``__all__`` and the public methods of its public classes) and fails when an entry point has
neither a row nor a stated reason in :data:`EXEMPT`, so the table grows with the API.

To add rows: build the bad call as a ``lambda`` (or use one of the families below, which
produce the usual bad arrays, scalars, integers and seeds for one argument) and append it
with :func:`add`.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil

import numpy as np
import pytest

import landscape

#: Every public module of the package, subpackages included (found, not listed: a new module is
#: walked automatically).
MODULES = sorted(m.name for m in pkgutil.walk_packages(landscape.__path__, "landscape.")
                 if not any(part.startswith("_") for part in m.name.split(".")) and not m.ispkg)
#: Module names that may lead a row's key ("critical.survey"): keys name the entry point by its
#: public name alone (``name`` or ``Class.method``), which is unique in the package
#: (:func:`test_public_names_are_unique`), so a leading module name is dropped.
_MODULE_WORDS = {m.rsplit(".", 1)[-1] for m in MODULES} | {
    "conditions", "critical", "deep_training", "training", "spectrum", "stationary", "saddles",
    "nonlinear", "probe"}


def entry_key(entry: str) -> str:
    """``"critical.survey"`` -> ``"survey"``; ``"shallow.ShallowProblem.value"`` ->
    ``"ShallowProblem.value"``; keys without a module are unchanged."""
    head, _, rest = entry.partition(".")
    return rest if rest and head in _MODULE_WORDS else entry

#: Entry points without a bad-input row, and why.
EXEMPT = {
    # the protocol of the models: an interface, implemented (and tested) by the models
    **{f"protocol.Model{m}": "a typing.Protocol (the interface the models implement)" for m in
       ("", ".value", ".gradient", ".hessian_vector_product", ".pack", ".unpack")},
    # no arguments
    "shallow.ShallowProblem.global_minimum": "no arguments",
    "shallow.ShallowProblem.balanced_minimizer": "no arguments",
    "training.ProblemStack.global_minimum": "no arguments",
    "experiments.Batch.min_mse": "no arguments",
    "losses.Loss.minimum": "no arguments",
    "losses.Quadratic.minimum": "no arguments",
    "losses.Huber.minimum": "no arguments",
    "losses.SoftmaxCrossEntropy.minimum": "no arguments",
    "losses.WeightedQuadratic.minimum": "no arguments",
    "losses.Custom.minimum": "no arguments",
    "plotting.use_style": "no arguments",
    "plotting.style": "no arguments",
    "multistart.lemma2_cases": "no arguments",
    "multistart.tanh_instance": "no arguments",
    "critical.Survey.counts": "no arguments",
    "critical.Survey.residuals": "no arguments",
    "ledger.Ledger.counts": "no arguments",
    "losses.Quadratic.minimizer": "closed form; its arguments are ignored (kept for the Loss interface)",
    "losses.WeightedQuadratic.minimizer": "closed form; its arguments are ignored (kept for the Loss interface)",
    "losses.Loss": "abstract base class (no constructor arguments)",
    "losses.Loss.value": "abstract; the rows of the concrete losses check it",
    "losses.Loss.gradient": "abstract; the rows of the concrete losses check it",
    "losses.Loss.value_and_gradient": "abstract; the rows of the concrete losses check it",
    "losses.Loss.hessian_vector_product": "abstract; the rows of the concrete losses check it",
    "losses.Loss.minimizer": "abstract; the rows of the concrete losses check it",
    "saddles.Landscape2D": "its instances are the module's constants (callables of the library)",
    # the internal API every method of a model runs on its weights (lib/README.md): each method's
    # rows above exercise it
    "ShallowProblem.as_weights": "internal API, exercised by every method's rows",
    "ProblemStack.as_weights": "internal API, exercised by every method's rows",
    "DeepLinearNetwork.as_weights": "internal API, exercised by every method's rows",
    "MultiTowerNetwork.as_weights": "internal API, exercised by every method's rows",
}
#: Result records (frozen dataclasses returned by the library): built by the library, not by users.
RECORDS = {
    "critical.CriticalPoint", "critical.CurvatureDirection", "critical.FlatDirections",
    "critical.Pattern", "critical.SaddleCheck", "critical.SearchResult", "critical.Survey",
    "conditions.Verdict", "training.LBFGSResult", "training.LBFGSRun",
    "training.Minimization", "training.Run", "experiments.Batch", "experiments.Curves",
    "experiments.TuneResult", "stationary.Search", "probe.CriticalReport", "probe.DescentReport",
    "probe.TransportReport", "deep.BottleneckCut", "deep.Lemma1Trace",
    "deep_training.HessianReport", "curvature.PackedModel", "deep_training.StartRecord",
    "nonlinear.TanhEnd", "ledger.Claim", "ledger.Record", "ledger.Ledger", "critical.TieDependence",
    "deep_training.MinimumCertificate", "ties.TieCircle", "walkthrough.Row", "walkthrough.Walkthrough",
    "ties.TieRotations",
}
def public_entry_points() -> list[str]:
    """``module.function``, ``module.Class`` (its constructor) and ``module.Class.method``."""
    out = []
    for m in MODULES:
        mod = importlib.import_module(m)
        for name in mod.__all__:
            obj = getattr(mod, name)
            if inspect.isclass(obj):
                out.append(name)
                for meth in sorted(dir(obj)):
                    if not meth.startswith("_") and callable(getattr(obj, meth)):
                        out.append(f"{name}.{meth}")
            elif callable(obj):
                out.append(name)
    return out


def public(name: str):
    """The object the package exports under the public ``name`` (names are unique)."""
    for m in MODULES:
        mod = importlib.import_module(m)
        if name in mod.__all__:
            return getattr(mod, name)
    raise KeyError(name)


def test_public_names_are_unique():
    """A name means one thing: no two modules export the same public name."""
    seen = {}
    for m in MODULES:
        for name in importlib.import_module(m).__all__:
            assert name not in seen, f"{name} is exported by {seen[name]} and {m}"
            seen[name] = m


# ----------------------------------------------------------------------------- the table
ROWS: list = []


def add(entry: str, call, exc, arg: str, label: str = ""):
    """One row: ``call()`` must raise ``exc`` with ``arg`` in its message."""
    ROWS.append((entry_key(entry), call, exc, arg, label))


def _with(a, index, value):
    a = np.array(a, dtype=float)
    a[index] = value
    return a


def bad_arrays(good, batch=False, shape=True, skip=()):
    """``(label, bad value, exception)`` for an array argument whose valid value is ``good``."""
    good = np.asarray(good, dtype=float)
    first = (0,) * good.ndim
    out = [
        ("nan", _with(good, first, np.nan), ValueError),
        ("inf", _with(good, first, np.inf), ValueError),
        ("complex", good + 1j, TypeError),
        ("strings", np.full(good.shape, "a"), TypeError),
        ("bool", np.zeros(good.shape, bool), TypeError),
        ("object", np.array([None] * good.size, dtype=object).reshape(good.shape), TypeError),
        ("scalar", 1.0, ValueError),
        ("empty", np.zeros((0,) * good.ndim), ValueError),
    ]
    if good.ndim >= 2:
        out.append(("1-D", good.ravel(), ValueError))
    if not batch:
        out.append(("extra axis", good[None], ValueError))
    if shape:
        out.append(("wrong shape", np.zeros(good.shape[:-1] + (good.shape[-1] + 1,)), ValueError))
    return [row for row in out if row[0] not in skip]


def add_arrays(entry, make, arg, good, **kw):
    for label, value, exc in bad_arrays(good, **kw):
        add(entry, functools.partial(make, value), exc, arg, label)


BAD_POSITIVE = [("nan", np.nan, ValueError), ("inf", np.inf, ValueError), ("negative", -1.0, ValueError),
                ("zero", 0.0, ValueError), ("string", "1", TypeError), ("complex", 1j, TypeError),
                ("bool", True, TypeError), ("none", None, TypeError)]
BAD_NONNEGATIVE = [r for r in BAD_POSITIVE if r[0] != "zero"]
BAD_REAL = [r for r in BAD_POSITIVE if r[0] not in ("zero", "negative")]
BAD_COUNT = [("zero", 0, ValueError), ("negative", -2, ValueError), ("fraction", 2.5, TypeError),
             ("float", 2.0, TypeError), ("string", "3", TypeError), ("bool", True, TypeError),
             ("none", None, TypeError)]
BAD_NONNEG_COUNT = [r for r in BAD_COUNT if r[0] != "zero"]
BAD_SEEDS = [("empty", [], ValueError), ("negative", [-1], ValueError), ("fraction", [1.5], TypeError),
             ("string", "abc", TypeError), ("number", 5, TypeError), ("none", None, TypeError)]
BAD_RNG = [("int", 0, TypeError), ("none", None, TypeError),
           ("legacy", np.random.RandomState(0), TypeError)]
BAD_BATCH = [("negative", (-1,), ValueError), ("fraction", (2.5,), TypeError), ("string", "ab", TypeError)]


def add_family(entry, make, arg, family):
    for label, value, exc in family:
        add(entry, functools.partial(make, value), exc, arg, label)


from landscape import canonical
from landscape.book import display  # noqa: E402
from landscape.book import ledger  # noqa: E402
from landscape.book import plotting  # noqa: E402
from landscape.book import reproducibility  # noqa: E402
from landscape.book import widgets  # noqa: E402
from landscape.models import deep  # noqa: E402
from landscape.models import losses  # noqa: E402
from landscape.models import shallow  # noqa: E402
from landscape.models.tanh import TanhNetwork  # noqa: E402
from landscape.models import toy2d  # noqa: E402
from landscape.models import protocol  # noqa: E402
from landscape.optim import certify  # noqa: E402
from landscape.optim import critical_points as critical_search  # noqa: E402
from landscape.optim import curvature  # noqa: E402
from landscape.optim import descent  # noqa: E402
from landscape.optim import lbfgs as lbfgs_mod  # noqa: E402
from landscape.optim import starts  # noqa: E402
from landscape.studies import beyond  # noqa: E402
from landscape.studies import conjecture as probe  # noqa: E402
from landscape.studies import corollary1  # noqa: E402
from landscape.studies import corollary2  # noqa: E402
from landscape.studies import experiment_plots  # noqa: E402
from landscape.studies import experiments  # noqa: E402
from landscape.studies import lemma1 as lemma1_study  # noqa: E402
from landscape.studies import multistart  # noqa: E402
from landscape.studies import walkthrough  # noqa: E402
from landscape.theory.paper_a import lemma1 as a_lemma1  # noqa: E402
from landscape.theory.paper_a import lemma2  # noqa: E402
from landscape.theory.paper_a import table1 as conditions  # noqa: E402
from landscape.theory.paper_a import ties  # noqa: E402
from landscape.theory import paper_b  # noqa: E402

# ------------------------------------------------------------------------------ fixtures

_rng = np.random.default_rng(0)
X = _rng.standard_normal((3, 8))
Y = _rng.standard_normal((2, 8))
P = shallow.ShallowProblem(X, Y, 2, mu=0.5)
P0 = shallow.ShallowProblem(X, Y, 2)
W1, W2 = P.random_weights(np.random.default_rng(1))
B1, B2 = P.random_weights(np.random.default_rng(2), batch=(3,))
STACK = shallow.ProblemStack([P, shallow.ShallowProblem(X, -Y, 2, mu=0.5)])
S1, S2 = STACK.random_weights(np.random.default_rng(3))
CP = a_lemma1.critical_points(P)
SADDLE = next(c for c in CP if not c.is_global)
GEN = np.random.default_rng


def big_problem():
    """A problem with a million parameters (its dense Hessian would take 7.3 TiB)."""
    return _big()[0]


@functools.lru_cache(maxsize=None)
def _big():
    rng = np.random.default_rng(0)
    Xb = rng.standard_normal((1000, 1002))
    Yb = rng.standard_normal((1000, 1002))
    p = shallow.ShallowProblem(Xb, Yb, 500)
    Wb1, Wb2 = np.zeros((500, 1000)), np.zeros((1000, 500))
    q = losses.Quadratic(Xb, Yb)
    net = deep.DeepLinearNetwork((1000, 1000, 1000), q)
    tower = deep.MultiTowerNetwork([(1000, 1000, 1000)], q)
    tanh = TanhNetwork(Xb, Yb, 500)
    return p, Wb1, Wb2, net, tower, tanh


# ---------------------------------------------------------------------------- shallow
SP = "shallow.ShallowProblem"
add_arrays(SP, lambda v: shallow.ShallowProblem(v, Y, 2), "X", X)
add_arrays(SP, lambda v: shallow.ShallowProblem(X, v, 2), "Y", Y, shape=False)
add(SP, lambda: shallow.ShallowProblem(X, Y[:, :7], 2), ValueError, "Y", "sample count")
add_family(SP, lambda v: shallow.ShallowProblem(X, Y, v), "hidden", BAD_COUNT)
add_family(SP, lambda v: shallow.ShallowProblem(X, Y, 2, mu=v), "mu", BAD_NONNEGATIVE)
add(SP, lambda: shallow.ShallowProblem(np.ones((3, 8)), Y, 2), ValueError, "X", "rank")
add(SP, lambda: shallow.ShallowProblem(GEN(0).standard_normal((2, 30000)), np.ones((1, 30000)), 1), ValueError,
    "X", "dense size")
add_family(f"{SP}.with_mu", lambda v: P.with_mu(v), "mu", BAD_NONNEGATIVE)
for meth in ("f", "rho", "value", "gradient", "gradient_norm", "hessian", "pack"):
    batch = meth not in ("hessian", "pack")
    add_arrays(f"{SP}.{meth}", lambda v, m=meth: getattr(P, m)(v, W2), "W1", W1, batch=batch)
    add_arrays(f"{SP}.{meth}", lambda v, m=meth: getattr(P, m)(W1, v), "W2", W2, batch=batch)
add(f"{SP}.value", lambda: P.value(B1, W2[None].repeat(2, 0)), ValueError, "W1", "batch shapes")
for arg, i in (("W1", 0), ("W2", 1), ("V1", 2), ("V2", 3)):
    good = [W1, W2, W1, W2]
    add_arrays(f"{SP}.hessian_vector_product",
               lambda v, i=i, good=good: P.hessian_vector_product(*[v if j == i else g for j, g in enumerate(good)]),
               arg, good[i], batch=True)
add_arrays(f"{SP}.unpack", lambda v: P.unpack(v), "theta", P.pack(W1, W2), batch=True)
add_family(f"{SP}.random_weights", lambda v: P.random_weights(v), "rng", BAD_RNG)
add_family(f"{SP}.random_weights", lambda v: P.random_weights(GEN(0), scale=v), "scale", BAD_NONNEGATIVE)
add_family(f"{SP}.random_weights", lambda v: P.random_weights(GEN(0), batch=v), "batch", BAD_BATCH)
add(f"{SP}.hessian", lambda: big_problem().hessian(*_big()[1:3]), ValueError, "W1", "dense size")

# --------------------------------------------------------------------------- training
ST = "training.ProblemStack"
add(ST, lambda: shallow.ProblemStack([]), ValueError, "problems", "empty")
add(ST, lambda: shallow.ProblemStack([P, 3]), TypeError, "problems", "not a problem")
add(ST, lambda: shallow.ProblemStack([P, P0]), ValueError, "problems", "different mu")
add(ST, lambda: shallow.ProblemStack([P, shallow.ShallowProblem(X, Y, 1, 0.5)]), ValueError, "problems",
    "different widths")
add(ST, lambda: shallow.ProblemStack(5), TypeError, "problems", "not a sequence")
add_family(f"{ST}.with_mu", lambda v: STACK.with_mu(v), "mu", BAD_NONNEGATIVE)
for meth in ("f", "rho", "value", "gradient", "mse_objective"):
    add_arrays(f"{ST}.{meth}", lambda v, m=meth: getattr(STACK, m)(v, S2), "W1", S1, batch=True)
    add_arrays(f"{ST}.{meth}", lambda v, m=meth: getattr(STACK, m)(S1, v), "W2", S2, batch=True)
    add(f"{ST}.{meth}", lambda m=meth: getattr(STACK, m)(W1, W2), ValueError, "W1", "no stack axis")
add_family(f"{ST}.random_weights", lambda v: STACK.random_weights(v), "rng", BAD_RNG)
add_family(f"{ST}.random_weights", lambda v: STACK.random_weights(GEN(0), scale=v), "scale", BAD_NONNEGATIVE)
add_family(f"{ST}.random_weights", lambda v: STACK.random_weights(GEN(0), batch=v), "batch", BAD_BATCH)

GD = "training.gradient_descent"
add(GD, lambda: descent.gradient_descent("P", (W1, W2), 0.01, 3), TypeError, "model")
add(GD, lambda: descent.gradient_descent(P, W1, 0.01, 3), TypeError, "weights", "one array")
add(GD, lambda: descent.gradient_descent(P, (W1,), 0.01, 3), TypeError, "weights", "one of two")
add_arrays(GD, lambda v: descent.gradient_descent(P, (v, W2), 0.01, 3), "W1", W1, batch=True)
add_arrays(GD, lambda v: descent.gradient_descent(P, (W1, v), 0.01, 3), "W2", W2, batch=True)
add_family(GD, lambda v: descent.gradient_descent(P, (W1, W2), v, 3), "step", BAD_POSITIVE)
add(GD, lambda: descent.gradient_descent(P, (W1, W2), [0.1, np.nan], 3), ValueError, "step", "nan in array")
add(GD, lambda: descent.gradient_descent(P, (W1, W2), [], 3), ValueError, "step", "empty array")
add(GD, lambda: descent.gradient_descent(P, (W1, W2), ["a"], 3), TypeError, "step", "string array")
add(GD, lambda: descent.gradient_descent(P, (B1, B2), [0.1, 0.2], 3), ValueError, "step", "broadcast")
add_family(GD, lambda v: descent.gradient_descent(P, (W1, W2), 0.01, v), "n_steps", BAD_NONNEG_COUNT)
add_family(GD, lambda v: descent.gradient_descent(P, (W1, W2), 0.01, 3, record_every=v), "record_every",
           BAD_COUNT)
add(GD, lambda: descent.gradient_descent(P, (W1, W2), 0.01, 3, metrics=[len]), TypeError, "metrics")
add(GD, lambda: descent.gradient_descent(P, (W1, W2), 0.01, 3, metrics={"rho": len}), ValueError, "metrics",
    "named like a recorded term")
add_family(GD, lambda v: descent.gradient_descent(P, (W1, W2), 0.01, 3, target=v), "target",
           BAD_REAL[:1] + BAD_REAL[2:-1])
add(GD, lambda: descent.gradient_descent(P, (W1, W2), 0.01, 3, stop_when_all_hit="no"), TypeError,
    "stop_when_all_hit")
add(GD, lambda: descent.gradient_descent(NET, MS[:2], 0.1, 2), ValueError, "Ms", "deep: a layer missing")
add(GD, lambda: descent.gradient_descent(NET, [MS[0] + 1j, MS[1], MS[2]], 0.1, 2), TypeError, "M1",
    "deep: complex layer")
add(GD, lambda: descent.gradient_descent(NET, np.zeros(3), 0.1, 2), TypeError, "weights", "deep: an array")
add(GD, lambda: descent.gradient_descent(toy2d.STRICT_SADDLE, [[0.5, 0.5, 0.5]], 0.1, 2), ValueError, "trailing",
    "2-D landscape: three coordinates")
add_arrays(GD, lambda v: descent.gradient_descent(toy2d.STRICT_SADDLE, [v], 0.1, 3), "p", [0.5, 0.5],
           batch=True, shape=False)
AM = "protocol.as_model"
add(AM, lambda: protocol.as_model("P"), TypeError, "model")
add(AM, lambda: protocol.as_model(3.0), TypeError, "model", "a number")

LB = "training.lbfgs"
add(LB, lambda: lbfgs_mod.lbfgs(STACK, (S1, S2)), TypeError, "objective")
add_arrays(LB, lambda v: lbfgs_mod.lbfgs(P, (v, W2)), "W1", W1)
add_arrays(LB, lambda v: lbfgs_mod.lbfgs(P, (W1, v)), "W2", W2)
add(LB, lambda: lbfgs_mod.lbfgs(P, W1), TypeError, "weights", "not a pair")
add(LB, lambda: lbfgs_mod.lbfgs(NET, MS[:2]), ValueError, "Ms")
add_arrays(LB, lambda v: lbfgs_mod.lbfgs(lambda x: (float(x @ x), 2 * x), v), "start", np.ones(3), shape=False)
add_family(LB, lambda v: lbfgs_mod.lbfgs(P, (W1, W2), maxiter=v), "maxiter", BAD_COUNT)
add_family(LB, lambda v: lbfgs_mod.lbfgs(P, (W1, W2), maxfun=v), "maxfun", [r for r in BAD_COUNT if r[0] != "none"])
add_family(LB, lambda v: lbfgs_mod.lbfgs(P, (W1, W2), gtol=v), "gtol", BAD_NONNEGATIVE)
add_family(LB, lambda v: lbfgs_mod.lbfgs(P, (W1, W2), ftol=v), "ftol", BAD_NONNEGATIVE)
add_family(LB, lambda v: lbfgs_mod.lbfgs(P, (W1, W2), memory=v), "memory", BAD_COUNT)
add_family(LB, lambda v: lbfgs_mod.lbfgs(NET, MS, target=v), "target", BAD_REAL[:1] + BAD_REAL[2:-1])
add(LB, lambda: lbfgs_mod.lbfgs(P, (W1, W2), record={"a": 1}), TypeError, "record")

BL = "training.batched_lbfgs"
add(BL, lambda: lbfgs_mod.batched_lbfgs([P], B1, B2), TypeError, "problem")
add_arrays(BL, lambda v: lbfgs_mod.batched_lbfgs(P, v, B2, max_iter=3), "W1", B1, batch=True)
add_arrays(BL, lambda v: lbfgs_mod.batched_lbfgs(P, B1, v, max_iter=3), "W2", B2, batch=True)
for arg in ("memory", "max_iter", "max_fev", "max_ls"):
    add_family(BL, lambda v, a=arg: lbfgs_mod.batched_lbfgs(P, B1, B2, **{a: v}), arg, BAD_COUNT)
add_family(BL, lambda v: lbfgs_mod.batched_lbfgs(P, B1, B2, prog_tol=v), "prog_tol", BAD_NONNEGATIVE)
add_family(BL, lambda v: lbfgs_mod.batched_lbfgs(P, B1, B2, c1=v), "c1", BAD_REAL)
add_family(BL, lambda v: lbfgs_mod.batched_lbfgs(P, B1, B2, c2=v), "c2", BAD_REAL)
add(BL, lambda: lbfgs_mod.batched_lbfgs(P, B1, B2, c1=0.9, c2=0.5), ValueError, "c1", "c1 > c2")

_quad = lambda x: (np.sum(x * x, axis=-1), 2 * x, np.zeros(x.shape[:-1] + (1,)))  # noqa: E731
ML = "training.minimize_lbfgs"
add(ML, lambda: lbfgs_mod.minimize_lbfgs("f", np.ones(3)), TypeError, "fun")
add_arrays(ML, lambda v: lbfgs_mod.minimize_lbfgs(_quad, v, max_iter=3), "x0", np.ones((2, 3)), batch=True,
           shape=False, skip=("1-D",))
for arg in ("memory", "max_iter", "max_fev", "max_ls"):
    add_family(ML, lambda v, a=arg: lbfgs_mod.minimize_lbfgs(_quad, np.ones(3), **{a: v}), arg, BAD_COUNT)
add_family(ML, lambda v: lbfgs_mod.minimize_lbfgs(_quad, np.ones(3), prog_tol=v), "prog_tol", BAD_NONNEGATIVE)
add(ML, lambda: lbfgs_mod.minimize_lbfgs(_quad, np.ones(3), record={"a": 2}), TypeError, "record")

LE = "training.largest_eigenvalue"
add(LE, lambda: curvature.largest_eigenvalue("P", (W1, W2)), TypeError, "model")
add_arrays(LE, lambda v: curvature.largest_eigenvalue(P, (v, W2)), "W1", W1)
add_arrays(LE, lambda v: curvature.largest_eigenvalue(P, (W1, v)), "W2", W2)
add(LE, lambda: curvature.largest_eigenvalue(P, (B1, B2)), ValueError, "W1", "batch")
add(LE, lambda: curvature.largest_eigenvalue(NET, MS[:2]), ValueError, "Ms")
SC = "training.step_from_curvature"
add(SC, lambda: curvature.step_from_curvature(STACK), TypeError, "model")
add(SC, lambda: curvature.step_from_curvature(NET), TypeError, "weights", "no default")
add_family(SC, lambda v: curvature.step_from_curvature(P, fraction=v), "fraction", BAD_POSITIVE)
add_arrays(SC, lambda v: curvature.step_from_curvature(P, (v, W2)), "W1", W1)
PK = "curvature.packed"
add(PK, lambda: curvature.packed("P"), TypeError, "model")
add(PK, lambda: curvature.packed(STACK), TypeError, "model", "stack")

# -------------------------------------------------------------------------- stationary
HV = "stationary.hessian_vector_product"
add(HV, lambda: curvature.hessian_vector_product(None, W1, W2, W1, W2), TypeError, "problem")
for arg, i in (("W1", 0), ("W2", 1), ("V1", 2), ("V2", 3)):
    good = [W1, W2, W1, W2]
    add_arrays(HV, lambda v, i=i, good=good: curvature.hessian_vector_product(
        P, *[v if j == i else g for j, g in enumerate(good)]), arg, good[i], batch=True)
FC = "minimize_gradient_norm"
add(FC, lambda: critical_search.minimize_gradient_norm(3, B1, B2), TypeError, "problem")
add_arrays(FC, lambda v: critical_search.minimize_gradient_norm(P, v, B2, max_iter=3), "W1", B1, batch=True)
add_arrays(FC, lambda v: critical_search.minimize_gradient_norm(P, B1, v, max_iter=3), "W2", B2, batch=True)
add_family(FC, lambda v: critical_search.minimize_gradient_norm(P, B1, B2, max_iter=v), "max_iter", BAD_COUNT)
add_family(FC, lambda v: critical_search.minimize_gradient_norm(P, B1, B2, memory=v), "memory", BAD_COUNT)
CL = "conjecture.sort_point"
add(CL, lambda: probe.sort_point(STACK, W1, W2, 1e-8), TypeError, "p")
add_arrays(CL, lambda v: probe.sort_point(P, v, W2, 1e-8), "W1", W1)
add_arrays(CL, lambda v: probe.sort_point(P, W1, v, 1e-8), "W2", W2)
add_family(CL, lambda v: probe.sort_point(P, W1, W2, v), "tol", BAD_NONNEGATIVE)
add(CL, lambda: probe.sort_point(big_problem(), *_big()[1:3], 1e-8), ValueError, "W1", "dense size")
ES = "stationary.escapes"
add(ES, lambda: probe.escapes(STACK, W1, W2, GEN(0)), TypeError, "problem")
add_arrays(ES, lambda v: probe.escapes(P, v, W2, GEN(0), n_steps=2), "W1", W1)
add_arrays(ES, lambda v: probe.escapes(P, W1, v, GEN(0), n_steps=2), "W2", W2)
add_family(ES, lambda v: probe.escapes(P, W1, W2, v), "rng", BAD_RNG)
add_family(ES, lambda v: probe.escapes(P, W1, W2, GEN(0), radius=v, n_steps=2), "radius", BAD_POSITIVE)
add_family(ES, lambda v: probe.escapes(P, W1, W2, GEN(0), n_tries=v, n_steps=2), "n_tries", BAD_COUNT)
add_family(ES, lambda v: probe.escapes(P, W1, W2, GEN(0), n_steps=v), "n_steps", BAD_COUNT)
add_family(ES, lambda v: probe.escapes(P, W1, W2, GEN(0), n_steps=2, step=v), "step",
           [r for r in BAD_POSITIVE if r[0] != "none"])
add(ES, lambda: probe.escapes(big_problem(), *_big()[1:3], GEN(0)), ValueError, "W1", "dense size")

# ---------------------------------------------------------------------------- spectrum
HO = "spectrum.hessian_operator"
add(HO, lambda: curvature.hessian_operator(STACK, W1, W2), TypeError, "problem")
add_arrays(HO, lambda v: curvature.hessian_operator(P, v, W2), "W1", W1)
add_arrays(HO, lambda v: curvature.hessian_operator(P, W1, v), "W2", W2)
SE = "spectrum.smallest_eigenvalue"
add_arrays(SE, lambda v: curvature.smallest_eigenvalue(P, v, W2), "W1", W1)
add_arrays(SE, lambda v: curvature.smallest_eigenvalue(P, W1, v), "W2", W2)
add(SE, lambda: curvature.smallest_eigenvalue(P, W1, W2, method="qr"), ValueError, "method")
add(SE, lambda: curvature.smallest_eigenvalue(STACK, S1, S2), TypeError, "problem")
add_family(SE, lambda v: curvature.smallest_eigenvalue(P, W1, W2, method="lanczos", tol=v), "tol", BAD_NONNEGATIVE)
add_family(SE, lambda v: curvature.smallest_eigenvalue(P, W1, W2, method="lanczos", seed=v), "seed",
           [("negative", -1, ValueError), ("fraction", 0.5, TypeError), ("string", "0", TypeError)])
add(SE, lambda: curvature.smallest_eigenvalue(big_problem(), *_big()[1:3], method="dense"), ValueError, "W1",
    "dense size")
for entry in ("hessian_vector_products",):
    for arg, i in (("W1", 0), ("W2", 1), ("V1", 2), ("V2", 3)):
        good = [W1, W2, W1, W2]
        add_arrays(f"spectrum.{entry}", lambda v, i=i, good=good: curvature.hessian_vector_products(
            P, *[v if j == i else g for j, g in enumerate(good)]), arg, good[i], batch=True)
for entry in ("hessians", "smallest_eigenvalues"):
    fn = public(entry)
    add(f"spectrum.{entry}", lambda fn=fn: fn("P", W1, W2), TypeError, "problem")
    add_arrays(f"spectrum.{entry}", lambda v, fn=fn: fn(P, v, W2), "W1", W1, batch=True)
    add_arrays(f"spectrum.{entry}", lambda v, fn=fn: fn(P, W1, v), "W2", W2, batch=True)
    add(f"spectrum.{entry}", lambda fn=fn: fn(big_problem(), *_big()[1:3]), ValueError, "W1", "dense size")

# ---------------------------------------------------------------------------- critical
CR = "critical"
add_arrays(f"{CR}.singular_value_blocks", lambda v: a_lemma1.singular_value_blocks(v), "lam", [3.0, 2.0, 1.0],
           shape=False, skip=("empty",))  # no values: no blocks
add_family(f"{CR}.singular_value_blocks", lambda v: a_lemma1.singular_value_blocks([2.0, 1.0], rtol=v), "rtol",
           BAD_NONNEGATIVE)
add_family(f"{CR}.count_critical_points", lambda v: a_lemma1.count_critical_points(v, 2), "r",
           BAD_NONNEG_COUNT)
add_family(f"{CR}.count_critical_points", lambda v: a_lemma1.count_critical_points(2, v), "d1", BAD_COUNT)
add(f"{CR}.is_global_support", lambda: a_lemma1.is_global_support("P", (0,)), TypeError, "problem")
add_family(f"{CR}.is_global_support", lambda v: a_lemma1.is_global_support(P, (0,), rtol=v), "rtol",
           BAD_NONNEGATIVE)
add(f"{CR}.is_global_support", lambda: a_lemma1.is_global_support(P, (0.5,)), TypeError, "support",
    "support")
add(f"{CR}.critical_point", lambda: a_lemma1.critical_point(None, ()), TypeError, "problem")
add(f"{CR}.critical_point", lambda: a_lemma1.critical_point(P, (0.7,)), TypeError, "support", "support")
add(f"{CR}.critical_point", lambda: a_lemma1.critical_point(P, (5,)), ValueError, "support")
add(f"{CR}.critical_point", lambda: a_lemma1.critical_point(P, (0,), R=np.full((2, 2), np.nan)), ValueError,
    "R")
add(f"{CR}.critical_point", lambda: a_lemma1.critical_point(P, (0,), R=np.eye(2) + 1j), TypeError, "R")
add(f"{CR}.critical_point", lambda: a_lemma1.critical_point(P, (0,), R=np.eye(3)), ValueError, "R")
add(f"{CR}.critical_point", lambda: a_lemma1.critical_point(P, (0,), basis=(np.eye(2),)), ValueError, "basis")
add(f"{CR}.critical_point", lambda: a_lemma1.critical_point(P, (0,), basis=(np.eye(2), np.eye(2))),
    ValueError, "basis")
add(f"{CR}.critical_point", lambda: a_lemma1.critical_point(P, (0,), basis=(np.eye(2), np.full((3, 2), np.nan))),
    ValueError, "basis")
add(f"{CR}.critical_points", lambda: a_lemma1.critical_points(STACK), TypeError, "problem")
add_family(f"{CR}.critical_points", lambda v: a_lemma1.critical_points(P, rng=v), "rng", BAD_RNG[:1] + BAD_RNG[2:])
add_family(f"{CR}.critical_points", lambda v: a_lemma1.critical_points(P, max_points=v), "max_points", BAD_COUNT)
add(f"{CR}.saddle_bound", lambda: lemma2.saddle_bound("P"), TypeError, "problem")
add(f"{CR}.saddle_bound", lambda: lemma2.saddle_bound(P, literal="yes"), TypeError, "literal")
add(f"{CR}.smallest_eigenvalues_at", lambda: lemma2.smallest_eigenvalues_at(None, CP), TypeError, "problem")
add(f"{CR}.smallest_eigenvalues_at", lambda: lemma2.smallest_eigenvalues_at(P, [1, 2]), TypeError, "points")
add(f"{CR}.smallest_eigenvalues_at", lambda: lemma2.smallest_eigenvalues_at(P, 5), TypeError, "points")
add(f"{CR}.smallest_eigenvalues_at", lambda: lemma2.smallest_eigenvalues_at(P, a_lemma1.critical_points(P0)[:1]
                                                                               + [a_lemma1.CriticalPoint(
                                                                                   W1[:1], W2, (), False, 0.0)]),
    ValueError, "W1", "wrong shape")
add(f"{CR}.smallest_eigenvalues_at",
    lambda: lemma2.smallest_eigenvalues_at(big_problem(), [a_lemma1.CriticalPoint(*_big()[1:3], (), True, 0.0)]),
    ValueError, "points", "dense size")
add(f"{CR}.check_saddles", lambda: lemma2.check_saddles(STACK), TypeError, "problem")
add_family(f"{CR}.check_saddles", lambda v: lemma2.check_saddles(P, rng=v), "rng", BAD_RNG[:1] + BAD_RNG[2:])
PS = f"{CR}.problem_with_spectrum"
add_arrays(PS, lambda v: a_lemma1.problem_with_spectrum(v, 3, 2, 2, rng=GEN(0)), "lam", [2.0, 1.0], shape=False,
           skip=("scalar",))
add(PS, lambda: a_lemma1.problem_with_spectrum([2.0, -1.0], 3, 2, 2, rng=GEN(0)), ValueError, "lam", "negative")
add(PS, lambda: a_lemma1.problem_with_spectrum([3.0, 2.0, 1.0], 3, 2, 2, rng=GEN(0)), ValueError, "lam", "too many")
for arg, i in (("d0", 1), ("d1", 2), ("d2", 3)):
    add_family(PS, lambda v, i=i: a_lemma1.problem_with_spectrum(
        [1.0], *[v if j == i else 3 for j in (1, 2, 3)], rng=GEN(0)), arg, BAD_COUNT)
add_family(PS, lambda v: a_lemma1.problem_with_spectrum([1.0], 3, 2, 2, mu=v, rng=GEN(0)), "mu", BAD_NONNEGATIVE)
add_family(PS, lambda v: a_lemma1.problem_with_spectrum([1.0], 3, 2, 2, rng=v), "rng", BAD_RNG)
add_family(PS, lambda v: a_lemma1.problem_with_spectrum([1.0], 3, 2, 2, rng=GEN(0), N=v), "N",
           [r for r in BAD_COUNT if r[0] != "none"])
add_arrays(PS, lambda v: a_lemma1.problem_with_spectrum([1.0], 3, 2, 2, rng=GEN(0), X=v), "X", X, shape=False)
ID = f"{CR}.identify"
add(ID, lambda: a_lemma1.identify(STACK, W1, W2), TypeError, "problem")
add_arrays(ID, lambda v: a_lemma1.identify(P, v, W2), "W1", W1)
add_arrays(ID, lambda v: a_lemma1.identify(P, W1, v), "W2", W2)
add_family(ID, lambda v: a_lemma1.identify(P, W1, W2, rtol=v), "rtol", BAD_NONNEGATIVE)
FP = f"{CR}.find_critical_points"
add(FP, lambda: critical_search.find_critical_points(STACK, B1, B2), TypeError, "problem")
add_arrays(FP, lambda v: critical_search.find_critical_points(P, v, B2, max_iter=2), "W1", B1)
add_arrays(FP, lambda v: critical_search.find_critical_points(P, B1, v, max_iter=2), "W2", B2)
add(FP, lambda: critical_search.find_critical_points(P, B1, B2[:2], max_iter=2), ValueError, "W1", "batch sizes")
add_family(FP, lambda v: critical_search.find_critical_points(P, B1, B2, max_iter=v), "max_iter", BAD_COUNT)
add_family(FP, lambda v: critical_search.find_critical_points(P, B1, B2, max_iter=2, gtol=v), "gtol",
           [r for r in BAD_NONNEGATIVE if r[0] != "none"])
add_family(FP, lambda v: critical_search.find_critical_points(P, B1, B2, max_iter=2, damping=v), "damping",
           BAD_NONNEGATIVE)
add(FP, lambda: critical_search.find_critical_points(big_problem(), _big()[1][None], _big()[2][None]), ValueError, "W1",
    "dense size")
SU = f"{CR}.survey"
add(SU, lambda: lemma1_study.survey(STACK, GEN(0)), TypeError, "problem")
add_family(SU, lambda v: lemma1_study.survey(P, v, n_starts=2, max_iter=2), "rng", BAD_RNG)
add_family(SU, lambda v: lemma1_study.survey(P, GEN(0), n_starts=v, max_iter=2), "n_starts", BAD_COUNT)
add_family(SU, lambda v: lemma1_study.survey(P, GEN(0), n_starts=2, max_iter=v), "max_iter", BAD_COUNT)
add(SU, lambda: lemma1_study.survey(P, GEN(0), n_starts=2, scales=(), max_iter=2), ValueError, "scales", "empty")
add(SU, lambda: lemma1_study.survey(P, GEN(0), n_starts=2, scales=(1.0, np.nan), max_iter=2), ValueError, "scales")
add(SU, lambda: lemma1_study.survey(P, GEN(0), n_starts=2, scales=("a",), max_iter=2), TypeError, "scales")
add(SU, lambda: lemma1_study.survey(P, GEN(0), n_starts=2, max_iter=2, factor=np.nan), ValueError, "factor",
    "factor")
NC = f"{CR}.negative_curvature_direction"
add(NC, lambda: lemma2.negative_curvature_direction(None, SADDLE.W1, SADDLE.W2), TypeError, "problem")
add_arrays(NC, lambda v: lemma2.negative_curvature_direction(P, v, SADDLE.W2), "W1", SADDLE.W1)
add_arrays(NC, lambda v: lemma2.negative_curvature_direction(P, SADDLE.W1, v), "W2", SADDLE.W2)
add_family(NC, lambda v: lemma2.negative_curvature_direction(P, SADDLE.W1, SADDLE.W2, rtol=v), "rtol",
           BAD_NONNEGATIVE)
add(NC, lambda: lemma2.negative_curvature_direction(P, SADDLE.W1, SADDLE.W2, k=0.5), TypeError, "k", "k")
HF = f"{CR}.hessian_form_terms"
for arg, i in (("W1", 0), ("W2", 1), ("V1", 2), ("V2", 3)):
    good = [W1, W2, W1, W2]
    add_arrays(HF, lambda v, i=i, good=good: lemma2.hessian_form_terms(
        P, *[v if j == i else g for j, g in enumerate(good)]), arg, good[i])
add(HF, lambda: lemma2.hessian_form_terms("P", W1, W2, W1, W2), TypeError, "problem")
SD = f"{CR}.symmetry_directions"
add(SD, lambda: certify.symmetry_directions(None, W1, W2), TypeError, "problem")
add_arrays(SD, lambda v: certify.symmetry_directions(P, v, W2), "W1", W1)
add_arrays(SD, lambda v: certify.symmetry_directions(P, W1, v), "W2", W2)
add(SD, lambda: certify.symmetry_directions(P, W1, W2, group="affine"), ValueError, "group")
add(SD, lambda: certify.symmetry_directions(big_problem(), *_big()[1:3], group="general"), ValueError, "W1",
    "dense size")
FD = f"{CR}.flat_directions"
add(FD, lambda: certify.flat_directions(None, W1, W2), TypeError, "problem")
add_arrays(FD, lambda v: certify.flat_directions(P, v, W2), "W1", W1)
add_arrays(FD, lambda v: certify.flat_directions(P, W1, v), "W2", W2)
add(FD, lambda: certify.flat_directions(P, W1, W2, group="affine"), ValueError, "group")
add_family(FD, lambda v: certify.flat_directions(P, W1, W2, rtol=v), "rtol", BAD_NONNEGATIVE)
add(FD, lambda: certify.flat_directions(big_problem(), *_big()[1:3]), ValueError, "W1", "dense size")

# -------------------------------------------------------------------------- conditions
for name in ("baldi_hornik", "kawaguchi", "lu_kawaguchi", "laurent_von_brecht", "corollary1", "theorem2",
             "table1"):
    fn = getattr(conditions, name)
    add_arrays(f"conditions.{name}", lambda v, fn=fn: fn(v, Y, 2), "X", X, shape=False)
    add_arrays(f"conditions.{name}", lambda v, fn=fn: fn(X, v, 2), "Y", Y, shape=False)
    add(f"conditions.{name}", lambda fn=fn: fn(X, Y[:, :5], 2), ValueError, "Y", "sample count")
    add_family(f"conditions.{name}", lambda v, fn=fn: fn(X, Y, v), "d1", BAD_COUNT)
add(f"conditions.laurent_von_brecht", lambda: conditions.laurent_von_brecht(X, Y, 2, reading="x"), ValueError,
    "reading")
add_family("conditions.corollary1", lambda v: conditions.corollary1(X, Y, 2, mu=v), "mu",
           [r for r in BAD_NONNEGATIVE if r[0] != "none"])
add_arrays("conditions.isometry_constants", lambda v: conditions.isometry_constants(v), "X", X, shape=False)
CB = "conditions.corollary1_bound"
add_arrays(CB, lambda v: conditions.corollary1_bound(v, W2, W2 @ W1, 1.0), "W1", W1, shape=False)
add_arrays(CB, lambda v: conditions.corollary1_bound(W1, v, W2 @ W1, 1.0), "W2", W2)
add_arrays(CB, lambda v: conditions.corollary1_bound(W1, W2, v, 1.0), "W_star", W2 @ W1)
add_family(CB, lambda v: conditions.corollary1_bound(W1, W2, W2 @ W1, v), "alpha", BAD_NONNEGATIVE)

# ------------------------------------------------------------------------------ losses
Q = losses.Quadratic(X, Y)
LAB = np.array([0, 1, 2, 0, 1, 2, 0, 1])
SM = losses.SoftmaxCrossEntropy(X, LAB)
HU = losses.Huber(X, Y, 0.5)
WQ = losses.WeightedQuadratic.example(0, (2, 3))
CU = losses.Custom((2, 3), lambda A: float(np.sum(A * A)), lambda A: 2 * A)
add_arrays("losses.row_space", lambda v: losses.row_space(v), "X", X, shape=False)
add_family("losses.row_space", lambda v: losses.row_space(X, rcond=v), "rcond",
           [r for r in BAD_NONNEGATIVE if r[0] != "none"])
add_arrays("losses.Quadratic", lambda v: losses.Quadratic(v, Y), "X", X, shape=False)
add_arrays("losses.Quadratic", lambda v: losses.Quadratic(X, v), "Y", Y, shape=False)
add("losses.Quadratic", lambda: losses.Quadratic(X, Y[:, :3]), ValueError, "Y", "sample count")
add_arrays("losses.Huber", lambda v: losses.Huber(v, Y), "X", X, shape=False)
add_arrays("losses.Huber", lambda v: losses.Huber(X, v), "Y", Y, shape=False)
add_family("losses.Huber", lambda v: losses.Huber(X, Y, delta=v), "delta", BAD_POSITIVE)
add_arrays("losses.SoftmaxCrossEntropy", lambda v: losses.SoftmaxCrossEntropy(v, LAB), "X", X, shape=False)
for label, v, exc in [("fraction", LAB + 0.5, TypeError), ("negative", -LAB - 1, ValueError),
                      ("strings", LAB.astype(str), TypeError), ("complex", LAB + 1j, TypeError),
                      ("too few", LAB[:5], ValueError), ("3-D", LAB[None, None], ValueError),
                      ("soft not summing to 1", np.ones((3, 8)), ValueError),
                      ("soft with nan", np.full((3, 8), np.nan), ValueError), ("empty", [], ValueError),
                      ("scalar", 3, ValueError)]:
    add("losses.SoftmaxCrossEntropy", functools.partial(losses.SoftmaxCrossEntropy, X, v), exc, "labels", label)
add_family("losses.SoftmaxCrossEntropy", lambda v: losses.SoftmaxCrossEntropy(X, LAB, n_classes=v), "n_classes",
           [r for r in BAD_COUNT if r[0] != "none"])
add("losses.SoftmaxCrossEntropy", lambda: losses.SoftmaxCrossEntropy(X, LAB, n_classes=2), ValueError, "labels",
    "label out of range")
add_arrays("losses.WeightedQuadratic", lambda v: losses.WeightedQuadratic(v, WQ.T), "weights", WQ.w)
add_arrays("losses.WeightedQuadratic", lambda v: losses.WeightedQuadratic(WQ.w, v), "targets", WQ.T)
add("losses.WeightedQuadratic", lambda: losses.WeightedQuadratic(-WQ.w, WQ.T), ValueError, "weights", "negative")
add_family("losses.WeightedQuadratic.example", lambda v: losses.WeightedQuadratic.example(seed=v), "seed",
           [("negative", -1, ValueError), ("fraction", 1.5, TypeError), ("string", "0", TypeError),
            ("none", None, TypeError)])
add_family("losses.WeightedQuadratic.example", lambda v: losses.WeightedQuadratic.example(shape=v), "shape",
           [("zero", (0, 3), ValueError), ("fraction", (2.5, 3), TypeError), ("one number", 3, TypeError),
            ("three numbers", (2, 3, 4), ValueError)])
for label, v, exc in [("fraction", (2.5, 3), TypeError), ("zero", (0, 3), ValueError), ("number", 3, TypeError),
                      ("three numbers", (2, 3, 4), ValueError), ("strings", ("a", "b"), TypeError)]:
    add("losses.Custom", functools.partial(losses.Custom, v, len, len), exc, "shape", label)
add("losses.Custom", lambda: losses.Custom((2, 3), 5, len), TypeError, "value")
add("losses.Custom", lambda: losses.Custom((2, 3), len, None), TypeError, "gradient")
add("losses.Custom", lambda: losses.Custom((2, 3), len, len, hvp=3), TypeError, "hvp")
add("losses.Custom", lambda: losses.Custom((2, 3), len, len, name=3), TypeError, "name")
for cls, obj in (("Quadratic", Q), ("SoftmaxCrossEntropy", SM), ("Huber", HU), ("WeightedQuadratic", WQ),
                 ("Custom", CU)):
    Pg = np.zeros(obj.shape)
    for meth in ("value", "gradient", "value_and_gradient"):
        add_arrays(f"losses.{cls}.{meth}", lambda v, o=obj, m=meth: getattr(o, m)(v), "P", Pg, batch=True)
    add_arrays(f"losses.{cls}.hessian_vector_product", lambda v, o=obj, P_=Pg: o.hessian_vector_product(v, P_),
               "P", Pg, batch=True)
    add_arrays(f"losses.{cls}.hessian_vector_product", lambda v, o=obj, P_=Pg: o.hessian_vector_product(P_, v),
               "D", Pg, batch=True)
    add(f"losses.{cls}.hessian_vector_product",
        lambda o=obj, P_=Pg: o.hessian_vector_product(np.stack([P_] * 2), np.stack([P_] * 3)), ValueError, "D",
        "batch shapes")
    if cls not in ("Quadratic", "WeightedQuadratic"):
        add_family(f"losses.{cls}.minimizer", lambda v, o=obj: o.minimizer(gtol=v), "gtol", BAD_NONNEGATIVE)
        add_family(f"losses.{cls}.minimizer", lambda v, o=obj: o.minimizer(maxiter=v), "maxiter", BAD_COUNT)

# -------------------------------------------------------------------------------- deep
Qd = losses.Quadratic(np.ones((3, 4)) + np.eye(3, 4), np.ones((2, 4)))
NET = deep.DeepLinearNetwork((3, 4, 1, 2), Qd)
MS = NET.random_weights(GEN(0))
TOWERS = deep.MultiTowerNetwork([(3, 2), (3, 1, 2)], Qd)
TS = TOWERS.random_weights(GEN(0))
add_arrays("deep.numerical_rank", lambda v: deep.numerical_rank(v), "M", X, shape=False)
add_family("deep.numerical_rank", lambda v: deep.numerical_rank(X, rtol=v), "rtol",
           [r for r in BAD_NONNEGATIVE if r[0] != "none"])
WB = "deep.widths_with_bottleneck"
for arg, i in (("n", 0), ("m", 1), ("depth", 2), ("hidden", 3), ("d", 4), ("layer", 5)):
    good = [6, 6, 4, 8, 2, 2]
    add_family(WB, lambda v, i=i, good=good: deep.widths_with_bottleneck(*[v if j == i else g for j, g in enumerate(good)]),
               arg, BAD_COUNT)
add(WB, lambda: deep.widths_with_bottleneck(6, 6, 4, 8, 2, 4), ValueError, "layer", "not hidden")
add(WB, lambda: deep.widths_with_bottleneck(6, 6, 1, 8, 2, 1), ValueError, "depth", "depth 1")
DN = "deep.DeepLinearNetwork"
for label, v, exc in [("fraction", (3, 2.5, 2), TypeError), ("zero", (3, 0, 2), ValueError),
                      ("string", "3 4 2", TypeError), ("number", 3, TypeError), ("depth 1", (3, 2), ValueError),
                      ("float", (3, 4.0, 2), TypeError), ("ends differ from the loss", (4, 4, 2), ValueError)]:
    add(DN, functools.partial(deep.DeepLinearNetwork, v, Qd), exc, "widths", label)
add(DN, lambda: deep.DeepLinearNetwork((3, 4, 2), "quadratic"), TypeError, "loss")
for meth in ("pack", "product", "split", "value", "value_and_gradient", "gradient", "gradient_naive",
             "gradient_norm", "hessian", "hessian_vector_product", "embed_never"):
    if meth == "embed_never":
        continue
    call = (lambda v, m=meth: getattr(NET, m)(v, MS)) if meth == "hessian_vector_product" else \
        (lambda v, m=meth: getattr(NET, m)(v))
    for label, v, exc in [("nan", [MS[0], _with(MS[1], (0, 0), np.nan), MS[2]], ValueError),
                          ("complex", [MS[0] + 1j, MS[1], MS[2]], TypeError),
                          ("wrong shape", [MS[0].T, MS[1], MS[2]], ValueError),
                          ("too few", MS[:2], ValueError), ("array", np.zeros(3), TypeError),
                          ("strings", [np.full((4, 3), "a"), MS[1], MS[2]], TypeError),
                          ("1-D", [MS[0].ravel(), MS[1], MS[2]], ValueError),
                          ("empty", [np.zeros((0, 3)), MS[1], MS[2]], ValueError)]:
        add(f"{DN}.{meth}", functools.partial(call, v), exc, "M", label)
for label, v, exc in [("nan", [MS[0], _with(MS[1], (0, 0), np.nan), MS[2]], ValueError),
                      ("wrong shape", [MS[0].T, MS[1], MS[2]], ValueError), ("too few", MS[:2], ValueError)]:
    add(f"{DN}.hessian_vector_product", functools.partial(NET.hessian_vector_product, MS, v), exc, "V", label)
add_arrays(f"{DN}.unpack", lambda v: NET.unpack(v), "theta", NET.pack(MS), batch=True)
add_family(f"{DN}.random_weights", lambda v: NET.random_weights(v), "rng", BAD_RNG)
add_family(f"{DN}.random_weights", lambda v: NET.random_weights(GEN(0), scale=v), "scale", BAD_NONNEGATIVE)
add_family(f"{DN}.random_weights", lambda v: NET.random_weights(GEN(0), batch=v), "batch", BAD_BATCH)
add_family(f"{DN}.split", lambda v: NET.split(MS, j=v), "j", [("too big", 4, ValueError),
                                                              ("fraction", 1.5, ValueError),
                                                              ("string", "1", ValueError)])
add_family(f"{DN}.embed", lambda v: NET.embed(np.ones((2, 1)), np.ones((1, 3)), j=v), "j",
           [("end", 3, ValueError), ("fraction", 1.5, TypeError), ("string", "2", TypeError),
            ("not narrowest", 1, ValueError)])
add_arrays(f"{DN}.embed", lambda v: NET.embed(v, np.ones((1, 3))), "A", np.ones((2, 1)))
add_arrays(f"{DN}.embed", lambda v: NET.embed(np.ones((2, 1)), v), "B", np.ones((1, 3)))
add_arrays(f"{DN}.balanced", lambda v: NET.balanced(v), "P", np.ones((2, 3)))
add(f"{DN}.balanced", lambda: NET.balanced(np.eye(2, 3)), ValueError, "P", "rank too high")
add(f"{DN}.hessian", lambda: _big()[3].hessian([np.zeros((1000, 1000))] * 2), ValueError, "Ms", "dense size")
MT = "deep.MultiTowerNetwork"
for label, v, exc in [("empty", [], ValueError), ("fraction", [(3, 1.5, 2)], TypeError),
                      ("zero", [(3, 0, 2)], ValueError), ("string", "32", TypeError),
                      ("ends", [(4, 2)], ValueError), ("number", 3, TypeError)]:
    add(MT, functools.partial(deep.MultiTowerNetwork, v, Qd), exc, "towers", label)
add(MT, lambda: deep.MultiTowerNetwork([(3, 2)], None), TypeError, "loss")
for meth in ("pack", "product", "split", "value", "value_and_gradient", "gradient", "gradient_norm", "hessian",
             "hessian_vector_product"):
    call = (lambda v, m=meth: getattr(TOWERS, m)(v, TS)) if meth == "hessian_vector_product" else \
        (lambda v, m=meth: getattr(TOWERS, m)(v))
    for label, v, exc in [("nan", [[_with(TS[0][0], (0, 0), np.nan)], TS[1]], ValueError),
                          ("complex", [[TS[0][0] + 1j], TS[1]], TypeError),
                          ("wrong shape", [[TS[0][0].T], TS[1]], ValueError),
                          ("one tower", TS[:1], ValueError), ("array", np.zeros(3), TypeError),
                          ("flat list", TS[1], TypeError)]:
        add(f"{MT}.{meth}", functools.partial(call, v), exc, "Ms", label)
add_arrays(f"{MT}.unpack", lambda v: TOWERS.unpack(v), "theta", TOWERS.pack(TS), batch=True)
add_family(f"{MT}.random_weights", lambda v: TOWERS.random_weights(v), "rng", BAD_RNG)
add_family(f"{MT}.random_weights", lambda v: TOWERS.random_weights(GEN(0), scale=v), "scale", BAD_NONNEGATIVE)
add_family(f"{MT}.random_weights", lambda v: TOWERS.random_weights(GEN(0), batch=v), "batch", BAD_BATCH)
add(f"{MT}.hessian", lambda: _big()[4].hessian([[np.zeros((1000, 1000))] * 2]), ValueError, "Ms", "dense size")
for name in ("rank_constrained_minimum", "rank_constrained_minimizer"):
    fn = public(name)
    add_arrays(f"deep.{name}", lambda v, fn=fn: fn(v, Y, 1), "X", X, shape=False)
    add_arrays(f"deep.{name}", lambda v, fn=fn: fn(X, v, 1), "Y", Y, shape=False)
    add(f"deep.{name}", lambda fn=fn: fn(X, Y[:, :3], 1), ValueError, "Y", "sample count")
    add_family(f"deep.{name}", lambda v, fn=fn: fn(X, Y, v), "rank", BAD_NONNEG_COUNT)
add("deep.cut_at_bottleneck", lambda: paper_b.cut_at_bottleneck("net", MS), TypeError, "net")
add("deep.cut_at_bottleneck", lambda: paper_b.cut_at_bottleneck(NET, MS[:2]), ValueError, "Ms")
add("deep.cut_at_bottleneck", lambda: paper_b.cut_at_bottleneck(NET, [MS[0] + 1j, MS[1], MS[2]]), TypeError, "M1")
L1 = "deep.lemma1_construction"
add(L1, lambda: paper_b.lemma1_construction(TOWERS, TS), TypeError, "net")
add(L1, lambda: paper_b.lemma1_construction(NET, MS[:2]), ValueError, "Ms")
add_family(L1, lambda v: paper_b.lemma1_construction(NET, MS, eps=v), "eps", BAD_POSITIVE)
add_family(L1, lambda v: paper_b.lemma1_construction(NET, MS, rtol=v), "rtol", BAD_NONNEGATIVE)

# ---------------------------------------------------------------------- deep_training
DT = "deep_training"
for name in ("hessian_report", "runs_from_starts", "lbfgs_from_seeds", "packed_loss"):
    add(name, lambda name=name: public(name)("net", *(
        [] if name == "packed_loss" else [MS] if name == "hessian_report"
        else [[0], 0.0] if name == "runs_from_starts" else [[0]])), TypeError, "net")
add_family(f"{DT}.lbfgs_from_seeds", lambda v: lbfgs_mod.lbfgs_from_seeds(NET, v, maxiter=2), "seeds",
           BAD_SEEDS)
add_family(f"{DT}.lbfgs_from_seeds", lambda v: lbfgs_mod.lbfgs_from_seeds(NET, [0], scale=v, maxiter=2),
           "scale", BAD_NONNEGATIVE)
add(f"{DT}.lbfgs_from_seeds", lambda: lbfgs_mod.lbfgs_from_seeds(NET, [0], maxiter=-1), ValueError,
    "maxiter")
add_arrays(f"{DT}.packed_loss", lambda v: lbfgs_mod.packed_loss(NET)(v), "theta", NET.pack(MS),
           batch=True)
add(SC, lambda: curvature.step_from_curvature(NET, NET.balanced(np.ones((2, 3)))[:2]), ValueError, "Ms")
PT = f"{DT}.perturbation_test"
_pf = lbfgs_mod.packed_loss(NET)
_th = NET.pack(MS)
add(PT, lambda: curvature.perturbation_test(3, _th, rng=GEN(0)), TypeError, "fun")
add_arrays(PT, lambda v: curvature.perturbation_test(_pf, v, n_samples=2, rng=GEN(0)), "theta", _th,
           shape=False)
add_family(PT, lambda v: curvature.perturbation_test(_pf, _th, n_samples=2, rng=v), "rng", BAD_RNG)
add_family(PT, lambda v: curvature.perturbation_test(_pf, _th, n_samples=v, rng=GEN(0)), "n_samples",
           BAD_COUNT)
for label, v, exc in [("empty", (), ValueError), ("negative", (-1e-3,), ValueError), ("nan", (np.nan,), ValueError),
                      ("string", "ab", TypeError), ("zero", (0.0,), ValueError)]:
    add(PT, functools.partial(curvature.perturbation_test, _pf, _th, v, 2, GEN(0)), exc, "radii", label)
add(f"{DT}.hessian_report", lambda: curvature.hessian_report(NET, MS[:2]), ValueError, "Ms")
add_family(f"{DT}.hessian_report", lambda v: curvature.hessian_report(NET, MS, rtol=v), "rtol",
           BAD_NONNEGATIVE)
add(f"{DT}.hessian_report", lambda: curvature.hessian_report(_big()[3], [np.zeros((1000, 1000))] * 2),
    ValueError, "Ms", "dense size")
_rep = curvature.hessian_report(NET, MS)
add_family(f"{DT}.HessianReport.critical_psd", lambda v: _rep.critical_psd(v), "n_zero",
           BAD_NONNEG_COUNT)
add_family(f"{DT}.HessianReport.critical_psd", lambda v: _rep.critical_psd(0, gtol=v), "gtol",
           BAD_NONNEGATIVE)
RS = f"{DT}.runs_from_starts"
add_family(RS, lambda v: starts.runs_from_starts(NET, v, 0.0, maxiter=2), "seeds", BAD_SEEDS)
add_family(RS, lambda v: starts.runs_from_starts(NET, [0], v, maxiter=2), "optimum", BAD_REAL)
add(RS, lambda: starts.runs_from_starts(NET, [0], 1e9, maxiter=2), ValueError, "optimum", "too large")
add_family(RS, lambda v: starts.runs_from_starts(NET, [0], 0.0, tol=v, maxiter=2), "tol", BAD_NONNEGATIVE)
add_family(RS, lambda v: starts.runs_from_starts(NET, [0], 0.0, scale=v, maxiter=2), "scale",
           BAD_NONNEGATIVE)
add_family(RS, lambda v: starts.runs_from_starts(NET, [0], 0.0, maxiter=v), "maxiter", BAD_COUNT)
add(RS, lambda: starts.runs_from_starts(NET, [0], 0.0, maxiter=2, classify="yes"), TypeError, "classify")
add(RS, lambda: starts.runs_from_starts(NET, [0], 0.0, maxiter=2, keep=1), TypeError, "keep")
add(RS, lambda: starts.runs_from_starts(_big()[3], [0], 0.0, maxiter=2), ValueError, "net", "dense size")
DF = f"{DT}.derivative_free_search"
_f2 = lambda x: float(np.sum(x * x))  # noqa: E731
add(DF, lambda: starts.derivative_free_search("f", 2, [0]), TypeError, "fun")
add_family(DF, lambda v: starts.derivative_free_search(_f2, v, [0], maxfev=5), "dim", BAD_COUNT)
add_family(DF, lambda v: starts.derivative_free_search(_f2, 2, v, maxfev=5), "seeds", BAD_SEEDS)
add_family(DF, lambda v: starts.derivative_free_search(_f2, 2, [0], scale=v, maxfev=5), "scale",
           BAD_NONNEGATIVE)
add_family(DF, lambda v: starts.derivative_free_search(_f2, 2, [0], restarts=v, maxfev=5), "restarts",
           BAD_COUNT)
add_family(DF, lambda v: starts.derivative_free_search(_f2, 2, [0], maxfev=v), "maxfev", BAD_COUNT)

# ------------------------------------------------------------------------- corollary1
C1 = "corollary1"
add_family(f"{C1}.corollary1_data", lambda v: corollary1.corollary1_data(seed=v), "seed",
           [("negative", -1, ValueError), ("fraction", 1.5, TypeError), ("string", "1", TypeError)])
for arg in ("n", "m", "N"):
    add_family(f"{C1}.corollary1_data", lambda v, a=arg: corollary1.corollary1_data(**{a: v}), arg, BAD_COUNT)
add_family(f"{C1}.corollary1_data", lambda v: corollary1.corollary1_data(noise=v), "noise", BAD_NONNEGATIVE)
add_family(f"{C1}.corollary1_data", lambda v: corollary1.corollary1_data(rank_X=v), "rank_X",
           [r for r in BAD_COUNT if r[0] != "none"] + [("too big", 7, ValueError)])
CC = f"{C1}.corollary1_config"
add_family(CC, lambda v: corollary1.corollary1_config(v, "middle", 3), "depth", BAD_COUNT)
add_family(CC, lambda v: corollary1.corollary1_config(v, "end", 3), "depth", BAD_COUNT)
add_family(CC, lambda v: corollary1.corollary1_config(3, v, 3), "place",
           [("unknown", "top", ValueError), ("number", 1, ValueError)])
add_family(CC, lambda v: corollary1.corollary1_config(3, "end", v), "hidden", BAD_COUNT)
add_family(CC, lambda v: corollary1.corollary1_config(3, "middle", 3, d=v), "d",
           [r for r in BAD_COUNT if r[0] != "none"])
add_family(CC, lambda v: corollary1.corollary1_config(3, "middle", 3, data=v), "data",
           [("one array", np.ones((6, 30)), TypeError), ("string", "xy", TypeError), ("three", (1, 2, 3), ValueError)])
add(CC, lambda: corollary1.corollary1_config(3, "middle", 3, data=(np.ones((6, 30)) + np.nan, np.ones((6, 30)))),
    ValueError, "X")

# --------------------------------------------------------------------------- nonlinear
TN = TanhNetwork(X, Y, 2)
THETA = TN.random_parameters(GEN(0))
add_arrays("nonlinear.TanhNetwork", lambda v: TanhNetwork(v, Y, 2), "X", X, shape=False)
add_arrays("nonlinear.TanhNetwork", lambda v: TanhNetwork(X, v, 2), "Y", Y, shape=False)
add("nonlinear.TanhNetwork", lambda: TanhNetwork(X, Y[:, :3], 2), ValueError, "Y", "sample count")
add_family("nonlinear.TanhNetwork", lambda v: TanhNetwork(X, Y, v), "hidden", BAD_COUNT)
for meth in ("unpack", "value", "gradient", "saturation"):
    add_arrays(f"nonlinear.TanhNetwork.{meth}", lambda v, m=meth: getattr(TN, m)(v), "theta", THETA, batch=True)
for meth in ("hessian", "cancellation"):
    add_arrays(f"nonlinear.TanhNetwork.{meth}", lambda v, m=meth: getattr(TN, m)(v), "theta", THETA)
add_family("nonlinear.TanhNetwork.hessian", lambda v: TN.hessian(THETA, h=v), "h", BAD_POSITIVE)
add("nonlinear.TanhNetwork.hessian", lambda: _big()[5].hessian(np.zeros(_big()[5].n_params)), ValueError, "theta",
    "dense size")
add_arrays(LB, lambda v: lbfgs_mod.lbfgs(TN, v, maxiter=2), "weights", THETA, batch=False)
add_family("nonlinear.TanhNetwork.saturation", lambda v: TN.saturation(THETA, level=v), "level", BAD_NONNEGATIVE)
add_family("nonlinear.TanhNetwork.random_parameters", lambda v: TN.random_parameters(v), "rng", BAD_RNG)
add_family("nonlinear.TanhNetwork.random_parameters", lambda v: TN.random_parameters(GEN(0), scale=v), "scale",
           BAD_NONNEGATIVE)
add_family("nonlinear.TanhNetwork.random_parameters", lambda v: TN.random_parameters(GEN(0), batch=v), "batch",
           BAD_BATCH)
TE = "nonlinear.tanh_end_points"
add(TE, lambda: beyond.tanh_end_points(NET, [0]), TypeError, "net")
add_family(TE, lambda v: beyond.tanh_end_points(TN, v, maxiter=2), "seeds", BAD_SEEDS)
for arg in ("zero", "gtol", "rcond", "big"):
    add_family(TE, lambda v, a=arg: beyond.tanh_end_points(TN, [0], maxiter=2, **{a: v}), arg,
               BAD_NONNEGATIVE)
add_family(TE, lambda v: beyond.tanh_end_points(TN, [0], maxiter=v), "maxiter", BAD_COUNT)
add(TE, lambda: beyond.tanh_end_points(_big()[5], [0]), ValueError, "net", "dense size")

# ------------------------------------------------------------------------------- probe
PR = "probe"
for arg, i in (("d0", 0), ("d1", 1), ("d2", 2)):
    add_family(f"{PR}.instance", lambda v, i=i: probe.instance(*[v if j == i else 2 for j in range(3)],
                                                               "gaussian", GEN(0)), arg, BAD_COUNT)
add(f"{PR}.instance", lambda: probe.instance(2, 2, 2, "normal", GEN(0)), ValueError, "kind")
add_family(f"{PR}.instance", lambda v: probe.instance(2, 2, 2, "gaussian", v), "rng", BAD_RNG)
add_family(f"{PR}.instance", lambda v: probe.instance(2, 2, 2, "gaussian", GEN(0), extra=v), "extra",
           BAD_NONNEG_COUNT)
add(f"{PR}.rebalance", lambda: probe.rebalance(STACK, W1, W2), TypeError, "p")
add_arrays(f"{PR}.rebalance", lambda v: probe.rebalance(P0, v, W2), "W1", W1)
add_arrays(f"{PR}.rebalance", lambda v: probe.rebalance(P0, W1, v), "W2", W2)
for name in ("descend", "descend_rebalancing"):
    fn = getattr(probe, name)
    add(f"{PR}.{name}", lambda fn=fn: fn(None, B1, B2), TypeError, "p")
    add_arrays(f"{PR}.{name}", lambda v, fn=fn: fn(P0, v, B2, max_iter=2), "W1", B1,
               shape=True)
    add_arrays(f"{PR}.{name}", lambda v, fn=fn: fn(P0, B1, v, max_iter=2), "W2", B2)
    add(f"{PR}.{name}", lambda fn=fn: fn(P0, B1, B2[:2], max_iter=2), ValueError, "W1", "batch sizes")
    add_family(f"{PR}.{name}", lambda v, fn=fn: fn(P0, B1, B2, max_iter=v), "max_iter", BAD_COUNT)
add_family(f"{PR}.descend_rebalancing", lambda v: probe.descend_rebalancing(P0, B1, B2, rounds=v, max_iter=2),
           "rounds", BAD_COUNT)
for name in ("stalled_searches", "descent_probe", "critical_probe"):
    fn = getattr(probe, name)
    add(f"{PR}.{name}", lambda fn=fn: fn(STACK, 2, GEN(0), max_iter=2), TypeError, "p")
    add_family(f"{PR}.{name}", lambda v, fn=fn: fn(P0, v, GEN(0), max_iter=2), "n_starts", BAD_COUNT)
    add_family(f"{PR}.{name}", lambda v, fn=fn: fn(P0, 2, v, max_iter=2), "rng", BAD_RNG)
    add_family(f"{PR}.{name}", lambda v, fn=fn: fn(P0, 2, GEN(0), scale=v, max_iter=2), "scale", BAD_POSITIVE)
    add_family(f"{PR}.{name}", lambda v, fn=fn: fn(P0, 2, GEN(0), max_iter=v), "max_iter", BAD_COUNT)
for name in ("descent_probe", "critical_probe"):
    add(f"{PR}.{name}", lambda name=name: getattr(probe, name)(big_problem(), 1, GEN(0), max_iter=1), ValueError,
        "p", "dense size")
add(f"{PR}.transported_probe", lambda: probe.transported_probe("p", GEN(0)), TypeError, "p")
add_family(f"{PR}.transported_probe", lambda v: probe.transported_probe(P0, v), "rng", BAD_RNG)
add_family(f"{PR}.transported_probe", lambda v: probe.transported_probe(P0, GEN(0), max_points=v), "max_points",
           BAD_COUNT)

# ------------------------------------------------------------------------ experiments
EX = "experiments"
SETUP = experiments.SETUPS[0]
BATCH = experiments.draw(SETUP, [0, 1], N=12)
CURVES = experiments.run_gd(BATCH, 1e-4, 2, 1)
add_arrays(f"{EX}.leaky_relu", lambda v: experiments.leaky_relu(v), "a", X, batch=True, shape=False,
           skip=("scalar", "empty", "1-D"))  # any shape
add_family(f"{EX}.leaky_relu", lambda v: experiments.leaky_relu(X, slope=v), "slope", BAD_REAL)
add_family(f"{EX}.Setup", lambda v: experiments.Setup(v, False, (1, 2)), "d0", BAD_COUNT)
add_family(f"{EX}.Setup", lambda v: experiments.Setup(10, v, (1, 2)), "nonlinear", [("int", 1, TypeError),
                                                                                   ("string", "no", TypeError)])
add_family(f"{EX}.Setup", lambda v: experiments.Setup(10, False, v), "figures",
           [("one number", 1, TypeError), ("three", (1, 2, 3), ValueError), ("fraction", (1.5, 2), TypeError)])
DR = f"{EX}.draw"
add(DR, lambda: experiments.draw("lin10", [0]), TypeError, "setup")
add_family(DR, lambda v: experiments.draw(SETUP, v, N=12), "seeds", BAD_SEEDS)
add_family(DR, lambda v: experiments.draw(SETUP, [0], mu=v, N=12), "mu", BAD_NONNEGATIVE)
add_family(DR, lambda v: experiments.draw(SETUP, [0], x_scale=v, N=12), "x_scale", BAD_POSITIVE)
add_family(DR, lambda v: experiments.draw(SETUP, [0], init_scale=v, N=12), "init_scale", BAD_POSITIVE)
add_family(DR, lambda v: experiments.draw(SETUP, [0], N=v), "N", BAD_COUNT + [("below d0", 5, ValueError)])
add_family(f"{EX}.Batch.with_mu", lambda v: BATCH.with_mu(v), "mu", BAD_NONNEGATIVE)
add_family(f"{EX}.Batch.problem", lambda v: BATCH.problem(v), "i",
           [("too big", 2, ValueError), ("fraction", 0.5, TypeError), ("string", "0", TypeError)])
for meth in ("mse_objective", "mse_weights"):
    add_arrays(f"{EX}.Batch.{meth}", lambda v, m=meth: getattr(BATCH, m)(v, BATCH.W2), "W1", BATCH.W1, batch=True)
    add_arrays(f"{EX}.Batch.{meth}", lambda v, m=meth: getattr(BATCH, m)(BATCH.W1, v), "W2", BATCH.W2, batch=True)
add_family(f"{EX}.Curves.iterations_to", lambda v: CURVES.iterations_to(v), "tol", BAD_NONNEGATIVE)
add(f"{EX}.Curves.final", lambda: CURVES.final("mse"), ValueError, "name")
add(f"{EX}.Curves.final", lambda: CURVES.final(3), ValueError, "name")
add(f"{EX}.run_gd", lambda: experiments.run_gd("batch", 1e-3, 2), TypeError, "batch")
add_family(f"{EX}.run_gd", lambda v: experiments.run_gd(BATCH, v, 2), "step", BAD_POSITIVE)
add_family(f"{EX}.run_gd", lambda v: experiments.run_gd(BATCH, 1e-3, v), "n_steps", BAD_NONNEG_COUNT)
add_family(f"{EX}.run_gd", lambda v: experiments.run_gd(BATCH, 1e-3, 2, v), "record_every", BAD_COUNT)
add(f"{EX}.run_lbfgs", lambda: experiments.run_lbfgs(None), TypeError, "batch")
for arg in ("memory", "max_iter", "max_fev"):
    add_family(f"{EX}.run_lbfgs", lambda v, a=arg: experiments.run_lbfgs(BATCH, **{a: v}), arg, BAD_COUNT)
add_family(f"{EX}.run_lbfgs", lambda v: experiments.run_lbfgs(BATCH, max_iter=2, prog_tol=v), "prog_tol",
           BAD_NONNEGATIVE)
add(f"{EX}.start_curvature", lambda: experiments.start_curvature(STACK), TypeError, "batch")
TU = f"{EX}.tune_step"
add(TU, lambda: experiments.tune_step(STACK, [1e-3], 2), TypeError, "batch")
for label, v, exc in [("empty", [], ValueError), ("nan", [1e-3, np.nan], ValueError),
                      ("negative", [-1e-3], ValueError), ("2-D", [[1e-3]], ValueError),
                      ("strings", ["a"], TypeError), ("complex", [1e-3 + 1j], TypeError)]:
    add(TU, functools.partial(experiments.tune_step, BATCH, v, 2), exc, "steps", label)
add_family(TU, lambda v: experiments.tune_step(BATCH, [1e-3], v), "n_steps", BAD_NONNEG_COUNT)
add_family(TU, lambda v: experiments.tune_step(BATCH, [1e-3], 2, tol=v), "tol", BAD_NONNEGATIVE)
add_family(TU, lambda v: experiments.tune_step(BATCH, [1e-3], 2, record_every=v), "record_every", BAD_COUNT)
for label, v, exc in [("nan", [np.nan, 1.0], ValueError), ("strings", ["a"], TypeError),
                      ("empty", [], ValueError), ("negative", [-3.0], ValueError), ("complex", [1j], TypeError)]:
    add(f"{EX}.speedup", functools.partial(experiments.speedup, v, [1.0] * max(len(v), 1)), exc, "t_f", label)
    add(f"{EX}.speedup", functools.partial(experiments.speedup, [1.0] * max(len(v), 1), v), exc, "t_g", label)
add(f"{EX}.speedup", lambda: experiments.speedup([1.0, 2.0], [1.0, 2.0, 3.0]), ValueError, "t_g", "lengths")
CS = f"{EX}.choose_step"
add(CS, lambda: experiments.choose_step("lin10", 0.1), TypeError, "setup")
add_family(CS, lambda v: experiments.choose_step(SETUP, v), "mu", BAD_NONNEGATIVE)
add_family(CS, lambda v: experiments.choose_step(SETUP, 0.1, x_scale=v), "x_scale", BAD_POSITIVE)
add_family(CS, lambda v: experiments.choose_step(SETUP, 0.1, init_scale=v), "init_scale", BAD_POSITIVE)
add_family(CS, lambda v: experiments.choose_step(SETUP, 0.1, rules=v), "rules",
           [("list", [1], TypeError), ("missing keys", {"tol": 1e-8}, ValueError)])
RP = f"{EX}.reproduce"
add_family(RP, lambda v: experiments.reproduce(v), "steps",
           [("list", [1e-3], TypeError), ("missing keys", {"lin10/f": 1e-3}, ValueError)])
_steps = {f"{s.key}/{o}": 1e-3 for s in experiments.SETUPS for o in "fg"}
add_family(RP, lambda v: experiments.reproduce(_steps, setups=v), "setups",
           [("strings", ["lin10"], TypeError), ("empty", (), ValueError), ("one setup", SETUP, TypeError)])
add_family(RP, lambda v: experiments.reproduce(_steps, x_scale=v), "x_scale", BAD_POSITIVE)
add_family(RP, lambda v: experiments.reproduce(_steps, init_scale=v), "init_scale", BAD_POSITIVE)
add_family(RP, lambda v: experiments.reproduce(_steps, mu=v), "mu", BAD_NONNEGATIVE)
add_family(RP, lambda v: experiments.reproduce(_steps, rules=v), "rules",
           [("list", [1], TypeError), ("missing keys", {"tol": 1e-8}, ValueError)])
BAD_VALUES = [("empty", [], ValueError), ("strings", ["a", "b"], TypeError), ("complex", [1j], TypeError),
              ("2-D", [[1.0, 2.0]], ValueError), ("scalar", 3.0, ValueError)]
for name in ("spread", "format_spread", "faster", "slower", "similar", "describe"):
    fn = getattr(experiments, name)
    add_family(f"{EX}.{name}", lambda v, fn=fn: fn(v), "ratios" if name not in ("spread", "format_spread")
               else "values", BAD_VALUES)
for name in ("spread", "format_spread"):
    fn = getattr(experiments, name)
    add_family(f"{EX}.{name}", lambda v, fn=fn: fn([1.0, 2.0], quantiles=v), "quantiles",
               [("one number", 0.5, TypeError), ("out of range", (0.1, 1.5), ValueError),
                ("reversed", (0.9, 0.1), ValueError), ("nan", (np.nan, 0.9), ValueError)])
add_family(f"{EX}.format_spread", lambda v: experiments.format_spread([1.0], digits=v), "digits", BAD_COUNT)
add_family(f"{EX}.sig", lambda v: experiments.sig(v), "x", [("string", "1.5", TypeError), ("complex", 1j, TypeError),
                                                            ("none", None, TypeError), ("array", [1.0], TypeError)])
add_family(f"{EX}.sig", lambda v: experiments.sig(1.5, digits=v), "digits", BAD_COUNT)
CT = f"{EX}.claims_table"
add(CT, lambda: experiments.claims_table([], {}), TypeError, "T")
add(CT, lambda: experiments.claims_table({}, {k: "ok" for k in ("(a)", "(b)", "(c)", "(d)", "(e)")}), ValueError,
    "T", "missing keys")
add(CT, lambda: experiments.claims_table({}, {"(a)": "ok"}), ValueError, "verdicts")
add(CT, lambda: experiments.claims_table({}, "verdicts"), TypeError, "verdicts")
add(CT, lambda: experiments.claims_table({}, {}, notes=[1]), TypeError, "notes")
SW = f"{EX}.Sweep"
add_family(SW, lambda v: experiments.Sweep(v), "data", [("list", [], TypeError), ("missing keys", {}, ValueError),
                                                        ("string", "data.json", TypeError)])
_sweep = experiments.Sweep({"results": {}, "rules": {"gd_steps": 10, "lbfgs": {"max_iter": 5}}})
for meth in ("entry", "T", "capped", "ratio"):
    args = ("GD", "lin10", "f") if meth in ("entry", "T") else ("GD", "lin10")
    m = getattr(_sweep, meth)
    add(f"{SW}.{meth}", lambda m=m, a=args: m("SGD", *a[1:]), ValueError, "algorithm")
    add_family(f"{SW}.{meth}", lambda v, m=m, a=args: m(*a, x_scale=v), "x_scale", BAD_POSITIVE)
    add_family(f"{SW}.{meth}", lambda v, m=m, a=args: m(*a, mu=v), "mu", BAD_NONNEGATIVE)
    add_family(f"{SW}.{meth}", lambda v, m=m, a=args: m(*a, init_scale=v), "init_scale", BAD_POSITIVE)
add(f"{SW}.entry", lambda: _sweep.entry("GD", "lin10", "h"), ValueError, "objective")

# -------------------------------------------------------------------- experiment_plots
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EP = "experiment_plots"
_fig, _axes = plt.subplots(1, 2)
plt.close(_fig)
add(f"{EP}.convergence_panels", lambda: experiment_plots.convergence_panels(_axes, "f", CURVES), TypeError,
    "curves_f")
add(f"{EP}.convergence_panels", lambda: experiment_plots.convergence_panels(_axes, CURVES, None), TypeError,
    "curves_g")
add(f"{EP}.convergence_panels", lambda: experiment_plots.convergence_panels(_axes[:1], CURVES, CURVES), ValueError,
    "axes")
add(f"{EP}.convergence_panels", lambda: experiment_plots.convergence_panels("ax", CURVES, CURVES), TypeError,
    "axes")
add(f"{EP}.convergence_figure", lambda: experiment_plots.convergence_figure([], CURVES), TypeError, "curves_f")
add(f"{EP}.convergence_figure", lambda: experiment_plots.convergence_figure(CURVES, 3), TypeError, "curves_g")
RPL = f"{EP}.ratio_plot"
add(RPL, lambda: experiment_plots.ratio_plot("ax", [1.0], [[1.0]], "x"), TypeError, "ax")
add(RPL, lambda: experiment_plots.ratio_plot(_axes[0], [1.0, 2.0], [[1.0]], "x"), ValueError, "ratios", "lengths")
add(RPL, lambda: experiment_plots.ratio_plot(_axes[0], [np.nan], [[1.0]], "x"), ValueError, "xs")
add(RPL, lambda: experiment_plots.ratio_plot(_axes[0], [-1.0], [[1.0]], "x"), ValueError, "xs", "log axis")
add(RPL, lambda: experiment_plots.ratio_plot(_axes[0], [1.0], [[]], "x"), ValueError, "ratios", "empty")
add(RPL, lambda: experiment_plots.ratio_plot(_axes[0], [1.0], [[1.0]], "x", bound=[True, False]), ValueError,
    "bound")
add(RPL, lambda: experiment_plots.ratio_plot(_axes[0], [1.0], [[1.0]], "x", offset=np.nan), ValueError, "offset")

# ---------------------------------------------------------------------------- plotting
PL = "plotting"
_value = toy2d.STRICT_SADDLE.value
add(f"{PL}.contour_landscape", lambda: plotting.contour_landscape(_axes[0], "h", (-1, 1), (-1, 1)), TypeError,
    "value")
for arg in ("xlim", "ylim"):
    for label, v, exc in [("reversed", (1, -1), ValueError), ("nan", (np.nan, 1), ValueError),
                          ("one number", 1, TypeError), ("strings", ("a", "b"), TypeError)]:
        add(f"{PL}.contour_landscape", functools.partial(plotting.contour_landscape, _axes[0], _value,
                                                         **{"xlim": (-1, 1), "ylim": (-1, 1), arg: v}),
            exc, arg, label)
add_family(f"{PL}.contour_landscape", lambda v: plotting.contour_landscape(_axes[0], _value, (-1, 1), (-1, 1),
                                                                            n=v), "n", BAD_COUNT + [("one", 1, ValueError)])
add_family(f"{PL}.contour_landscape", lambda v: plotting.contour_landscape(_axes[0], _value, (-1, 1), (-1, 1),
                                                                            n=5, clip=v), "clip",
           [("reversed", (1, -1), ValueError), ("nan", (np.nan, 1.0), ValueError), ("number", 1.0, TypeError)])
add_family(f"{PL}.contour_landscape", lambda v: plotting.contour_landscape(_axes[0], _value, (-1, 1), (-1, 1),
                                                                            n=5, levels=v), "levels",
           [("zero", 0, ValueError), ("string", "many", TypeError)])
add(f"{PL}.mark_points", lambda: plotting.mark_points(_axes[0], [(0, 0)], "max"), ValueError, "kind")
add_arrays(f"{PL}.mark_points", lambda v: plotting.mark_points(_axes[0], v, "saddle"), "points", [[0.0, 0.0]],
           skip=("1-D",))
add(f"{PL}.band", lambda: plotting.band(_axes[0], [0, 1, 2], [[1.0, 2.0]], "k", "x"), ValueError, "runs",
    "lengths")
add_arrays(f"{PL}.band", lambda v: plotting.band(_axes[0], [0.0, 1.0], v, "k", "x"), "runs", [[1.0, 2.0]],
           shape=False, skip=("nan", "inf"))  # diverged runs are drawn
add_arrays(f"{PL}.band", lambda v: plotting.band(_axes[0], v, [[1.0, 2.0]], "k", "x"), "x", [0.0, 1.0])
add_family(f"{PL}.band", lambda v: plotting.band(_axes[0], [0.0, 1.0], [[1.0, 2.0]], "k", "x", quantiles=v),
           "quantiles", [("out of range", (0.1, 1.5), ValueError), ("one number", 0.5, TypeError)])

add_arrays(f"{PL}.group_values", lambda v: plotting.group_values(v), "values", [1.0, 2.0], shape=False)
add_family(f"{PL}.group_values", lambda v: plotting.group_values([1.0, 2.0], rtol=v), "rtol", BAD_REAL +
           [("negative", -1.0, ValueError)])
add(f"{PL}.end_values", lambda: plotting.end_values(_axes[0], [1.0, 2.0]), TypeError, "runs", "list")
add(f"{PL}.end_values", lambda: plotting.end_values(_axes[0], {}), ValueError, "runs", "empty")
add_arrays(f"{PL}.end_values", lambda v: plotting.end_values(_axes[0], {"a": v}), "runs", [1.0, 2.0],
           shape=False)
add_family(f"{PL}.end_values", lambda v: plotting.end_values(_axes[0], {"a": [1.0]}, digits=v), "digits",
           BAD_NONNEG_COUNT)
add(f"{PL}.end_values", lambda: plotting.end_values(_axes[0], {"a": [1.0], "b": [2.0]}, colors=["k"]),
    ValueError, "colors", "too few")
add(f"{PL}.dot_rows", lambda: plotting.dot_rows(_axes[0], [([1.0], [True])]), TypeError, "rows", "list")
add(f"{PL}.dot_rows", lambda: plotting.dot_rows(_axes[0], {}), ValueError, "rows", "empty")
add(f"{PL}.dot_rows", lambda: plotting.dot_rows(_axes[0], {"a": [1.0]}), TypeError, "rows", "not a pair")
add(f"{PL}.dot_rows", lambda: plotting.dot_rows(_axes[0], {"a": ([1.0, 2.0], [True])}), ValueError, "rows",
    "lengths")
add(f"{PL}.dot_rows", lambda: plotting.dot_rows(_axes[0], {"a": ([1.0], [1])}), TypeError, "rows",
    "filled not booleans")
add_arrays(f"{PL}.dot_rows", lambda v: plotting.dot_rows(_axes[0], {"a": (v, [True, False])}), "rows",
           [1.0, 2.0], skip=("empty", "wrong shape"))
add_arrays(f"{PL}.hessian_spectrum", lambda v: plotting.hessian_spectrum(_axes[0], v, 1e-8), "eigenvalues",
           [0.0, 1.0], shape=False)
add_family(f"{PL}.hessian_spectrum", lambda v: plotting.hessian_spectrum(_axes[0], [0.0, 1.0], v), "zero_tol",
           BAD_REAL + [("negative", -1.0, ValueError)])

# ----------------------------------------------------------------------------- widgets
WI = "widgets.static_explorer"
_render = lambda *a: None  # noqa: E731
add(WI, lambda: widgets.static_explorer("render", {"a": [1]}), TypeError, "render")
add(WI, lambda: widgets.static_explorer(_render, [("a", [1])]), TypeError, "params")
add(WI, lambda: widgets.static_explorer(_render, {}), ValueError, "params")
add(WI, lambda: widgets.static_explorer(_render, {"a": []}), ValueError, "params")
add(WI, lambda: widgets.static_explorer(_render, {"a": 3}), TypeError, "params")
add(WI, lambda: widgets.static_explorer(_render, {"a": [1]}, initial={"a": 5}), ValueError, "initial")
add(WI, lambda: widgets.static_explorer(_render, {"a": [1]}, initial=[1]), TypeError, "initial")
add(WI, lambda: widgets.static_explorer(_render, {"a": [1]}, fmt=3), TypeError, "fmt")

# ----------------------------------------------------------------------------- display
add_family("display.small", lambda v: display.small(v), "x", [("string", "abc", TypeError), ("none", None, TypeError),
                                                              ("complex", 1j, TypeError),
                                                              ("array", [1.0, 2.0], TypeError)])
add_family("display.small", lambda v: display.small(1.0, floor=v), "floor", BAD_NONNEGATIVE)
add_family("display.small", lambda v: display.small(1.0, digits=v), "digits", BAD_NONNEG_COUNT)

# ------------------------------------------------------------------------------ ledger
add("ledger.record", lambda: ledger.record("A 1"), ValueError, "claim")
add("ledger.record", lambda: ledger.record(3), ValueError, "claim")
add("ledger.record", lambda: ledger.record("A.1", "ok"), ValueError, "verdict")
add("ledger.record", lambda: ledger.record("A.1", "not reproduced", 5), TypeError, "note")
add("ledger.record", lambda: ledger.record("A.1", "not reproduced", ""), ValueError, "note")
add("ledger.record", lambda: ledger.record("A.1", glue=[("a", 1)]), TypeError, "glue")
add("ledger.record", lambda: ledger.record("A.1", glue={"a b": 1}), ValueError, "glue")
add("ledger.record", lambda: ledger.record("A.1", glue={3: 1}), ValueError, "glue")
add("ledger.record", lambda: ledger.record("A.1", summary=3), TypeError, "summary")
add("ledger.build", lambda: ledger.build("/nonexistent/book"), ValueError, "book_root")
add("ledger.build", lambda: ledger.build(3), TypeError, "book_root")
add("ledger.build", lambda: ledger.build(".", claims_file="/nonexistent.yml"), ValueError, "claims_file")
add("ledger.build", lambda: ledger.build(".", claims_file=3), TypeError, "claims_file")
_ledger = ledger.Ledger([], [], {})
add("ledger.Ledger.verdict", lambda: _ledger.verdict("A.1"), TypeError, "claim")
add("ledger.Ledger.records_for", lambda: _ledger.records_for(3), TypeError, "claim_id")
add("ledger.tex_note", lambda: ledger.tex_note(3), TypeError, "note")
add("ledger.ascii_math", lambda: ledger.ascii_math(None), TypeError, "text")

# --------------------------------------------------------------------- reproducibility
RE = "reproducibility"
for name, arg in (("seeds", "book_root"), ("stored_seeds", "book_root"), ("figures", "book_root"),
                  ("data_scripts", "scripts_dir"), ("pinned", "requirements")):
    fn = getattr(reproducibility, name)
    add(f"{RE}.{name}", lambda fn=fn: fn("/nonexistent/path"), ValueError, arg)
    add(f"{RE}.{name}", lambda fn=fn: fn(None), TypeError, arg)
add(f"{RE}.global_seeding", lambda: reproducibility.global_seeding("/nonexistent", "."), ValueError, "book_root")
add(f"{RE}.global_seeding", lambda: reproducibility.global_seeding(".", "/nonexistent"), ValueError, "library")
add(f"{RE}.global_seeding", lambda: reproducibility.global_seeding(".", 3), TypeError, "library")
add(f"{RE}.version_mismatches", lambda: reproducibility.version_mismatches(["numpy==1"]), TypeError, "pins")
add(f"{RE}.version_mismatches", lambda: reproducibility.version_mismatches({"numpy": 1}), TypeError, "pins")

# ----------------------------------------------------------------------------- saddles
for meth in ("value", "gradient", "hessian"):
    m = getattr(toy2d.STRICT_SADDLE, meth)
    add_arrays(f"saddles.Landscape2D.{meth}", lambda v, m=m: m(v), "p", [0.5, 0.5], batch=True)
for label, v, exc in [("nan", [1.0, np.nan], ValueError), ("empty", [], ValueError),
                      ("strings", ["a"], TypeError), ("complex", [1j, 1.0], TypeError), ("2-D", [[1.0]], ValueError)]:
    add("saddles.classify", functools.partial(curvature.classify, v), exc, "hessian_eigenvalues", label)
add_family("saddles.classify", lambda v: curvature.classify([1.0, 2.0], tol=v), "tol", BAD_NONNEGATIVE)
add_family("saddles.classify", lambda v: curvature.classify([1.0, 2.0], value_tol=v), "value_tol", BAD_NONNEGATIVE)
add_family("saddles.classify", lambda v: curvature.classify([1.0, 2.0], value_gap=v), "value_gap",
           BAD_REAL[:1] + BAD_REAL[2:-1])

# --------------------------------------------------------------------------- canonical
add_arrays("canonical.basis", lambda v: canonical.basis(v), "B", np.eye(3)[:, :2], shape=False,
           skip=("empty",))  # the basis of the zero subspace is empty
add_arrays("canonical.blocks", lambda v: canonical.blocks(v), "values", [3.0, 2.0], shape=False,
           skip=("empty",))
add_family("canonical.blocks", lambda v: canonical.blocks([2.0, 1.0], rtol=v), "rtol", BAD_NONNEGATIVE)
add_arrays("canonical.svd", lambda v: canonical.svd(v), "M", X, shape=False)
add_family("canonical.svd", lambda v: canonical.svd(X, rtol=v), "rtol", BAD_NONNEGATIVE)
add("canonical.svd", lambda: canonical.svd(X, full_matrices="yes"), TypeError, "full_matrices")
add("canonical.svd", lambda: canonical.svd(np.ones((2, 60000))), ValueError, "M", "dense size")
add_arrays("canonical.eigh", lambda v: canonical.eigh(v), "S", np.eye(3), shape=False)
add("canonical.eigh", lambda: canonical.eigh(np.ones((2, 3))), ValueError, "S", "not square")
add_family("canonical.eigh", lambda v: canonical.eigh(np.eye(2), rtol=v), "rtol", BAD_NONNEGATIVE)
add_arrays("canonical.orthonormal", lambda v: canonical.orthonormal(v), "A", np.eye(3), shape=False)


# ----------------------------------------------- entry points added since the table was built
BAD_MS = lambda Ms: [("nan", [Ms[0], _with(Ms[1], (0, 0), np.nan)] + list(Ms[2:]), ValueError),  # noqa: E731
                     ("complex", [Ms[0] + 1j] + list(Ms[1:]), TypeError),
                     ("wrong shape", [Ms[0].T] + list(Ms[1:]), ValueError),
                     ("too few", list(Ms[:-1]), ValueError), ("array", np.zeros(3), TypeError)]
BAD_SEED = [("negative", -1, ValueError), ("fraction", 1.5, TypeError), ("string", "0", TypeError),
            ("none", None, TypeError)]
for name, extra in (("relative_layer_norms", ()), ("continue_run", (0.0,))):
    fn = getattr(corollary1, name)
    add(f"corollary1.{name}", lambda fn=fn, e=extra: fn(TOWERS, TS, *e), TypeError, "net")
    add_family(f"corollary1.{name}", lambda v, fn=fn, e=extra: fn(NET, v, *e, **({"maxiter": 2} if e else {})),
               "M", BAD_MS(MS))
CRN = "corollary1.continue_run"
add_family(CRN, lambda v: corollary1.continue_run(NET, MS, v, maxiter=2), "optimum", BAD_REAL)
add(CRN, lambda: corollary1.continue_run(NET, MS, 1e9, maxiter=2), ValueError, "optimum", "above L(0)")
add_family(CRN, lambda v: corollary1.continue_run(NET, MS, 0.0, tol=v, maxiter=2), "tol",
           [r for r in BAD_NONNEGATIVE if r[0] != "none"])
add_family(CRN, lambda v: corollary1.continue_run(NET, MS, 0.0, maxiter=v), "maxiter",
           [r for r in BAD_COUNT if r[0] != "none"])
add(CRN, lambda: corollary1.continue_run(NET, MS, 0.0, maxiter=2, balanced="yes"), TypeError, "balanced")

C2 = "corollary2"
add_family(f"{C2}.corollary2_data", lambda v: corollary2.corollary2_data(v), "rng", BAD_RNG)
C2X, C2Y, C2L = corollary2.corollary2_data(GEN(12))
C2NET = deep.MultiTowerNetwork([[5, 1, 4], [5, 1, 4]], C2L["quadratic"])
CO = f"{C2}.corollary2_optimum"
add(CO, lambda: corollary2.corollary2_optimum(NET, "quadratic", C2X, C2Y), TypeError, "net")
add_family(CO, lambda v: corollary2.corollary2_optimum(C2NET, v, C2X, C2Y), "loss_name",
           [("unknown", "l2", ValueError), ("number", 3, ValueError)])
add_arrays(CO, lambda v: corollary2.corollary2_optimum(C2NET, "quadratic", v, C2Y), "X", C2X, shape=False)
add(CO, lambda: corollary2.corollary2_optimum(C2NET, "quadratic", C2X[:3], C2Y), ValueError, "X", "rows")
add_arrays(CO, lambda v: corollary2.corollary2_optimum(C2NET, "quadratic", C2X, v), "Y", C2Y)
add_arrays(f"{C2}.flat_part", lambda v: corollary2.flat_part(v), "P", np.ones((2, 3)), shape=False)
GE = f"{C2}.group_end_values"
add_family(GE, lambda v: corollary2.group_end_values(v, [True, False]), "values",
           [r for r in BAD_VALUES if r[0] != "2-D"] + [("nan", [np.nan, 1.0], ValueError)])
add_family(GE, lambda v: corollary2.group_end_values([1.0, 2.0], v), "certified",
           [("strings", ["a", "b"], TypeError), ("length", [True], ValueError), ("not 0 or 1", [2, 0], ValueError),
            ("complex", [1j, 0], TypeError)])
add_family(GE, lambda v: corollary2.group_end_values([1.0], [True], rtol=v), "rtol", BAD_NONNEGATIVE)
add_family(f"{C2}.search_losses", lambda v: corollary2.search_losses(v), "seed", BAD_SEED)

add_family(f"{CR}.lemma1_instances", lambda v: a_lemma1.lemma1_instances(v), "mu", BAD_NONNEGATIVE)
add_family(f"{CR}.support_label", lambda v: lemma1_study.support_label(v), "support",
           [("fraction", (0.5,), TypeError), ("negative", (-1,), ValueError), ("number", 3, TypeError),
            ("none", None, TypeError), ("nested", [(0, 1)], TypeError)])
add(f"{CR}.survey_summary", lambda: lemma1_study.survey_summary({"n_starts": 1}), TypeError, "sv")
for name in ("tied_bases", "tie_dependence"):
    fn = public(name)
    add(f"{CR}.{name}", lambda fn=fn: fn("P", 2), TypeError, "problem")
    add_family(f"{CR}.{name}", lambda v, fn=fn: fn(P, v), "n", BAD_COUNT)
    add_family(f"{CR}.{name}", lambda v, fn=fn: fn(P, 2, rng=v), "rng", BAD_RNG[:1] + BAD_RNG[2:])
add(f"{CR}.tied_bases", lambda: lemma2.tied_bases(a_lemma1.problem_with_spectrum([2, 2, 2, 1], 4, 2, 4, rng=GEN(0)),
                                                     2), TypeError, "rng", "three tied values, no rng")

TW2 = deep.MultiTowerNetwork([(3, 1, 2), (3, 1, 2)], Qd)
TW2S = TW2.random_weights(GEN(0))
add_arrays(f"{MT}.embed", lambda v: TW2.embed(v, np.ones((2, 3))), "A", np.ones((2, 2)))
add_arrays(f"{MT}.embed", lambda v: TW2.embed(np.ones((2, 2)), v), "B", np.ones((2, 3)))
add(f"{MT}.embed", lambda: TOWERS.embed(np.ones((2, 3)), np.ones((3, 3))), ValueError, "towers", "cut at an end")
for label, v, exc in [("nan", [[TW2S[0][0], _with(TW2S[0][1], (0, 0), np.nan)], TW2S[1]], ValueError),
                      ("complex", [[TW2S[0][0] + 1j, TW2S[0][1]], TW2S[1]], TypeError),
                      ("one tower", TW2S[:1], ValueError), ("array", np.zeros(3), TypeError),
                      ("flat list", TW2S[1], TypeError)]:
    add(f"{MT}.lift", functools.partial(lambda v: TW2.lift(v, np.zeros((2, 2)), np.zeros((2, 3))), v), exc, "Ms",
        label)
add_arrays(f"{MT}.lift", lambda v: TW2.lift(TW2S, v, np.zeros((2, 3))), "dA", np.zeros((2, 2)))
add_arrays(f"{MT}.lift", lambda v: TW2.lift(TW2S, np.zeros((2, 2)), v), "dB", np.zeros((2, 3)))
add(f"{MT}.lift", lambda: TOWERS.lift(TS, np.zeros((2, 3)), np.zeros((3, 3))), ValueError, "towers", "cut at an end")
UT = "deep.upper_tower"
add(UT, lambda: paper_b.upper_tower(TOWERS, TS), TypeError, "net")
add_family(UT, lambda v: paper_b.upper_tower(NET, v), "M", BAD_MS(MS))
add_family(UT, lambda v: paper_b.upper_tower(NET, MS, j=v), "j", [("end", 3, ValueError), ("zero", 0, ValueError),
                                                               ("fraction", 1.5, ValueError),
                                                               ("string", "1", ValueError)])

for name in ("product_jacobian", "group_tangent", "symmetry_tangent", "polish", "certify_minimum"):
    fn = public(name)
    add(f"{DT}.{name}", lambda fn=fn: fn("net", MS), TypeError, "net")
    add_family(f"{DT}.{name}", lambda v, fn=fn: fn(NET, v), "M", BAD_MS(MS))
    add(f"{DT}.{name}", lambda fn=fn: fn(_big()[3], [np.zeros((1000, 1000))] * 2), ValueError, "net", "dense size")
add_family(f"{DT}.symmetry_tangent", lambda v: certify.symmetry_tangent(NET, MS, rtol=v), "rtol",
           BAD_NONNEGATIVE)
add_family(f"{DT}.polish", lambda v: certify.polish(NET, MS, steps=v), "steps", BAD_NONNEG_COUNT)
add_family(f"{DT}.polish", lambda v: certify.polish(NET, MS, rtol=v), "rtol", BAD_NONNEGATIVE)
CM = f"{DT}.certify_minimum"
add_family(CM, lambda v: certify.certify_minimum(NET, MS, polish_steps=v), "polish_steps", BAD_NONNEG_COUNT)
for arg in ("gtol", "zero_rtol", "margin_rtol", "kink_rtol"):
    add_family(CM, lambda v, a=arg: certify.certify_minimum(NET, MS, **{a: v}), arg, BAD_NONNEGATIVE)
add_family(CM, lambda v: certify.certify_minimum(NET, MS, rng=v), "rng", BAD_RNG[:1] + BAD_RNG[2:])
FDL = f"{DT}.loss_flat_directions"
add_family(FDL, lambda v: losses.loss_flat_directions(v), "loss", [("string", "quadratic", TypeError),
                                                                     ("none", None, TypeError),
                                                                     ("network", NET, TypeError)])
add(FDL, lambda: losses.loss_flat_directions(losses.Quadratic(np.ones((1000, 2)), np.ones((1000, 2)))),
    ValueError, "loss", "dense size")

TB = "display.Table"
add(TB, lambda: display.Table(["a"], [[1]], widths=3), TypeError, "widths")
add(TB, lambda: display.Table(["a"], [[1]], widths=[0]), ValueError, "widths")
add(TB, lambda: display.Table(["a"], [[1]], widths=[2.5]), TypeError, "widths")
add(TB, lambda: display.Table(["a", "b"], [[1, 2]], widths=[3]), ValueError, "header")
add(TB, lambda: display.Table(["a"], [[1, 2]], widths=[3]), ValueError, "rows")
add(TB, lambda: display.Table(["a"], [[1]], widths=[3], formats=[3]), ValueError, "formats")
VR = "display.value_or_range"
add_family(VR, lambda v: display.value_or_range(v), "values",
           [("nan", [1.0, np.nan], ValueError), ("inf", [np.inf], ValueError), ("empty", [], ValueError),
            ("strings", ["a"], TypeError), ("complex", [1j], TypeError), ("none", None, TypeError)])
add_family(VR, lambda v: display.value_or_range([1.0], fmt=v), "fmt", [("number", 3, TypeError),
                                                                       ("not a float format", ".4q", ValueError)])
add(VR, lambda: display.value_or_range([1.0], sep=3), TypeError, "sep")
add_family(VR, lambda v: display.value_or_range([1.0], rtol=v), "rtol", BAD_NONNEGATIVE)

EE = "spectrum.extreme_eigenvalue"
_op = curvature.hessian_operator(P, W1, W2)
add_family(EE, lambda v: curvature.extreme_eigenvalue(v), "op", [("list", np.eye(3).tolist(), TypeError),
                                                                ("string", "op", TypeError),
                                                                ("not square", np.ones((2, 3)), ValueError)])
add(EE, lambda: curvature.extreme_eigenvalue(_op, which="SM"), ValueError, "which")
add_family(EE, lambda v: curvature.extreme_eigenvalue(_op, tol=v), "tol", BAD_NONNEGATIVE)
add_family(EE, lambda v: curvature.extreme_eigenvalue(_op, seed=v), "seed", BAD_SEED)
add(EE, lambda: curvature.extreme_eigenvalue(_op, dense=3), TypeError, "dense")
add_family(EE, lambda v: curvature.extreme_eigenvalue(_op, min_n=v), "min_n", [r for r in BAD_NONNEG_COUNT])
add_family(EE, lambda v: curvature.extreme_eigenvalue(_op, ncv=v), "ncv", [("one", 1, ValueError),
                                                                          ("fraction", 2.5, TypeError)])
add(EE, lambda: curvature.extreme_eigenvalue(_op, unshifted_first="yes"), TypeError, "unshifted_first")

MSx = "multistart"
add_family(f"{MSx}.l1_certified", lambda v: multistart.l1_certified(v), "theta",
           [("nan", [np.nan, 0.0, 0.0, 0.0], ValueError), ("three", [0.0, 0.0, 0.0], ValueError),
            ("strings", ["a"] * 4, TypeError), ("2-D", [[0.0] * 4], ValueError), ("complex", [1j] * 4, TypeError)])
for arg in ("zero", "margin"):
    add_family(f"{MSx}.l1_certified", lambda v, a=arg: multistart.l1_certified(np.zeros(4), **{a: v}), arg,
               BAD_NONNEGATIVE)
add_arrays(f"{MSx}.l1_loss", lambda v: multistart.l1_loss(v), "theta", np.zeros(4), batch=True)
TNI = multistart.tanh_instance()
add(f"{MSx}.tanh_polish", lambda: multistart.tanh_polish(NET, np.zeros(3)), TypeError, "net")
add_arrays(f"{MSx}.tanh_polish", lambda v: multistart.tanh_polish(TNI, v, steps=1), "theta", np.zeros(TNI.n_params))
add_family(f"{MSx}.tanh_polish", lambda v: multistart.tanh_polish(TNI, np.zeros(TNI.n_params), steps=v), "steps",
           BAD_NONNEG_COUNT)
add_family(f"{MSx}.theorem2_networks", lambda v: multistart.theorem2_networks(v, (4, 4)), "seed", BAD_SEED)
add_family(f"{MSx}.theorem2_networks", lambda v: multistart.theorem2_networks(0, v), "shape",
           [("fraction", (2.5, 4), TypeError), ("zero", (0, 4), ValueError), ("number", 4, TypeError),
            ("three", (2, 3, 4), ValueError)])

TC = "ties.tie_circle"
PTIE = a_lemma1.lemma1_instances(0.0)["tie at the cut"]
add(TC, lambda: ties.tie_circle("P", (0,)), TypeError, "problem")
add(TC, lambda: ties.tie_circle(P, (0,)), ValueError, "problem", "no tied pair")
add_family(TC, lambda v: ties.tie_circle(PTIE, v, n=5), "support",
           [("fraction", (0.5,), TypeError), ("number", 3, TypeError), ("negative", (-1,), ValueError),
            ("too big", (7,), ValueError), ("string", "0", TypeError)])
add_family(TC, lambda v: ties.tie_circle(PTIE, (0,), n=v), "n", BAD_COUNT + [("four", 4, ValueError)])

TR = "ties.tie_rotations"
PTRI = a_lemma1.problem_with_spectrum([2.0, 2.0, 2.0, 1.0], 4, 2, 4, 0.5, np.random.default_rng(0))
add(TR, lambda: ties.tie_rotations("P", (0,)), TypeError, "problem")
add(TR, lambda: ties.tie_rotations(PTIE, (0,)), ValueError, "problem", "a pair, not three")
add_family(TR, lambda v: ties.tie_rotations(PTRI, v, n=5), "support",
           [("fraction", (0.5,), TypeError), ("number", 3, TypeError), ("negative", (-1,), ValueError),
            ("too big", (7,), ValueError), ("string", "0", TypeError)])
add_family(TR, lambda v: ties.tie_rotations(PTRI, (0,), n=v), "n", BAD_COUNT + [("four", 4, ValueError)])
add_family(TR, lambda v: ties.tie_rotations(PTRI, (0,), n=5, n_checks=v), "n_checks", BAD_COUNT)

# ------------------------------------------------------------------------ saddle_search
from landscape.studies import saddle_search

SS = "saddle_search"
PF = shallow.ShallowProblem(X, Y, 2)
BW1, BW2 = PF.random_weights(np.random.default_rng(2), batch=(2,))
add(f"{SS}.search_tolerance", lambda: saddle_search.search_tolerance(STACK), TypeError, "p")
for name in ("describe_points",):
    fn = getattr(saddle_search, name)
    add(f"{SS}.{name}", lambda fn=fn: fn("P", BW1, BW2), TypeError, "p")
    add_arrays(f"{SS}.{name}", lambda v, fn=fn: fn(PF, v, BW2), "W1", BW1, batch=True,
               skip=("empty",) if name == "describe_points" else ())
    add_arrays(f"{SS}.{name}", lambda v, fn=fn: fn(PF, BW1, v), "W2", BW2, batch=True,
               skip=("empty",) if name == "describe_points" else ())
add_family(f"{SS}.describe_points", lambda v: saddle_search.describe_points(PF, BW1, BW2, rtol=v), "rtol",
           BAD_POSITIVE)
add_family(f"{SS}.describe_points", lambda v: saddle_search.describe_points(PF, BW1, BW2, digits=v), "digits",
           BAD_COUNT)
add(f"{SS}.near_saddle_starts", lambda: saddle_search.near_saddle_starts("P", 2, GEN(0)), TypeError, "p")
add_family(f"{SS}.near_saddle_starts", lambda v: saddle_search.near_saddle_starts(PF, v, GEN(0)), "n_starts",
           BAD_COUNT)
add_family(f"{SS}.near_saddle_starts", lambda v: saddle_search.near_saddle_starts(PF, 2, v), "rng", BAD_RNG)
add_family(f"{SS}.near_saddle_starts", lambda v: saddle_search.near_saddle_starts(PF, 2, GEN(0), eps=v), "eps",
           BAD_POSITIVE)
add(f"{SS}.product_tolerance", lambda: saddle_search.product_tolerance("P"), TypeError, "p")
add_family(f"{SS}.product_tolerance", lambda v: saddle_search.product_tolerance(PF, v), "rtol", BAD_POSITIVE)
add(f"{SS}.product_residual", lambda: saddle_search.product_residual("P", np.zeros((1, 3))), TypeError, "p")
add_arrays(f"{SS}.product_residual", lambda v: saddle_search.product_residual(PF, v), "M",
           np.zeros((PF.d2, PF.d0)))
add_arrays(f"{SS}.distinct_points", lambda v: saddle_search.distinct_points(v, 1.0), "products",
           np.zeros((2, 2, 3)), batch=True, skip=("empty", "wrong shape"))
add_family(f"{SS}.distinct_points", lambda v: saddle_search.distinct_points(np.zeros((2, 2, 3)), v), "tol",
           BAD_NONNEGATIVE)
add_family(f"{SS}.point_counts", lambda v: saddle_search.point_counts(v), "distinct",
           [("dict", {}, TypeError), ("none", None, TypeError), ("tuple", (), TypeError)])

WT = "walkthrough"
for name in ("lemma1_only_if", "lemma1_if", "identity24", "identity34", "lemma2_steps"):
    fn = getattr(walkthrough, name)
    add(f"{WT}.{name}", lambda fn=fn: fn(STACK, W1, W2), TypeError, "problem")
    add_arrays(f"{WT}.{name}", lambda v, fn=fn: fn(P, v, SADDLE.W2), "W1", SADDLE.W1)
    add_arrays(f"{WT}.{name}", lambda v, fn=fn: fn(P, SADDLE.W1, v), "W2", SADDLE.W2)
    if name not in ("identity24", "identity34"):
        add_family(f"{WT}.{name}", lambda v, fn=fn: fn(P, SADDLE.W1, SADDLE.W2, floor=v), "floor", BAD_NONNEGATIVE)
add_family(f"{WT}.identity34", lambda v: walkthrough.identity34(P, W1, W2, k=v), "k",
           [("fraction", 0.5, TypeError), ("negative", -1, ValueError), ("too big", 9, ValueError),
            ("string", "0", TypeError)])
add_arrays(f"{WT}.identity34", lambda v: walkthrough.identity34(P, W1, W2, alpha=v), "alpha", np.eye(P.d1)[:, 0])
add_family(f"{WT}.lemma2_steps", lambda v: walkthrough.lemma2_steps(P, SADDLE.W1, SADDLE.W2, k=v), "k",
           [("fraction", 0.5, TypeError), ("negative", -1, ValueError), ("string", "1", TypeError),
            ("too big", 9, ValueError)])
WTH = walkthrough.lemma1_if(P, SADDLE.W1, SADDLE.W2)
add(f"{WT}.Walkthrough.select", lambda: WTH.select(3), TypeError, "prefix")
add(f"{WT}.Walkthrough.residual", lambda: WTH.residual(3), TypeError, "exclude")
add_family(f"{WT}.Walkthrough.table", lambda v: WTH.table(v), "width", BAD_NONNEG_COUNT)
add(f"{WT}.Walkthrough.cell", lambda: WTH.cell("grad1"), TypeError, "r")
for arg, v, exc in (("key", 3, TypeError), ("step", None, TypeError), ("paper", 1.0, TypeError),
                    ("value", "abc", TypeError), ("value", 1j, TypeError), ("digits", 0, ValueError),
                    ("digits", 2.5, TypeError), ("printed", "x", TypeError)):
    kw = dict(key="k", step="s", paper="p", value=1.0)
    kw[arg] = v
    add(f"{WT}.Walkthrough.add", functools.partial(walkthrough.Walkthrough("t").add, **kw), exc, arg)


def _row_id(row):
    entry, _, exc, arg, label = row
    return f"{entry}[{arg}:{label or exc.__name__}]"


PARAMS = [pytest.param(row, id=_row_id(row)) for row in ROWS]


@pytest.mark.parametrize("row", PARAMS)
def test_bad_input_is_refused(row):
    entry, call, exc, arg, label = row
    assert exc in (ValueError, TypeError)
    with pytest.raises(exc) as info:
        call()
    assert arg in str(info.value), f"the message does not name {arg!r}: {info.value}"


def test_every_entry_point_is_covered():
    covered = {row[0] for row in ROWS}
    exempt = {entry_key(e) for e in EXEMPT}
    records = {entry_key(e) for e in RECORDS}
    missing = [e for e in public_entry_points()
               if e not in covered and e not in exempt and e not in records
               and not (e.rsplit(".", 1)[0] in records and e.count(".") == 1)]
    assert not missing, f"public entry points without a bad-input row (add rows or a reason): {missing}"
    stale = [e for e in covered if e not in public_entry_points()]
    assert not stale, f"rows for entry points that are not public: {stale}"


def test_the_table_is_large():
    assert len(ROWS) > 1000 and len({row[0] for row in ROWS}) > 200


def test_integer_arrays_are_converted_not_refused():
    Xi, Yi = np.array([[1, 0, 2, 1], [0, 1, 1, 3]]), np.array([[1, 2, 0, 1]])
    p = shallow.ShallowProblem(Xi, Yi, 1)
    assert p.value(np.array([[1, 0]]), np.array([[2]])) == p.value(np.array([[1.0, 0.0]]), np.array([[2.0]]))
    q = losses.Quadratic(Xi, Yi)
    net = deep.DeepLinearNetwork((2, 2, 1), q)
    Ms = [np.eye(2, dtype=int), np.array([[1, 1]])]
    assert net.value(Ms) == net.value([M.astype(float) for M in Ms])
    run = descent.gradient_descent(net, Ms, 0.01, 3)
    assert run.weights[0].dtype == np.float64 and run.values[-1] <= run.values[0]
    run = descent.gradient_descent(p, (np.array([[1, 0]]), np.array([[2]])), 0.01, 3)
    assert run.values[-1] <= run.values[0]
    run = descent.gradient_descent(toy2d.STRICT_SADDLE, [[1, 1]], 0.1, 2)
    assert run.weights[0].dtype == np.float64


def test_dense_limit_can_be_raised_on_purpose():
    from landscape import _checks

    p = shallow.ShallowProblem(X, Y, 2)
    with _checks.dense_limit(8 * 10 * 10 - 1):          # n_params = 10: 800 bytes
        with pytest.raises(ValueError, match="DENSE_LIMIT_BYTES"):
            p.hessian(W1, W2)
    with _checks.dense_limit(800):
        assert p.hessian(W1, W2).shape == (10, 10)
    assert _checks.DENSE_LIMIT_BYTES == 2 * 2**30
