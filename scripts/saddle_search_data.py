"""Regenerate book/shallow/data/saddle_search.json: critical points of f (mu = 0) searched with
damped Newton on ``grad f = 0`` (``landscape.optim.critical_points.find_critical_points``) on every shape of
scripts/conjecture_data.py, paper A's own sizes included (450 and 600 parameters, where the
L-BFGS search on ``1/2 ||grad f||^2`` of ``conjecture_data.py`` is not run).

Run: ``.venv/bin/python scripts/saddle_search_data.py [--out PATH] [--processes N] [--quiet]``
(the flags are scripts/_cli.py's; measured: 105 s with two
processes on 2 cores shared with other work, load about 8; it writes the same bytes again).

For every shape and kind of targets (seed 0 of ``conjecture_data.py``'s instances: the same
``X`` and ``Y``), it runs the search from ``STARTS["random"]`` Gaussian starts and from
``STARTS["near"]`` starts near saddles of Lemma 1's set C
(``landscape.studies.saddle_search.near_saddle_starts``, noise ``EPS`` times the norm of the balanced
minimizer), at most ``MAX_ITER`` steps each, and stores per instance: how many searches of each
kind reached a critical point (relative gradient ``<= 1e-9``), where the others stopped
(relative gradient), which distinct critical points were reached (``describe_points``: same
product ``W2 W1`` up to a relative ``1e-6``; value, index, product rounded to 6 digits) and,
for the starts near C, whether the search came back to the product of the saddle it started
near.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")     # one BLAS thread per process
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from landscape.theory.paper_a.lemma1 import critical_point
from landscape.studies.conjecture import KINDS, instance
from landscape.optim.critical_points import find_critical_points  # noqa: E402
from landscape.studies.saddle_search import (describe_points, near_saddle_starts,  # noqa: E402
                                             product_tolerance, search_tolerance)

from _cli import Progress, parser, units  # noqa: E402
from conjecture_data import SHAPES, rng_for  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "book" / "shallow" / "data" / "saddle_search.json"
STARTS = {"random": 4, "near": 6}
EPS = 0.25
MAX_ITER = 100
SEED = 0


def search_one(args):
    i, j = args
    shape, kind = SHAPES[i], KINDS[j]
    p = instance(*shape, kind, rng_for(i, j, SEED, 0))        # conjecture_data's instance
    rng = np.random.default_rng([SEED, i, j, 10])
    R1, R2 = p.random_weights(rng, batch=(STARTS["random"],))
    N1, N2, supports = near_saddle_starts(p, STARTS["near"], rng, eps=EPS)
    t0 = time.perf_counter()
    run = find_critical_points(p, np.concatenate([R1, N1]), np.concatenate([R2, N2]),
                               max_iter=MAX_ITER, gtol=search_tolerance(p))
    g_scale = float(np.abs(p.XXt).max() * np.abs(p.YXt).max())
    ok = run.converged
    labels, distinct = describe_points(p, run.W1[ok], run.W2[ok])
    tol = product_tolerance(p)
    back = []
    for k, S in enumerate(supports):
        b = STARTS["random"] + k
        if ok[b]:
            c = critical_point(p, S)
            back.append(bool(np.linalg.norm(run.W2[b] @ run.W1[b] - c.W2 @ c.W1) <= tol))
    nr = STARTS["random"]
    return {"shape": shape, "kind": kind, "seed": SEED, "n_params": p.n_params, "rank_Y": p.rank_Y,
            "random": {"n": nr, "converged": int(ok[:nr].sum())},
            "near": {"n": len(supports), "converged": int(ok[nr:].sum()),
                     "supports": [list(S) for S in supports], "back_to_start": back},
            "stopped_grad": (run.grad_norm[~ok] / g_scale).tolist(),
            "n_iter": run.n_iter.tolist(), "labels": labels.tolist(), "distinct": distinct}, \
        time.perf_counter() - t0


def main():
    args = parser(__doc__, OUT, processes=2).parse_args()
    # the largest shapes first, so that the two processes finish together
    jobs = sorted(((i, j) for i in range(len(SHAPES)) for j in range(len(KINDS))),
                  key=lambda ij: -np.prod(SHAPES[ij[0]]))
    progress = Progress(len(jobs), args.quiet)
    out = []
    for res, seconds in units(search_one, jobs, args.processes):
        out.append(res)
        progress(f"{res['shape']} {res['kind']}: random {res['random']['converged']}/"
                 f"{res['random']['n']}, near C {res['near']['converged']}/{res['near']['n']},"
                 f" distinct {len(res['distinct'])} ({seconds:.0f} s for this one)")
    out.sort(key=lambda r: (SHAPES.index(tuple(r["shape"])), KINDS.index(r["kind"])))
    data = {"shapes": SHAPES, "kinds": list(KINDS), "seed": SEED, "starts": STARTS, "eps": EPS,
            "max_iter": MAX_ITER, "instances": out}
    progress.wrote(args.out, data)


if __name__ == "__main__":
    main()
