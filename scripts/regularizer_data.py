"""Regenerate book/shallow/data/regularizer.json: how the effect of paper A's regularizer on
gradient descent and L-BFGS depends on the choices the paper leaves open.

Run: ``.venv/bin/python scripts/regularizer_data.py [--out PATH] [--processes N] [--quiet]
[--no-resume]`` (about 15 minutes on 2 cores; the flags are scripts/_cli.py's). The points
done are kept in ``.cache/regularizer.partial.json`` as they finish, so an interrupted run
continues where it stopped (``--no-resume`` starts over).

Every point applies the rules of the experiments chapter (``RULES`` in
``landscape.studies.experiments``) and changes one thing:

* ``scale``:  X with N(0, c^2) entries, c in SCALES (1 is the literal reading, 0.1 makes
  X X^T close to the identity), all four setups;
* ``mu``:     the weight of the regularizer, c in {1, 0.1}, linear setups;
* ``init``:   the scale of the random start, c in {1, 0.1}, linear setups;
* ``rule``:   the step-size rule of gradient descent (the book's tuned rule; 0.5 / L at the
  balanced global minimizer, ``landscape.optim.curvature.step_from_curvature``; 1 / L at the start),
  c in {1, 0.1}, linear setups;
* ``memory``: the L-BFGS memory, c in {1, 0.1}, linear setups.

For each point and objective it stores the iterations to the tolerance of each of the 20
seeds (null: not reached), the number of diverged runs, and for the ``scale`` x ``mu`` grid of
setup lin20 the median excess-MSE_o curves (for the chapter's explorer).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from landscape.studies.experiments import (PAPER, RULES, SETUPS, choose_step, draw,
    run_gd, run_lbfgs)
from landscape.optim.curvature import largest_eigenvalue, step_from_curvature

from _cli import Progress, parser, resume_file, units
from atomic_write import read_json_or_set_aside, write_text

OUT = Path(__file__).resolve().parents[1] / "book" / "shallow" / "data" / "regularizer.json"
SCALES = [1.0, 0.3, 0.1, 0.03]
MUS = [1 / 32, 1 / 8, 1 / 2, 2.0]
INITS = [0.01, 0.1, 1.0]
MEMORIES = [5, 10, 20, 100]
STEP_RULES = ["tuned", "balanced", "start"]
TWO_SCALES = [1.0, 0.1]
CURVE_POINTS = 60


def _T(curves):
    return [None if not np.isfinite(t) else float(t) for t in curves.iterations_to(RULES["tol"])]


def _median_curve(curves):
    idx = np.unique(np.geomspace(1, len(curves.iterations), CURVE_POINTS).astype(int) - 1)
    med = np.nanmedian(np.clip(curves.excess, 1e-32, None), axis=1)
    return {"x": curves.iterations[idx].tolist(), "y": [float(f"{v:.3g}") for v in med[idx]]}


def gd_task(args):
    """One gradient-descent point: (setup key, objective, scale, mu, init, rule)."""
    key, obj, scale, mu, init, rule, want_curve = args
    setup = next(s for s in SETUPS if s.key == key)
    m = 0.0 if obj == "f" else mu
    batch = draw(setup, RULES["reported_seeds"], mu=m, x_scale=scale, init_scale=init)
    extra = {}
    if rule == "tuned":
        L0, res = choose_step(setup, m, x_scale=scale, init_scale=init)
        step = res.step
        extra = {"k": int(round(np.log2(res.step * L0))), "interior": res.interior}
    elif rule == "balanced":
        step = np.array([step_from_curvature(batch.problem(i)) for i in range(len(batch.seeds))])
    else:  # 1 / L at the start
        step = 1.0 / np.array([largest_eigenvalue(batch.problem(i), (batch.W1[i], batch.W2[i]))
                               for i in range(len(batch.seeds))])
    curves = run_gd(batch, step, RULES["gd_steps"], RULES["record_every"])
    out = {"T": _T(curves), "diverged": int(np.sum(~np.isfinite(curves.final("excess")))),
           "step": np.atleast_1d(step).tolist()[:1] if rule == "tuned" else None, **extra}
    if want_curve:
        out["curve"] = _median_curve(curves)
    return ("GD", key, obj, scale, m, init, rule), out


def lbfgs_task(args):
    key, obj, scale, mu, init, memory, want_curve = args
    setup = next(s for s in SETUPS if s.key == key)
    m = 0.0 if obj == "f" else mu
    batch = draw(setup, RULES["reported_seeds"], mu=m, x_scale=scale, init_scale=init)
    opts = dict(RULES["lbfgs"], memory=memory)
    curves = run_lbfgs(batch, **opts)
    out = {"T": _T(curves)}
    if want_curve:
        out["curve"] = _median_curve(curves)
    return ("L-BFGS", key, obj, scale, m, init, memory), out


def _call(job):
    fn, args = job
    return fn(args)


def tasks():
    gd, lb = set(), set()
    mu0, lin = PAPER["mu"], ("lin10", "lin20")
    for scale in SCALES:
        for s in SETUPS:
            for obj in "fg":
                gd.add((s.key, obj, scale, mu0, 1.0, "tuned"))
                lb.add((s.key, obj, scale, mu0, 1.0, 100))
    for scale in TWO_SCALES:
        for key in lin:
            for mu in MUS:
                gd.add((key, "g", scale, mu, 1.0, "tuned"))
                lb.add((key, "g", scale, mu, 1.0, 100))
            for init in INITS:
                for obj in "fg":
                    gd.add((key, obj, scale, mu0, init, "tuned"))
                    lb.add((key, obj, scale, mu0, init, 100))
            for rule in STEP_RULES:
                for obj in "fg":
                    gd.add((key, obj, scale, mu0, 1.0, rule))
            for memory in MEMORIES:
                for obj in "fg":
                    lb.add((key, obj, scale, mu0, 1.0, memory))
    # the explorer: scale x mu on lin20, with curves
    for scale in SCALES:
        for mu in MUS:
            gd.add(("lin20", "g", scale, mu, 1.0, "tuned"))
            lb.add(("lin20", "g", scale, mu, 1.0, 100))
    curve = lambda t: t[0] == "lin20" and t[4] == 1.0 and (t[5] in ("tuned", 100))
    # f does not depend on mu: one run per (setup, scale, init, rule)
    gd = {t if t[1] == "g" else t[:3] + (0.0,) + t[4:] for t in gd}
    lb = {t if t[1] == "g" else t[:3] + (0.0,) + t[4:] for t in lb}
    return ([t + (curve(t),) for t in sorted(gd)], [t + (curve(t),) for t in sorted(lb)])


def main():
    args = parser(__doc__, OUT, processes=2, resume=True).parse_args()
    gd, lb = tasks()
    partial = resume_file("regularizer.partial.json")  # resumable: the points done
    results = read_json_or_set_aside(partial, {}) if args.resume else {}
    todo = [(gd_task, t) for t in gd if json.dumps(("GD",) + t[:-1]) not in results]
    todo += [(lbfgs_task, t) for t in lb if json.dumps(("L-BFGS",) + t[:-1]) not in results]
    progress = Progress(len(todo), args.quiet)
    progress.say(f"{len(gd)} gradient-descent points, {len(lb)} L-BFGS points; {len(todo)} to compute"
                 + (f" ({len(results)} done in {partial})" if results else ""))
    for key, out in units(_call, todo, args.processes, ordered=False):
        results[json.dumps(key)] = out
        write_text(partial, json.dumps(results))
        progress(str(key))
    data = {"rules": RULES, "grid": {"scales": SCALES, "mus": MUS, "inits": INITS,
                                     "memories": MEMORIES, "step_rules": STEP_RULES,
                                     "two_scales": TWO_SCALES},
            "key": ["algorithm", "setup", "objective", "x_scale", "mu", "init_scale",
                    "rule or memory"],
            "results": dict(sorted(results.items()))}
    progress.wrote(args.out, data)
    partial.unlink()


if __name__ == "__main__":
    main()
