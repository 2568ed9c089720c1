#!/usr/bin/env python
"""Regenerate book/deep/data/corollary1.json: the training runs of the Corollary 1 chapter.

For the quadratic loss 1/2 ||P X - Y||^2 on one data set, deep linear networks of depth 2 to 6
with a bottleneck of width d = 2 in the middle hidden layer, in the first hidden layer, or at
the output end (no bottleneck: the targets are then the first d rows of Y), two hidden widths
and three initialization scales, are trained with L-BFGS from 16 random starts each, against
the closed-form optimum (landscape.theory.paper_b.rank_constrained_minimum). Each run records whether it
reached the optimum (to 1e-8 of L(0) - optimum) within 3000 iterations, the iterations it took,
its final gap and gradient norm, (if it did not reach it) the smallest Hessian eigenvalue
at its final point, and the smallest and largest spectral norm of a layer at its final point,
relative to the layer norm of the balanced optimum (landscape.studies.corollary1.relative_layer_norms).
The same is stored for the rank-deficient check (COROLLARY1_DEFICIENT: X of rank 4, middle
bottleneck, hidden width 8, 6 starts of scale 1 per depth). Every run of the grid that did not
reach the optimum is continued from its last point (landscape.studies.corollary1.continue_run) for up to
3000 more iterations, twice: restarted from the balanced factorization of its end-to-end matrix
(same loss), and plainly; the file records for each whether it then reached the optimum, the
iterations and the final gap.

Run:  make venv && OMP_NUM_THREADS=1 .venv/bin/python scripts/corollary1_runs.py
[--out PATH] [--processes N] [--quiet] (about 30 s on one core; the flags are scripts/_cli.py's).
The chapter prints the per-run details from this file; it re-runs subsets live and checks only
robust statements about them (fractions within a band, medians within a tolerance), never
equality with the stored records.
"""
from __future__ import annotations

import sys
from itertools import product
from pathlib import Path

from landscape.optim.starts import runs_from_starts
from landscape.studies.corollary1 import (COROLLARY1, COROLLARY1_DEFICIENT,
    continue_run, corollary1_config, corollary1_data, relative_layer_norms)

from _cli import Progress, parser, units

OUT = Path(__file__).resolve().parent.parent / "book" / "deep" / "data" / "corollary1.json"


def row(net, r) -> list:
    rel = relative_layer_norms(net, r.Ms)
    return [r.seed, int(r.reached), r.n_iter, float(f"{r.gap:.3e}"), float(f"{r.grad_norm:.3e}"),
            None if r.reached else float(f"{r.lam_min:.3e}"), float(f"{rel.min():.3e}"),
            float(f"{rel.max():.3e}")]


def config_runs(job):
    """The runs of one configuration of the grid and the continuations of those that did not
    reach the optimum (a unit of work)."""
    depth, place, hidden, scale = job
    grid = COROLLARY1
    net, optimum = corollary1_config(depth, place, hidden)
    runs = runs_from_starts(net, range(grid["n_runs"]), optimum, tol=grid["tol"],
                            scale=scale, maxiter=grid["maxiter"], keep=True)
    config = {"depth": depth, "place": place, "hidden": hidden, "scale": scale,
              "widths": list(net.widths), "optimum": optimum, "runs": [row(net, r) for r in runs]}
    continued = []
    for r in runs:
        if not r.reached:            # continue it: balanced restart, and plain
            b, gap_b = continue_run(net, r.Ms, optimum)
            p, gap_p = continue_run(net, r.Ms, optimum, balanced=False)
            continued.append([depth, place, hidden, scale, r.seed,
                              int(b.reached), b.n_iter, float(f"{gap_b:.3e}"),
                              int(p.reached), p.n_iter, float(f"{gap_p:.3e}")])
    return config, continued


def deficient_runs(depth: int) -> dict:
    """The rank-deficient check at one depth (a unit of work)."""
    low = COROLLARY1_DEFICIENT
    data = corollary1_data(seed=low["data_seed"], rank_X=low["rank_X"])
    net, optimum = corollary1_config(depth, low["place"], low["hidden"], data=data)
    runs = runs_from_starts(net, range(low["n_runs"]), optimum, tol=COROLLARY1["tol"],
                            maxiter=COROLLARY1["maxiter"], keep=True)
    return {"widths": list(net.widths), "optimum": optimum, "runs": [row(net, r) for r in runs]}


def main() -> int:
    args = parser(__doc__, OUT, processes=1).parse_args()
    grid = COROLLARY1
    jobs = list(product(grid["depths"], grid["places"], grid["hidden"], grid["scales"]))
    progress = Progress(len(jobs) + len(grid["depths"]), args.quiet)
    configs, continued = [], []
    for config, more in units(config_runs, jobs, args.processes):
        configs.append(config)
        continued += more
        done = sum(r[1] for r in config["runs"])
        progress(f"k={config['depth']} {config['place']:<6} w={config['hidden']} "
                 f"s={config['scale']:<4} {tuple(config['widths'])}: {done}/{len(config['runs'])} reached")
    low = COROLLARY1_DEFICIENT
    deficient = {"grid": low, "depths": {}}
    for depth, record in zip(grid["depths"], units(deficient_runs, grid["depths"], args.processes)):
        deficient["depths"][str(depth)] = record
        progress(f"rank-deficient X, k={depth}: {sum(r[1] for r in record['runs'])}/"
                 f"{len(record['runs'])} reached")
    payload = {"grid": grid, "fields": ["seed", "reached", "n_iter", "gap", "grad_norm", "lam_min",
                                        "norm_min", "norm_max"],
               "configs": configs, "deficient": deficient,
               "continued": {"fields": ["depth", "place", "hidden", "scale", "seed",
                                        "balanced_reached", "balanced_n_iter", "balanced_gap",
                                        "plain_reached", "plain_n_iter", "plain_gap"],
                             "runs": continued}}
    progress.wrote(args.out, payload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
