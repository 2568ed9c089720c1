"""Regenerate book/shallow/data/conjecture.json: the numerical probe of paper A's conjecture
that f (mu = 0) has no spurious local minima and only strict saddles when X X^T has full rank.

Run: ``.venv/bin/python scripts/conjecture_data.py [--processes 2]`` (measured: 176 s with
two processes on 2 cores before the distinct points were recorded; 510 s on 2 cores shared with
other work, load about 12).

For every shape in SHAPES, every kind of targets in ``landscape.studies.conjecture.KINDS`` and every seed
in SEEDS, it draws an instance (``landscape.studies.conjecture.instance``) and runs the two probes of
``landscape.studies.conjecture`` from ``STARTS`` random starts each: L-BFGS on f (``descent_probe``); and,
on the shapes with at most ``SMALL`` parameters, a search for critical points by minimizing
``1/2 ||grad f||^2`` (``critical_probe``) and Lemma 1's critical points moved off the balanced
set along f's symmetry (``transported_probe``). On the instance where descent from the end of
an unconverged search fell furthest short, it recomputes those searches (same starts) and
descends from their ends with rebalancing, ``ROUNDS`` rounds (``descend_rebalancing``), and
stores the excess after each round (``"rebalancing"``).

The critical-point search also records the *distinct* critical points it reached
(``critical.distinct``: end points with the same product ``W2 W1`` up to
``landscape.saddle_search.product_tolerance``, relative ``1e-6``, are one point; for each, how
many searches reached it, its value, its index and its product rounded to 6 significant
digits) and, per converged search, which of them it reached (``critical.labels``).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict
from multiprocessing import Pool
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")     # one BLAS thread per process
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from landscape.studies.conjecture import (KINDS, critical_probe, descend_rebalancing,
    descent_probe, instance, stalled_searches, transported_probe)

from _cli import parser
from atomic_write import write_text

OUT = Path(__file__).resolve().parents[1] / "book" / "shallow" / "data" / "conjecture.json"
#: (d0, d1, d2): paper A's two shapes, bottlenecks (d1 < min(d0, d2)), a wide hidden layer,
#: a single hidden unit, and shapes with d2 > d0 and d2 < d0.
SHAPES = [(10, 15, 20), (20, 15, 20), (4, 2, 5), (5, 3, 3), (3, 4, 2), (5, 1, 4), (6, 3, 8), (8, 4, 6)]
SEEDS = [0, 1, 2]
STARTS = {"descent": 16, "critical": 24}
#: The critical-point search and the transported points need dense Hessians and many
#: iterations; they are run on the shapes with at most this many parameters.
SMALL = 100
#: Rounds of rebalancing descent on the instance where descent fell furthest short.
ROUNDS = 3


def rng_for(shape_index: int, kind_index: int, seed: int, probe: int) -> np.random.Generator:
    """The generator of one probe of one instance (independent streams, fixed by the indices)."""
    return np.random.default_rng([seed, shape_index, kind_index, probe])


def probe_one(args):
    i, j, seed = args
    shape, kind = SHAPES[i], KINDS[j]
    p = instance(*shape, kind, rng_for(i, j, seed, 0))
    d = descent_probe(p, STARTS["descent"], rng_for(i, j, seed, 1))
    out = {"shape": shape, "kind": kind, "seed": seed, "rank_Y": p.rank_Y, "n_params": p.n_params,
           "descent": asdict(d)}
    if p.n_params <= SMALL:
        out["critical"] = asdict(critical_probe(p, STARTS["critical"], rng_for(i, j, seed, 2)))
        out["transported"] = asdict(transported_probe(p, rng_for(i, j, seed, 3)))
    return out


def rebalancing(out):
    """The instance whose unconverged searches left descent furthest above the minimum: its
    searches recomputed (same starts, same rule) and descended with rebalancing, round by
    round; the relative excess after each round, one entry per unconverged search."""
    crit = [r for r in out if "critical" in r]
    hard = max(crit, key=lambda r: max(r["critical"]["stalled"]["descended"], default=0.0))
    i, j, seed = SHAPES.index(tuple(hard["shape"])), KINDS.index(hard["kind"]), hard["seed"]
    p = instance(*SHAPES[i], KINDS[j], rng_for(i, j, seed, 0))
    S1, S2 = stalled_searches(p, STARTS["critical"], rng_for(i, j, seed, 2))
    rounds = descend_rebalancing(p, S1, S2, rounds=ROUNDS)
    # the same searches as the probe's (same machine, same starts): the same first round
    assert len(S1) == hard["critical"]["not_critical"]
    assert np.allclose(rounds[0], hard["critical"]["stalled"]["descended"], rtol=1e-6, atol=1e-12)
    return {"shape": SHAPES[i], "kind": KINDS[j], "seed": seed, "not_critical": len(S1),
            "rounds": rounds.tolist()}


def main():
    args = parser(__doc__, OUT, processes=2, quiet=False).parse_args()
    t0 = time.perf_counter()
    jobs = [(i, j, s) for i in range(len(SHAPES)) for j in range(len(KINDS)) for s in SEEDS]
    out = []
    with Pool(args.processes) as pool:
        for k, res in enumerate(pool.imap(probe_one, jobs)):
            out.append(res)
            print(f"[{k + 1}/{len(jobs)}] {res['shape']} {res['kind']} seed {res['seed']}: "
                  f"{res['descent']['outcomes']} {res.get('critical', {}).get('kinds')}"
                  f" {res.get('transported', {}).get('kinds')} ({time.perf_counter() - t0:.0f} s)",
                  flush=True)
    data = {"shapes": SHAPES, "kinds": list(KINDS), "seeds": SEEDS, "starts": STARTS,
            "instances": out, "rebalancing": rebalancing(out)}
    write_text(args.out, json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB) in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
