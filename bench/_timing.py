"""The one timing helper the benchmarks share."""

import time


def best_of(fn, repeat=3):
    """``(seconds, result)``: the fastest of ``repeat`` calls of ``fn()`` and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out
