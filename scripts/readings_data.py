"""Regenerate book/shallow/data/readings.json: paper A's experiments under both readings of
its data scale, with the iterations to several tolerances.

Run: ``.venv/bin/python scripts/readings_data.py [--out PATH] [--processes N] [--quiet]``
(about a minute; the flags are scripts/_cli.py's; it reads the steps from experiments.json).

Two readings of "Gaussian random matrices" (the scalings of ``scripts/experiments_data.py``):
``unit`` (the literal reading: X with N(0, 1) entries) and ``normalized`` (X with N(0, 1/N)
entries, i.e. X / sqrt(N), so that X X^T is close to the identity); in both the start has
N(0, 1) entries. For each reading, setup and objective (f, and g with mu = 1/8) it runs
L-BFGS with the book's rules and gradient descent with the step that
``experiments_data.py`` chose for that reading (the budget of the figures, 10^4 steps), from
the reported seeds, and stores each seed's iterations until the excess MSE_o is below each
tolerance of ``TOLERANCES`` (null: not reached). Which run needs an iteration more moves with
the roundoff of the machine, so the chapter reads these counts from here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from landscape.studies.experiments import PAPER, RULES, SETUPS, draw, run_gd, run_lbfgs

from _cli import Progress, parser, units

DATA = Path(__file__).resolve().parents[1] / "book" / "shallow" / "data"
OUT = DATA / "readings.json"
SCALES = {"unit": 1.0, "normalized": 1.0 / np.sqrt(PAPER["N"])}
TOLERANCES = [1e-2, 1e-4, 1e-6, 1e-8]


def counts(curves) -> dict:
    return {f"{tol:.0e}": [None if not np.isfinite(t) else float(t)
                           for t in curves.iterations_to(tol)] for tol in TOLERANCES}


def run(job) -> tuple[str, dict]:
    """GD and L-BFGS on one reading, setup and objective (a unit of work)."""
    name, key, obj = job
    setup = next(s for s in SETUPS if s.key == key)
    steps = json.loads((DATA / "experiments.json").read_text())["steps"]
    base = draw(setup, RULES["reported_seeds"], mu=PAPER["mu"], x_scale=SCALES[name])
    batch = base.with_mu(0.0) if obj == "f" else base
    gd = run_gd(batch, steps[name][f"{key}/{obj}"]["step"], RULES["gd_steps"], RULES["record_every"])
    lb = run_lbfgs(batch, **RULES["lbfgs"])
    return f"{name}/{key}/{obj}", {"GD": counts(gd), "L-BFGS": counts(lb)}


def main() -> None:
    args = parser(__doc__, OUT, processes=1).parse_args()
    jobs = [(name, setup.key, obj) for name in SCALES for setup in SETUPS for obj in "fg"]
    progress = Progress(len(jobs), args.quiet)
    out = {"rules": {k: RULES[k] for k in ("reported_seeds", "gd_steps", "record_every",
                                           "lbfgs")},
           "scales": SCALES, "tolerances": [f"{t:.0e}" for t in TOLERANCES], "runs": {}}
    for key, record in units(run, jobs, args.processes):
        out["runs"][key] = record
        progress(key)
    progress.wrote(args.out, out, indent=1)


if __name__ == "__main__":
    main()
