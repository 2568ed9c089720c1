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
[--out PATH] [--processes N] [--quiet] (a few seconds; the flags are scripts/_cli.py's).
Which seeds end where, and where the runs that did not converge stopped, is chaotic (another
machine's roundoff moves it): the chapter prints these records and re-checks, live, only
statements with a margin.
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import numpy as np

from landscape.optim.starts import derivative_free_search
from landscape.optim.curvature import perturbation_test
from landscape.studies.multistart import l1_certified, l1_loss, tanh_instance
from landscape.studies.beyond import tanh_end_points

from _cli import Progress, parser, units

OUT = Path(__file__).resolve().parent.parent / "book" / "deep" / "data" / "beyond.json"
L1_SEEDS = range(30)
RADII = (1e-2, 1e-4, 1e-6)
TANH_SEEDS = range(40)


def _f(x: float) -> float:
    return float(f"{x:.12e}")


def l1_run(seed: int) -> list:
    """One derivative-free search of the l1 loss and its perturbation test (a unit of work)."""
    [(seed, x, value)] = derivative_free_search(l1_loss, 4, [seed])
    drops = perturbation_test(l1_loss, x, radii=RADII, n_samples=2000,
                              rng=np.random.default_rng(100 + seed))
    return [seed, [_f(t) for t in x], _f(value), [_f(d) for d in drops], int(l1_certified(x))]


def tanh_run(seed: int) -> list:
    """One L-BFGS run of the tanh network, classified (a unit of work)."""
    net = tanh_instance()
    [e] = tanh_end_points(net, [seed])
    return [e.seed, e.kind, _f(e.value), _f(e.grad_norm), _f(e.lam_min), _f(e.lam_max),
            _f(e.weight_norm), e.message, [_f(t) for t in e.theta],
            [float(s) for s in net.saturation(e.theta)], _f(net.cancellation(e.theta))]


def main() -> int:
    args = parser(__doc__, OUT, processes=1).parse_args()
    progress = Progress(len(L1_SEEDS) + len(TANH_SEEDS), args.quiet)
    l1 = []
    for row in units(l1_run, L1_SEEDS, args.processes):
        l1.append(row)
        progress(f"l1, seed {row[0]}: value {row[2]:.3g}, certified {row[4]}")
    progress.say(f"l1: {sum(row[2] < 1e-8 for row in l1)} of {len(l1)} searches at f = 0, "
                 f"{sum(row[4] for row in l1)} at a certified spurious minimum")
    tanh = []
    for row in units(tanh_run, TANH_SEEDS, args.processes):
        tanh.append(row)
        progress(f"tanh, seed {row[0]}: {row[1]}")
    progress.say(f"tanh: {dict(Counter(row[1] for row in tanh))}")
    payload = {
        "l1": {"seeds": list(L1_SEEDS), "radii": list(RADII), "n_samples": 2000,
               "fields": ["seed", "x", "value", "drops", "certified"], "runs": l1},
        "tanh": {"seeds": list(TANH_SEEDS),
                 "fields": ["seed", "kind", "value", "grad_norm", "lam_min", "lam_max",
                            "weight_norm", "message", "theta", "saturation", "cancellation"],
                 "runs": tanh},
    }
    progress.wrote(args.out, payload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
