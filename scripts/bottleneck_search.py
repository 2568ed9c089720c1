#!/usr/bin/env python
"""Regenerate book/deep/data/bottleneck_search.json: the search for spurious local minima of the
two-layer bottleneck network (n, b, m) = (5, 2, 4), and the tower runs of Corollary 2's walk-through.

For each instance (data seed) and loss of landscape.studies.corollary2.SEARCH, L-BFGS from 20 random starts
(seeds 0 to 19, gtol 1e-8), then landscape.optim.certify.certify_minimum at every end point (a
Newton polish, then the second-order certificate). Each start records the polished value, whether
it is certified, the conditions that failed, and the gradient norm. The end values are grouped
(landscape.studies.corollary2.group_end_values); a group above the lowest that holds a certified minimum is
a certified spurious minimum. The walk-through instance is the one (other than the quadratic)
whose spurious value, among those reached by at least a quarter of the starts, lies furthest
above the lowest value of its instance (relative); its towers (SEARCH["towers"], b = 2, and SEARCH["towers_wide"], b = 4) are
trained from 20 starts each and certified the same way.

Run:  make venv && OMP_NUM_THREADS=1 .venv/bin/python scripts/bottleneck_search.py
[--out PATH] [--processes N] [--quiet] (about 3 minutes on one core; the flags are
scripts/_cli.py's). The chapter prints these records; it re-runs the walk-through instance
live and checks robust statements (the values, certified, and "at least k of n"), never
equality with the records.
"""
from __future__ import annotations

import sys
from pathlib import Path


from landscape.studies.corollary2 import SEARCH, group_end_values, search_losses
from landscape.models.deep import DeepLinearNetwork, MultiTowerNetwork
from landscape.optim.certify import certify_minimum
from landscape.optim.lbfgs import lbfgs_from_seeds

from _cli import Progress, parser, units

OUT = Path(__file__).resolve().parent.parent / "book" / "deep" / "data" / "bottleneck_search.json"


def g10(x: float) -> float:
    return float(f"{x:.10g}")


def runs(net, n_starts):
    ends = lbfgs_from_seeds(net, range(n_starts), gtol=SEARCH["gtol"], maxiter=SEARCH["maxiter"])
    certs = [certify_minimum(net, r.Ms) for r in ends]
    rows = [[s, g10(c.value), int(c.certified), "+".join(c.failed), float(f"{c.grad_norm:.2e}")]
            for s, c in enumerate(certs)]
    groups = group_end_values([c.value for c in certs], [c.certified for c in certs],
                              SEARCH["value_rtol"])
    for g in groups:
        g["value"] = g10(g["value"])
    return rows, groups


def instance_runs(job) -> dict:
    """The starts on one instance (data seed, loss) of the search (a unit of work)."""
    seed, name = job
    loss = search_losses(seed)[name]
    rows, groups = runs(DeepLinearNetwork((SEARCH["n"], SEARCH["b"], SEARCH["m"]), loss), SEARCH["n_starts"])
    return {"seed": seed, "loss": name, "runs": rows, "groups": groups}


def tower_runs(job):
    """The starts of the towers SEARCH[key] on the walk-through instance (a unit of work)."""
    seed, name, key = job
    rows, groups = runs(MultiTowerNetwork(SEARCH[key], search_losses(seed)[name]), SEARCH["tower_starts"])
    return {"runs": rows, "groups": groups}


def main() -> int:
    args = parser(__doc__, OUT, processes=1).parse_args()
    jobs = [(seed, name) for seed in SEARCH["seeds"] for name in search_losses(seed)]
    towers = ("towers", "towers_wide")
    progress = Progress(len(jobs) + len(towers), args.quiet)
    instances = []
    for c in units(instance_runs, jobs, args.processes):
        instances.append(c)
        progress(f"seed {c['seed']} {c['loss']:<16} {len(c['groups'])} end values, "
                 f"{sum(g['count'] for g in c['groups'] if g['spurious'])} starts at certified"
                 f" spurious minima")
    # the walk-through: the spurious value reached by at least a quarter of the starts that
    # lies furthest above the lowest value of its instance (relative)
    cands = [((g["value"] - c["groups"][0]["value"]) / c["groups"][0]["value"], c, g)
             for c in instances if c["loss"] != "quadratic" for g in c["groups"]
             if g["spurious"] and 4 * g["count"] >= SEARCH["n_starts"]]
    walk = {}
    if cands:
        _, best, g = max(cands, key=lambda t: t[0])
        walk = {"seed": best["seed"], "loss": best["loss"], "spurious_value": g["value"]}
        tower_jobs = [(best["seed"], best["loss"], key) for key in towers]
        for key, record in zip(towers, units(tower_runs, tower_jobs, args.processes)):
            walk[key] = record
            progress(f"walk-through seed {best['seed']} {best['loss']}, {key}: "
                     f"{len(record['groups'])} end values")
    else:
        progress.total -= len(towers)
        progress.say("no walk-through: no spurious value reached by a quarter of the starts")
    payload = {"grid": SEARCH, "fields": ["start", "value", "certified", "failed", "grad_norm"],
               "instances": instances, "walkthrough": walk}
    progress.wrote(args.out, payload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
