"""Batched work over Lemma 1's set C and over search starts, against per-point loops.

Two measurements, best of a few repeats, printed as times and ratios:

* ``lambda_min over C``: the smallest Hessian eigenvalue at every element of C, by
  ``spectrum.smallest_eigenvalues`` (one batched Hessian assembly and one stacked
  ``eigvalsh``) against a loop of ``spectrum.smallest_eigenvalue(method="dense")``;
* ``search``: ``critical.find_critical_points`` from B starts at once against B calls
  with one start each (same iterations, same results).

Run: ``make bench`` or ``.venv/bin/python bench/critical.py``.
"""

from __future__ import annotations


import numpy as np

from landscape.theory.paper_a.lemma1 import critical_points, problem_with_spectrum
from landscape.optim.critical_points import find_critical_points
from landscape.optim.curvature import (BATCH_HVP_MAX, smallest_eigenvalue,
    smallest_eigenvalues)
from _timing import best_of


def main():
    rng = np.random.default_rng(0)
    print(f"lambda_min at every element of C: batched vs loop (BATCH_HVP_MAX = {BATCH_HVP_MAX})")
    print(f"{'(d0,d1,d2)':>12} {'r':>3} {'|C|':>5} {'n':>4} {'batched':>9} {'loop':>9} {'loop/batched':>13}")
    for d0, d1, d2, r in ((4, 2, 5, 4), (6, 3, 6, 6), (5, 4, 7, 5), (7, 4, 8, 7), (10, 5, 10, 8)):
        p = problem_with_spectrum(np.linspace(3, 0.5, r), d0, d1, d2, 0.125, rng)
        C = critical_points(p)
        W1 = np.array([c.W1 for c in C])
        W2 = np.array([c.W2 for c in C])
        tb, lb = best_of(lambda: smallest_eigenvalues(p, W1, W2))
        tl, ll = best_of(lambda: [smallest_eigenvalue(p, a, b, method="dense") for a, b in zip(W1, W2)])
        assert np.allclose(lb, ll, atol=1e-9 * np.abs(ll).max())
        print(f"{str((d0, d1, d2)):>12} {r:>3} {len(C):>5} {p.n_params:>4} {tb:8.3f}s {tl:8.3f}s {tl / tb:13.1f}")

    print("\nLevenberg-Marquardt search: B starts batched vs one at a time (40 iterations)")
    print(f"{'(d0,d1,d2)':>12} {'B':>4} {'batched':>9} {'loop':>9} {'loop/batched':>13}")
    for d0, d1, d2, B in ((3, 2, 4, 100), (4, 3, 4, 100), (6, 4, 6, 50)):
        p = problem_with_spectrum(np.linspace(3, 1, min(d0, d2)), d0, d1, d2, 0.125, rng)
        W1, W2 = p.random_weights(rng, batch=(B,))
        tb, rb = best_of(lambda: find_critical_points(p, W1, W2, max_iter=40, gtol=0.0), repeat=1)
        tl, rl = best_of(lambda: [find_critical_points(p, W1[[i]], W2[[i]], max_iter=40, gtol=0.0)
                               for i in range(B)], repeat=1)
        same = np.allclose(rb.W1, np.concatenate([r.W1 for r in rl]), atol=1e-8)
        print(f"{str((d0, d1, d2)):>12} {B:>4} {tb:8.3f}s {tl:8.3f}s {tl / tb:13.1f}"
              f"   same end points: {same}")


if __name__ == "__main__":
    main()
