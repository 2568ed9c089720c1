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
(about two minutes on 2 cores). The chapter prints the per-run details from this file; it re-runs
subsets live and checks only robust statements about them (fractions within a band, medians
within a tolerance), never equality with the stored records.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from landscape.optim.starts import runs_from_starts
from landscape.studies.corollary1 import (COROLLARY1, COROLLARY1_DEFICIENT,
    continue_run, corollary1_config, corollary1_data, relative_layer_norms)

from atomic_write import write_json

OUT = Path(__file__).resolve().parent.parent / "book" / "deep" / "data" / "corollary1.json"


def row(net, r) -> list:
    rel = relative_layer_norms(net, r.Ms)
    return [r.seed, int(r.reached), r.n_iter, float(f"{r.gap:.3e}"), float(f"{r.grad_norm:.3e}"),
            None if r.reached else float(f"{r.lam_min:.3e}"), float(f"{rel.min():.3e}"),
            float(f"{rel.max():.3e}")]


def main() -> int:
    grid = COROLLARY1
    configs, continued = [], []
    start = time.perf_counter()
    for depth in grid["depths"]:
        for place in grid["places"]:
            for hidden in grid["hidden"]:
                for scale in grid["scales"]:
                    net, optimum = corollary1_config(depth, place, hidden)
                    runs = runs_from_starts(net, range(grid["n_runs"]), optimum, tol=grid["tol"],
                                            scale=scale, maxiter=grid["maxiter"], keep=True)
                    configs.append({
                        "depth": depth, "place": place, "hidden": hidden, "scale": scale,
                        "widths": list(net.widths), "optimum": optimum,
                        "runs": [row(net, r) for r in runs],
                    })
                    for r in runs:
                        if not r.reached:            # continue it: balanced restart, and plain
                            b, gap_b = continue_run(net, r.Ms, optimum)
                            p, gap_p = continue_run(net, r.Ms, optimum, balanced=False)
                            continued.append([depth, place, hidden, scale, r.seed,
                                              int(b.reached), b.n_iter, float(f"{gap_b:.3e}"),
                                              int(p.reached), p.n_iter, float(f"{gap_p:.3e}")])
                    done = sum(r.reached for r in runs)
                    print(f"k={depth} {place:<6} w={hidden} s={scale:<4} {net.widths}: "
                          f"{done}/{len(runs)} reached ({time.perf_counter() - start:.0f} s)",
                          file=sys.stderr)
    low = COROLLARY1_DEFICIENT
    data = corollary1_data(seed=low["data_seed"], rank_X=low["rank_X"])
    deficient = {"grid": low, "depths": {}}
    for depth in grid["depths"]:
        net, optimum = corollary1_config(depth, low["place"], low["hidden"], data=data)
        runs = runs_from_starts(net, range(low["n_runs"]), optimum, tol=grid["tol"],
                                maxiter=grid["maxiter"], keep=True)
        deficient["depths"][str(depth)] = {"widths": list(net.widths), "optimum": optimum,
                                           "runs": [row(net, r) for r in runs]}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    payload = {"grid": grid, "fields": ["seed", "reached", "n_iter", "gap", "grad_norm", "lam_min",
                                        "norm_min", "norm_max"],
               "configs": configs, "deficient": deficient,
               "continued": {"fields": ["depth", "place", "hidden", "scale", "seed",
                                        "balanced_reached", "balanced_n_iter", "balanced_gap",
                                        "plain_reached", "plain_n_iter", "plain_gap"],
                             "runs": continued}}
    write_json(OUT, payload, start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
