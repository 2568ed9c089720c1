"""Regenerate book/shallow/data/lemma1.json: the per-run details of the Lemma 1 chapter's
search for critical points.

Run: ``.venv/bin/python scripts/lemma1_data.py [--out PATH] [--processes N] [--quiet]``
(a few seconds; the shared flags are scripts/_cli.py's).

For each instance of ``landscape.theory.paper_a.lemma1.lemma1_instances`` it runs ``survey`` (120 random
starts, the seeds of the chapter) on g and on f (mu = 0) and stores what depends on the
floating-point path of each run: how many starts converged, how many end points are in C,
how often each support was found, the largest relative distance to C of a converged end
point; and, on the instance with a tie at the cut, how many end points are not rotations
of an element of (12) written with the canonical SVD. The chapter prints these numbers from
the file and re-runs the searches only to check the robust statements, with margins.
"""

from __future__ import annotations

import platform
from pathlib import Path

import numpy as np

from landscape.theory.paper_a.lemma1 import critical_points, lemma1_instances
from landscape.studies.lemma1 import survey, survey_summary

from _cli import Progress, parser, units

OUT = Path(__file__).resolve().parents[1] / "book" / "shallow" / "data" / "lemma1.json"
MU = 1 / 8
N_STARTS = 120


def outside_of_listed(problem, sv) -> dict:
    """End points of a survey that are not rotations of an element of (12) (canonical SVD)."""
    listed = critical_points(problem)
    found = [pat for pat in sv.patterns if pat is not None]
    outside = sum(min(np.linalg.norm(pat.W2 @ pat.W1 - c.W2 @ c.W1) for c in listed) > 1e-6
                  for pat in found)
    return {"outside": int(outside), "found": len(found)}


def instance_record(k: int) -> tuple[str, dict]:
    """The surveys of g and f on the k-th instance (one unit of work)."""
    name, p = list(lemma1_instances(MU).items())[k]
    g = survey(p, np.random.default_rng(100 + k), n_starts=N_STARTS)
    f = survey(p.with_mu(0.0), np.random.default_rng(100 + k), n_starts=N_STARTS)
    rec = {"shape": [p.d0, p.d1, p.d2], "r": p.rank_Y,
           "g": survey_summary(g), "f": survey_summary(f)}
    if name == "tie at the cut":
        rec["not_in_listed"] = outside_of_listed(p, g)
    return name, rec


def main() -> None:
    args = parser(__doc__, OUT, processes=1).parse_args()
    jobs = range(len(lemma1_instances(MU)))
    progress = Progress(len(jobs), args.quiet)
    out = {"mu": MU, "n_starts": N_STARTS, "instances": {}}
    for name, rec in units(instance_record, jobs, args.processes):
        out["instances"][name] = rec
        progress(f"{name}: g {rec['g']['n_in_C']}/{N_STARTS} in C, f {rec['f']['n_in_C']}/{N_STARTS} in C")
    out["generated"] = {"seconds": round(progress.elapsed(), 1),
                        "python": platform.python_version(), "numpy": np.__version__}
    progress.wrote(args.out, out, indent=1)


if __name__ == "__main__":
    main()
