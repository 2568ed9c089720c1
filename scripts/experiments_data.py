"""Regenerate book/shallow/data/experiments.json: the GD step sizes of paper A's experiments
and the long gradient-descent runs on g.

Run: ``.venv/bin/python scripts/experiments_data.py [--out PATH] [--processes N] [--quiet]
[--long-only]`` (five to seven minutes; the shared flags are scripts/_cli.py's; ``--long-only``
keeps the step search in the file at ``--out`` and redoes only the long runs).

For each data scaling (``unit``: X with N(0, 1) entries, the paper's literal reading;
``normalized``: X with N(0, 1/N) entries, so that X X^T is close to the identity), each of the
four setups and each objective (f, and g with mu = 1/8), it applies the book's step rule
(:func:`landscape.studies.experiments.choose_step`) and stores the grid, the median iterations to the
tolerance and the median final excess on the tuning seeds, and the chosen step. It then runs
gradient descent on the four setups of the ``unit`` scaling for ``LONG_STEPS`` steps from
the reported seeds (the budget of the figures is too short for g there) and stores each
seed's iterations to the tolerance.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from landscape.studies.experiments import (PAPER, RULES, SETUPS, choose_step, draw,
    run_gd)

from _cli import Progress, parser, units

OUT = Path(__file__).resolve().parents[1] / "book" / "shallow" / "data" / "experiments.json"
SCALES = {"unit": 1.0, "normalized": 1.0 / np.sqrt(PAPER["N"])}
LONG_STEPS = 100_000


def step_search(job) -> tuple[str, str, dict, str]:
    """The step rule on one scaling, setup and objective (a unit of work)."""
    scale_name, key, obj = job
    setup = next(s for s in SETUPS if s.key == key)
    L0, res = choose_step(setup, 0.0 if obj == "f" else PAPER["mu"], x_scale=SCALES[scale_name])
    record = {"L0": L0, "steps": res.steps.tolist(),
              "median_iterations": [None if not np.isfinite(v) else float(v)
                                    for v in res.median_iterations],
              "median_final": [None if not np.isfinite(v) else float(v) for v in res.median_final],
              "diverged": res.diverged.tolist(), "best": res.best, "step": res.step,
              "interior": res.interior}
    line = (f"{scale_name:10s} {key:6s} {obj}: k = {res.best + RULES['grid_exponents'][0]}"
            f" step {res.step:.3e}  median T {res.median_iterations[res.best]}")
    return scale_name, f"{key}/{obj}", record, line


def long_run(job) -> tuple[str, dict, str]:
    """The long gradient-descent runs on one setup and objective of the unit scaling."""
    key, obj, step = job
    setup = next(s for s in SETUPS if s.key == key)
    batch = draw(setup, RULES["reported_seeds"], mu=0.0 if obj == "f" else PAPER["mu"])
    curves = run_gd(batch, step, LONG_STEPS, record_every=100)
    T = curves.iterations_to(RULES["tol"])
    record = {"iterations_to_tol": [None if not np.isfinite(v) else float(v) for v in T],
              "final_excess": curves.final("excess").tolist()}
    return f"{key}/{obj}", record, f"long GD {key} {obj}: median T {np.median(T)}"


def main() -> None:
    ap = parser(__doc__, OUT, processes=1)
    ap.add_argument("--long-only", action="store_true",
                    help="keep the step search of the file at --out, redo only the long runs")
    args = ap.parse_args()
    searches = [] if args.long_only else [(scale_name, setup.key, obj) for scale_name in SCALES
                                          for setup in SETUPS for obj in "fg"]
    keys = [(setup.key, obj) for setup in SETUPS for obj in "fg"]
    progress = Progress(len(searches) + len(keys), args.quiet)
    if args.long_only:  # keep the step search of the file, redo the long runs
        out = json.loads(Path(args.out).read_text())
        out["long_gd"] = {"n_steps": LONG_STEPS, "record_every": 100, "runs": {}}
    else:
        out = {"rules": {k: v for k, v in RULES.items()}, "scales": SCALES, "steps": {},
               "long_gd": {"n_steps": LONG_STEPS, "record_every": 100, "runs": {}}}
    for scale_name, key, record, line in units(step_search, searches, args.processes):
        out["steps"].setdefault(scale_name, {})[key] = record
        progress(line)
    jobs = [(key, obj, out["steps"]["unit"][f"{key}/{obj}"]["step"]) for key, obj in keys]
    for key, record, line in units(long_run, jobs, args.processes):
        out["long_gd"]["runs"][key] = record
        progress(line)
    progress.wrote(args.out, out, indent=1)


if __name__ == "__main__":
    main()
