#!/usr/bin/env python
"""Regenerate book/deep/data/lemmas.json: the training runs of the Lemmas chapter.

Lemma 2 check: the three networks of landscape.studies.multistart.lemma2_cases are trained with
L-BFGS (gtol 1e-12) from the starts of seeds 0 to 11; each run records its final loss and
gradient norm and, cut at the bottleneck, ||f'(AB)||, the relative gradients of L2 and the
ranks of A and B. Also the product P = AB of a run at the highest end value of the weighted
quadratic (a spurious minimum; the chapter balances it into a canonical point), and the
weights of the first run (lowest seed) of the Huber network that ends above its lowest end
value (the chapter polishes them with Newton's method and certifies a spurious minimum);
the two-layer Huber network (5, 2, 4) with the same loss, trained from the same seeds.

Theorem 2 check: on each instance of landscape.studies.multistart.THEOREM2_INSTANCES the two-layer
network with d = 2 is trained from seeds 0 to 39; each run records its final loss and
gradient norm, and the runs that end above the best value (by more than 1e-6) the outcome of
landscape.optim.certify.certify_minimum (number of zero Hessian eigenvalues, whether it
certifies a local minimum with the d^2 flat directions of GL(d)) and the ranks of A and B.
Also the end point of one L-BFGS run of the rank-one network (seed 0), which the chapter
pads into a rank-deficient critical point.

Run:  make venv && OMP_NUM_THREADS=1 .venv/bin/python scripts/lemmas_runs.py
[--out PATH] [--processes N] [--quiet] (about ten seconds; the flags are scripts/_cli.py's).
Which seeds end where is chaotic (another machine's roundoff moves it): the chapter prints
these records and re-checks, live, only statements with a margin.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from landscape.models.deep import DeepLinearNetwork, numerical_rank
from landscape.theory.paper_b import cut_at_bottleneck
from landscape.optim.certify import certify_minimum
from landscape.optim.lbfgs import lbfgs, lbfgs_from_seeds
from landscape.studies.multistart import (THEOREM2_INSTANCES, lemma2_cases,
    theorem2_networks)

from _cli import Progress, parser, units

OUT = Path(__file__).resolve().parent.parent / "book" / "deep" / "data" / "lemmas.json"
LEMMA2_SEEDS = range(12)
THEOREM2_SEEDS = range(40)
D = 2


def _f(x: float) -> float:
    return float(f"{x:.12e}")


def lemma2_case(name: str):
    """The runs of one network of lemma2_cases (one unit of work): its rows, and what the file
    keeps of the weighted quadratic's highest end (P) and of the Huber network."""
    net = lemma2_cases()[name]
    runs = lbfgs_from_seeds(net, LEMMA2_SEEDS, gtol=1e-12)
    rows, extra = [], {}
    for seed, r in zip(LEMMA2_SEEDS, runs):
        c = cut_at_bottleneck(net, r.Ms)
        rows.append([seed, _f(r.value), _f(r.grad_norm), _f(c.f_prime_norm), _f(c.rel_grad_A),
                     _f(c.rel_grad_B), c.rank_A, c.rank_B])
    if name == "weighted quadratic":
        top = max(runs, key=lambda r: r.value)
        extra["spurious_P"] = [[_f(x) for x in row] for row in net.product(top.Ms)]
    if name == "Huber":
        low = min(r.value for r in runs)
        high = next(r for r in runs if r.value > low + 1e-6)
        extra["huber_high"] = [[[_f(x) for x in row] for row in M] for M in high.Ms]
        two = DeepLinearNetwork((net.widths[0], net.narrowest, net.widths[-1]), net.loss)
        extra["huber_two"] = [[s, _f(r.value), _f(r.grad_norm)]
                              for s, r in zip(LEMMA2_SEEDS, lbfgs_from_seeds(two, LEMMA2_SEEDS, gtol=1e-12))]
    values = sorted({f"{r.value:.6f}" for r in runs})
    return name, rows, extra, values


def theorem2_instance(k: int):
    """The runs on THEOREM2_INSTANCES[k] (one unit of work): the record, the rank-one end."""
    seed, shape = THEOREM2_INSTANCES[k]
    two, one = theorem2_networks(seed, shape)
    runs = lbfgs_from_seeds(two, THEOREM2_SEEDS, gtol=1e-12)
    best = min(r.value for r in runs)
    rows = []
    for s, r in zip(THEOREM2_SEEDS, runs):
        row = [s, _f(r.value), _f(r.grad_norm), None, None, None, None]
        if r.value > best + 1e-6:
            cert = certify_minimum(two, r.Ms)
            row[3:] = [cert.n_zero, int(cert.certified and cert.n_zero == D * D),
                       numerical_rank(r.Ms[1]), numerical_rank(r.Ms[0])]
        rows.append(row)
    low = lbfgs(one, one.random_weights(np.random.default_rng(0)), gtol=1e-12).Ms
    return ({"seed": seed, "shape": list(shape), "runs": rows},
            [[[_f(x) for x in row] for row in M] for M in low], best)


def main() -> int:
    args = parser(__doc__, OUT, processes=1).parse_args()
    names = list(lemma2_cases())
    progress = Progress(len(names) + len(THEOREM2_INSTANCES), args.quiet)
    lemma2, extra = {}, {}
    for name, rows, more, values in units(lemma2_case, names, args.processes):
        lemma2[name] = rows
        extra.update(more)
        progress(f"lemma 2, {name}: end values {', '.join(values)}")
    spurious_P, huber_high, huber_two = extra["spurious_P"], extra["huber_high"], extra["huber_two"]
    theorem2, rank_one = [], []
    for record, low, best in units(theorem2_instance, range(len(THEOREM2_INSTANCES)), args.processes):
        theorem2.append(record)
        rank_one.append(low)
        n_high = sum(row[3] is not None for row in record["runs"])
        progress(f"theorem 2, instance {record['seed']} {tuple(record['shape'])}: best {best:.6f},"
                 f" {n_high} of {len(record['runs'])} end higher")
    payload = {
        "lemma2": {"seeds": list(LEMMA2_SEEDS), "gtol": 1e-12,
                   "fields": ["seed", "value", "grad_norm", "f_prime_norm", "rel_grad_A",
                              "rel_grad_B", "rank_A", "rank_B"],
                   "cases": lemma2},
        # outside the tables of runs: the product at a spurious minimum of the weighted
        # quadratic, and per Theorem 2 instance the weights (M1, M2) of the rank-one run
        "weighted_quadratic_spurious_product": spurious_P,
        "theorem2_rank_one_ends": rank_one,
        # the Huber network: the weights (M1, ..., M4) of its first run ending above the lowest
        # value, and the runs [seed, value, grad_norm] of the two-layer network (5, 2, 4)
        "huber_high_weights": huber_high,
        "huber_two_layer": huber_two,
        "theorem2": {"seeds": list(THEOREM2_SEEDS), "gtol": 1e-12, "d": D, "spurious_above": 1e-6,
                     "fields": ["seed", "value", "grad_norm", "n_zero", "certified", "rank_A",
                                "rank_B"],
                     "instances": theorem2},
    }
    progress.wrote(args.out, payload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
