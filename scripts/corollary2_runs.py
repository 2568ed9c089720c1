#!/usr/bin/env python
"""Regenerate book/deep/data/corollary2.json: the training runs of the Corollary 2 chapter.

For each tower configuration and loss of landscape.studies.corollary2.COROLLARY2, the optimum L*
(landscape.studies.corollary2.corollary2_optimum) and 12 runs of L-BFGS from random starts (seeds 0 to
11), stopped when L - L* <= 1e-8 (L(0) - L*) or after 3000 iterations. Each run records whether
it reached L*, its iterations, L - L* and the gradient norm at its last point, and the norm of
its end-to-end matrix P with the norm of P's part of the form 1 v^T. A run that did not reach
L* also records the b largest singular values of P, the largest Hessian eigenvalue there and
scipy's stopping message.

Run:  make venv && OMP_NUM_THREADS=1 .venv/bin/python scripts/corollary2_runs.py
[--out PATH] [--processes N] [--quiet] (a few seconds; the flags are scripts/_cli.py's).
The chapter prints these records and re-runs the same runs live to check the robust
statements (which runs reach L*, with margins), never equality with the records.
"""
from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import numpy as np

from landscape.studies.corollary2 import (COROLLARY2, corollary2_data,
    corollary2_optimum, flat_part)
from landscape.models.deep import MultiTowerNetwork
from landscape.optim.curvature import largest_eigenvalue
from landscape.optim.starts import runs_from_starts

from _cli import Progress, parser, units

OUT = Path(__file__).resolve().parent.parent / "book" / "deep" / "data" / "corollary2.json"


def g4(x: float) -> float:
    return float(f"{x:.4g}")


@lru_cache(maxsize=None)
def _data():
    return corollary2_data(np.random.default_rng(COROLLARY2["data_seed"]))


def config_runs(job) -> dict:
    """The runs of one tower configuration and loss (a unit of work)."""
    name, loss_name = job
    X, Y, losses = _data()
    net = MultiTowerNetwork([tuple(t) for t in COROLLARY2["configs"][name]], losses[loss_name])
    optimum = corollary2_optimum(net, loss_name, X, Y)
    runs = runs_from_starts(net, range(COROLLARY2["n_runs"]), optimum, tol=COROLLARY2["tol"],
                            maxiter=COROLLARY2["maxiter"], keep=True, classify=False)
    rows, missed = [], []
    for r in runs:
        P = net.product(r.Ms)
        rows.append([r.seed, int(r.reached), r.n_iter, g4(r.value - optimum),
                     g4(r.grad_norm), g4(np.linalg.norm(P)), g4(np.linalg.norm(flat_part(P)))])
        if not r.reached:
            sv = np.linalg.svd(P, compute_uv=False)[:net.b]
            missed.append({"seed": r.seed, "singular_values": [g4(s) for s in sv],
                           "lam_max": g4(largest_eigenvalue(net, r.Ms)),
                           "message": r.message})
    return {"name": name, "loss": loss_name, "b": net.b, "optimum": optimum,
            "runs": rows, "missed": missed}


def main() -> int:
    args = parser(__doc__, OUT, processes=1).parse_args()
    grid = COROLLARY2
    jobs = [(name, loss_name) for name in grid["configs"] for loss_name in grid["losses"]]
    progress = Progress(len(jobs), args.quiet)
    configs = []
    for config in units(config_runs, jobs, args.processes):
        configs.append(config)
        progress(f"{config['name']:<31}{config['loss']:<15}"
                 f"{sum(row[1] for row in config['runs'])}/{len(config['runs'])} reached")
    payload = {"grid": grid,       # the table of runs apart, so that only its rows have a seed column
               "results": {"fields": ["seed", "reached", "n_iter", "excess", "grad_norm", "P_norm",
                                      "flat_norm"], "configs": configs}}
    progress.wrote(args.out, payload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
