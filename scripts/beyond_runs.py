#!/usr/bin/env python
"""Regenerate book/deep/data/beyond.json: the multi-start runs of the Beyond chapter.

The l1 loss (landscape.studies.multistart.l1_loss, P = a b^T, target e1 e1^T): derivative-free
searches (landscape.optim.starts.derivative_free_search, Nelder-Mead restarted) from the
Gaussian starts of seeds 0 to 29; each run records its end point (a, b), its value, the
perturbation test at radii 1e-2, 1e-4, 1e-6 (2000 samples, generator seed 100 + seed), and
whether the exact certificate of a spurious minimum (landscape.studies.multistart.l1_certified)
applies.

The tanh network (landscape.studies.multistart.tanh_instance): L-BFGS from the Gaussian starts of
seeds 0 to 39, end points classified by landscape.studies.beyond.tanh_end_points; each run records
its kind, value, gradient norm, extreme Hessian eigenvalues, parameter norm, scipy's stopping
message, the parameters, the saturation of each hidden unit and the cancellation.

Run:  make venv && OMP_NUM_THREADS=1 .venv/bin/python scripts/beyond_runs.py
(about twenty seconds). Which seeds end where, and where the runs that did not converge
stopped, is chaotic (another machine's roundoff moves it): the chapter prints these records
and re-checks, live, only statements with a margin.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from landscape.optim.starts import derivative_free_search
from landscape.optim.curvature import perturbation_test
from landscape.studies.multistart import l1_certified, l1_loss, tanh_instance
from landscape.studies.beyond import tanh_end_points

from atomic_write import write_json

OUT = Path(__file__).resolve().parent.parent / "book" / "deep" / "data" / "beyond.json"
L1_SEEDS = range(30)
RADII = (1e-2, 1e-4, 1e-6)
TANH_SEEDS = range(40)


def _f(x: float) -> float:
    return float(f"{x:.12e}")


def main() -> int:
    start = time.perf_counter()
    l1 = []
    for seed, x, value in derivative_free_search(l1_loss, 4, L1_SEEDS):
        drops = perturbation_test(l1_loss, x, radii=RADII, n_samples=2000,
                                  rng=np.random.default_rng(100 + seed))
        l1.append([seed, [_f(t) for t in x], _f(value), [_f(d) for d in drops],
                   int(l1_certified(x))])
    n_zero = sum(row[2] < 1e-8 for row in l1)
    n_cert = sum(row[4] for row in l1)
    print(f"l1: {n_zero} of {len(l1)} searches at f = 0, {n_cert} at a certified spurious"
          f" minimum ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
    net = tanh_instance()
    tanh = []
    for e in tanh_end_points(net, TANH_SEEDS):
        tanh.append([e.seed, e.kind, _f(e.value), _f(e.grad_norm), _f(e.lam_min), _f(e.lam_max),
                     _f(e.weight_norm), e.message, [_f(t) for t in e.theta],
                     [float(s) for s in net.saturation(e.theta)], _f(net.cancellation(e.theta))])
    kinds = {k: sum(row[1] == k for row in tanh) for k in dict.fromkeys(r[1] for r in tanh)}
    print(f"tanh: {kinds} ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "l1": {"seeds": list(L1_SEEDS), "radii": list(RADII), "n_samples": 2000,
               "fields": ["seed", "x", "value", "drops", "certified"], "runs": l1},
        "tanh": {"seeds": list(TANH_SEEDS),
                 "fields": ["seed", "kind", "value", "grad_norm", "lam_min", "lam_max",
                            "weight_norm", "message", "theta", "saturation", "cancellation"],
                 "runs": tanh},
    }
    write_json(OUT, payload, start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
