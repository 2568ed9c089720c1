"""Smallest Hessian eigenvalue: dense eigvalsh against matrix-free Lanczos.

For growing sizes it times ``smallest_eigenvalue(..., method="dense")`` (closed-form
Hessian + ``numpy.linalg.eigvalsh``) and ``method="lanczos"`` (ARPACK on Hessian-vector
products) at a strict saddle of g (an element of Lemma 1's set C that drops the top
singular pair), checks that they agree, and prints the ratio. The crossover sets
``landscape.optim.curvature.DENSE_MAX``. Above ``--dense-limit`` parameters the dense time is
extrapolated with the n^3 law fitted on the largest measured size (marked ``~``).

Run: ``.venv/bin/python bench/eigen.py [--dense-limit 7200]``.
"""

from __future__ import annotations

import argparse

import numpy as np

from landscape.theory.paper_a.lemma1 import critical_point
from landscape.models.shallow import ShallowProblem
from landscape.optim.curvature import DENSE_MAX, smallest_eigenvalue
from _timing import best_of

SIZES = [(10, 15, 20), (20, 15, 20), (20, 30, 20), (25, 32, 25), (30, 40, 30), (50, 40, 50), (60, 60, 60),
         (100, 80, 100)]


def points(d0, d1, d2, rng):
    """A strict saddle of g (drops the top singular pair) and a random point, same problem."""
    N = 2 * d0
    p = ShallowProblem(rng.standard_normal((d0, N)), rng.standard_normal((d2, N)), d1, 0.125)
    k = min(p.rank_Y - 1, d1)
    c = critical_point(p, range(1, k + 1))
    return p, {"saddle": (c.W1, c.W2), "random": p.random_weights(rng, scale=0.3)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dense-limit", type=int, default=4000, help="largest n timed densely")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    print(f"DENSE_MAX in landscape.optim.curvature = {DENSE_MAX}")
    print(f"{'(d0,d1,d2)':>15} {'n':>6} {'point':>7} {'dense':>10} {'lanczos':>10} {'dense/lanczos':>14} "
          f"{'rel. diff':>10}")
    p0, pts0 = points(5, 4, 5, rng)  # warm up BLAS and ARPACK
    for how in ("dense", "lanczos"):
        smallest_eigenvalue(p0, *pts0["random"], method=how)
    last = {}
    for d0, d1, d2 in SIZES:
        p, pts = points(d0, d1, d2, rng)
        n = p.n_params
        for name, (W1, W2) in pts.items():
            if name == "random" and n > 8000:
                # At a random point the bottom of the spectrum is a dense cluster (relative
                # gaps ~1e-5 at n = 7200), so Lanczos needs minutes there; the book uses the
                # matrix-free path at saddles, where the negative eigenvalue is isolated.
                print(f"{str((d0, d1, d2)):>15} {n:>6} {name:>7}  (skipped: clustered spectrum)")
                continue
            t_l, lam_l = best_of(repeat=1, fn=lambda: smallest_eigenvalue(p, W1, W2, method="lanczos"))
            if n <= args.dense_limit:
                t_d, lam_d = best_of(repeat=1, fn=lambda: smallest_eigenvalue(p, W1, W2, method="dense"))
                diff = f"{abs(lam_d - lam_l) / abs(lam_d):10.1e}"
                dense = f"{t_d:9.3f}s"
                last[name] = (n, t_d)
            else:
                t_d = last[name][1] * (n / last[name][0]) ** 3
                dense, diff = f"~{t_d:8.0f}s", f"{'-':>10}"
            print(f"{str((d0, d1, d2)):>15} {n:>6} {name:>7} {dense:>10} {t_l:9.3f}s {t_d / t_l:>14.1f} {diff}")


if __name__ == "__main__":
    main()
