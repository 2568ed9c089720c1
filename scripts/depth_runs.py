#!/usr/bin/env python
"""Regenerate book/deep/data/depth.json: the multi-start runs of the Depth chapter's figure.

The weighted quadratic of the chapter (``WeightedQuadratic.example(seed=0)``) on the two-layer
network (4, 2, 4) and on the four-layer network (4, 3, 2, 3, 4), each trained with L-BFGS
(gtol 1e-12) from the starts of seeds 0 to 29, as in the chapter; each run records its seed,
final loss and gradient norm.

Run:  make venv && OMP_NUM_THREADS=1 .venv/bin/python scripts/depth_runs.py
[--out PATH] [--processes N] [--quiet] (a few seconds; the flags are scripts/_cli.py's). Which seeds end where is chaotic (another machine's roundoff moves it): the
chapter draws these records and checks its live runs only against their end values.
"""
from __future__ import annotations

import sys
from pathlib import Path

from landscape.models.deep import DeepLinearNetwork
from landscape.optim.lbfgs import lbfgs_from_seeds
from landscape.models.losses import WeightedQuadratic

from _cli import Progress, parser, units

OUT = Path(__file__).resolve().parent.parent / "book" / "deep" / "data" / "depth.json"
SEEDS = range(30)
GTOL = 1e-12
WIDTHS = ((4, 2, 4), (4, 3, 2, 3, 4))


def _f(x: float) -> float:
    return float(f"{x:.12e}")


def network_runs(widths):
    """One unit of work: the runs of one network, and its distinct end values."""
    net = DeepLinearNetwork(widths, WeightedQuadratic.example(seed=0))
    runs = lbfgs_from_seeds(net, SEEDS, gtol=GTOL)
    return ({"widths": list(widths),
             "runs": [[s, _f(r.value), _f(r.grad_norm)] for s, r in zip(SEEDS, runs)]},
            sorted({f"{r.value:.6f}" for r in runs}))


def main() -> int:
    args = parser(__doc__, OUT, processes=1).parse_args()
    progress = Progress(len(WIDTHS), args.quiet)
    networks = []
    for record, values in units(network_runs, WIDTHS, args.processes):
        networks.append(record)
        progress(f"{tuple(record['widths'])}: end values {', '.join(values)}")
    payload = {"loss": "WeightedQuadratic.example(seed=0)", "seeds": list(SEEDS), "gtol": GTOL,
               "fields": ["seed", "value", "grad_norm"], "networks": networks}
    progress.wrote(args.out, payload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
