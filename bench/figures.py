"""Time the regeneration of paper A's Figures 1-8, and the effect of the BLAS thread count.

Runs ``landscape.studies.experiments.reproduce`` (gradient descent and L-BFGS on f and g, four setups,
20 seeds: everything the eight figures of the experiments chapter show) in a fresh Python
process for each thread count in ``--threads`` (``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS``
and ``MKL_NUM_THREADS`` set before NumPy is imported), and prints the wall time of each and
the ratio to one thread. Target: under 30 s on 2 cores.

Run: ``.venv/bin/python bench/figures.py [--threads 1 2] [--repeat 2]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

CHILD = r"""
import json, time
from pathlib import Path
from landscape.studies.experiments import reproduce
steps = {k: v["step"] for k, v in
         json.loads(Path("book/shallow/data/experiments.json").read_text())["steps"]["unit"].items()}
best = []
for _ in range({repeat}):
    t = time.perf_counter()
    reproduce(steps)
    best.append(time.perf_counter() - t)
print(min(best))
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    times = {}
    for n in args.threads:
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(n), OMP_NUM_THREADS=str(n),
                   MKL_NUM_THREADS=str(n))
        out = subprocess.run([sys.executable, "-c", CHILD.replace("{repeat}", str(args.repeat))],
                             cwd=root, env=env, capture_output=True, text=True, check=True)
        times[n] = float(out.stdout.strip().splitlines()[-1])
        print(f"BLAS threads {n}: Figures 1-8 regenerated in {times[n]:.1f} s "
              f"(best of {args.repeat}; target < 30 s)", flush=True)
    base = times[args.threads[0]]
    for n, t in times.items():
        print(f"threads {n}: time / time with {args.threads[0]} thread(s) = {t / base:.2f}")


if __name__ == "__main__":
    main()
