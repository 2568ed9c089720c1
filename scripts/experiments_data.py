"""Regenerate book/shallow/data/experiments.json: the GD step sizes of paper A's experiments
and the long gradient-descent runs on g.

Run: ``.venv/bin/python scripts/experiments_data.py`` (five to seven minutes;
``--long-only`` keeps the step search in the file and redoes only the long runs).

For each data scaling (``unit``: X with N(0, 1) entries, the paper's literal reading;
``normalized``: X with N(0, 1/N) entries, so that X X^T is close to the identity), each of the
four setups and each objective (f, and g with mu = 1/8), it applies the book's step rule
(:func:`landscape.studies.experiments.choose_step`) and stores the grid, the median iterations to the
tolerance and the median final excess on the tuning seeds, and the chosen step. It then runs
gradient descent on the four setups of the ``unit`` scaling for ``LONG_STEPS`` steps from
the reported seeds (the budget of the figures is too short for g there) and stores each
seed's iterations to the tolerance.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from landscape.studies.experiments import (PAPER, RULES, SETUPS, choose_step, draw,
    run_gd)

from atomic_write import write_text

OUT = Path(__file__).resolve().parents[1] / "book" / "shallow" / "data" / "experiments.json"
SCALES = {"unit": 1.0, "normalized": 1.0 / np.sqrt(PAPER["N"])}
LONG_STEPS = 100_000


def main() -> None:
    t0 = time.perf_counter()
    if "--long-only" in sys.argv:  # keep the step search of the file, redo the long runs
        out = json.loads(OUT.read_text())
        out["long_gd"] = {"n_steps": LONG_STEPS, "record_every": 100, "runs": {}}
    else:
        out = {"rules": {k: v for k, v in RULES.items()}, "scales": SCALES, "steps": {},
               "long_gd": {"n_steps": LONG_STEPS, "record_every": 100, "runs": {}}}
    for scale_name, x_scale in (SCALES.items() if "--long-only" not in sys.argv else ()):
        out["steps"][scale_name] = {}
        for setup in SETUPS:
            for obj, mu in (("f", 0.0), ("g", PAPER["mu"])):
                L0, res = choose_step(setup, mu, x_scale=x_scale)
                out["steps"][scale_name][f"{setup.key}/{obj}"] = {
                    "L0": L0, "steps": res.steps.tolist(),
                    "median_iterations": [None if not np.isfinite(v) else float(v)
                                          for v in res.median_iterations],
                    "median_final": [None if not np.isfinite(v) else float(v) for v in res.median_final],
                    "diverged": res.diverged.tolist(), "best": res.best, "step": res.step,
                    "interior": res.interior}
                print(f"{scale_name:10s} {setup.key:6s} {obj}: k = {res.best + RULES['grid_exponents'][0]}"
                      f" step {res.step:.3e}  median T {res.median_iterations[res.best]}"
                      f"  ({time.perf_counter() - t0:.0f} s)", flush=True)
    for setup in SETUPS:
        for obj, mu in (("f", 0.0), ("g", PAPER["mu"])):
            step = out["steps"]["unit"][f"{setup.key}/{obj}"]["step"]
            batch = draw(setup, RULES["reported_seeds"], mu=mu)
            curves = run_gd(batch, step, LONG_STEPS, record_every=100)
            T = curves.iterations_to(RULES["tol"])
            out["long_gd"]["runs"][f"{setup.key}/{obj}"] = {
                "iterations_to_tol": [None if not np.isfinite(v) else float(v) for v in T],
                "final_excess": curves.final("excess").tolist()}
            print(f"long GD {setup.key} {obj}: median T {np.median(T)}  ({time.perf_counter() - t0:.0f} s)",
                  flush=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    write_text(OUT, json.dumps(out, indent=1) + "\n")
    print(f"wrote {OUT} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
