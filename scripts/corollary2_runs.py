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
(about 30 seconds). The chapter prints these records and re-runs the same runs live to check
the robust statements (which runs reach L*, with margins), never equality with the records.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from landscape.studies.corollary2 import (COROLLARY2, corollary2_data,
    corollary2_optimum, flat_part)
from landscape.models.deep import MultiTowerNetwork
from landscape.optim.curvature import deep_largest_eigenvalue
from landscape.optim.starts import runs_from_starts

from atomic_write import write_json

OUT = Path(__file__).resolve().parent.parent / "book" / "deep" / "data" / "corollary2.json"


def g4(x: float) -> float:
    return float(f"{x:.4g}")


def main() -> int:
    grid = COROLLARY2
    X, Y, losses = corollary2_data(np.random.default_rng(grid["data_seed"]))
    configs = []
    start = time.perf_counter()
    for name, towers in grid["configs"].items():
        for loss_name in grid["losses"]:
            net = MultiTowerNetwork([tuple(t) for t in towers], losses[loss_name])
            optimum = corollary2_optimum(net, loss_name, X, Y)
            runs = runs_from_starts(net, range(grid["n_runs"]), optimum, tol=grid["tol"],
                                    maxiter=grid["maxiter"], keep=True, classify=False)
            rows, missed = [], []
            for r in runs:
                P = net.product(r.Ms)
                rows.append([r.seed, int(r.reached), r.n_iter, g4(r.value - optimum),
                             g4(r.grad_norm), g4(np.linalg.norm(P)), g4(np.linalg.norm(flat_part(P)))])
                if not r.reached:
                    sv = np.linalg.svd(P, compute_uv=False)[:net.b]
                    missed.append({"seed": r.seed, "singular_values": [g4(s) for s in sv],
                                   "lam_max": g4(deep_largest_eigenvalue(net, r.Ms)),
                                   "message": r.message})
            configs.append({"name": name, "loss": loss_name, "b": net.b, "optimum": optimum,
                            "runs": rows, "missed": missed})
            print(f"{name:<31}{loss_name:<15}{sum(r.reached for r in runs)}/{len(runs)} reached"
                  f" ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    payload = {"grid": grid,       # the table of runs apart, so that only its rows have a seed column
               "results": {"fields": ["seed", "reached", "n_iter", "excess", "grad_norm", "P_norm",
                                      "flat_norm"], "configs": configs}}
    write_json(OUT, payload, start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
