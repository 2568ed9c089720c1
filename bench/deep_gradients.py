"""Time the layer gradients of a deep linear network: prefix/suffix products against naive
per-layer recomputation, for depths 2 to 8.

``DeepLinearNetwork.gradient`` forms the prefix products ``M_i ... M_1`` and the suffix
products ``M_k ... M_{i+1}`` once (``2(k - 1)`` matrix products) and then two products per
layer: linear in the depth. ``gradient_naive`` recomputes both products for every layer
(``k(k - 1)`` products): quadratic in the depth. Both share the loss gradient ``f'(P)``.

For each depth the script prints the best-of-repeats time of each (one call computes all
``k`` layer gradients), their ratio, and the largest relative difference between the two.
Target (issue 6): at depth 8 the prefix/suffix form is at least 2x faster.

Run: ``make bench`` or ``.venv/bin/python bench/deep_gradients.py``.
"""

from __future__ import annotations

import os

import numpy as np

from landscape.models.deep import DeepLinearNetwork
from landscape.models.losses import Quadratic
from _timing import best_of

WIDTH = 128         # every hidden layer, and the input and output sizes
N = 256             # samples
REPEATS = 30


def main():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((WIDTH, N))
    Y = rng.standard_normal((WIDTH, N))
    loss = Quadratic(X, Y)
    threads = os.environ.get("OMP_NUM_THREADS", "unset")
    print(f"layer width {WIDTH}, N = {N}, best of {REPEATS}; OMP_NUM_THREADS={threads}")
    print(f"{'depth':>5} {'prefix/suffix':>14} {'naive':>10} {'ratio':>7} {'max rel diff':>13}")
    ratios = {}
    for k in range(2, 9):
        net = DeepLinearNetwork((WIDTH,) * (k + 1), loss)
        Ms = net.random_weights(rng)
        t_fast, g_fast = best_of(lambda: net.gradient(Ms), REPEATS)
        t_naive, g_naive = best_of(lambda: net.gradient_naive(Ms), REPEATS)
        diff = max(np.abs(a - b).max() / np.abs(b).max() for a, b in zip(g_fast, g_naive))
        ratios[k] = t_naive / t_fast
        print(f"{k:>5} {t_fast * 1e3:>11.3f} ms {t_naive * 1e3:>7.3f} ms {ratios[k]:>6.2f}x {diff:>13.1e}")
    verdict = "met" if ratios[8] >= 2 else "NOT met"
    print(f"target (prefix/suffix >= 2x faster at depth 8): {verdict} ({ratios[8]:.2f}x)")


if __name__ == "__main__":
    main()
