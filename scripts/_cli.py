"""The command line every data script shares (scripts/*_data.py, *_runs.py, bottleneck_search.py).

    python scripts/NAME.py [--out PATH] [--processes N] [--quiet] [--resume | --no-resume]

``--out PATH``     where to write the data file (default: the book's file, book/*/data/*.json);
``--processes N``  worker processes for the script's independent units of work (the scripts
                   whose units are independent; the output does not depend on N);
``--quiet``        no progress lines;
``--resume``       continue from the resume file of an interrupted run (the scripts that keep
                   one, in ``.cache/`` at the repository's root: it survives ``make clean``,
                   ``make book`` and ``make test``, which delete ``_build/``).

Progress goes to stderr, one line per unit of work, with the seconds since the start:
``[3/16] what was done (12 s)``; the last line is atomic_write.write_json's
``wrote PATH (N KB) in T s``.

``parser(doc, out)`` builds the parser (the script's docstring is its ``--help``),
``Progress`` prints the lines, ``units(fn, jobs, processes)`` runs the units in order (in
this process when N = 1, else in a pool), ``resume_file(name)`` is where a resume file lives.
"""
from __future__ import annotations

import argparse
import sys
import time
from multiprocessing import Pool
from pathlib import Path

from atomic_write import write_json

__all__ = ["CACHE", "Progress", "parser", "resume_file", "units", "write_json"]

ROOT = Path(__file__).resolve().parent.parent
#: Resume files of interrupted runs (git-ignored; not under _build/, which the builds delete).
CACHE = ROOT / ".cache"


def parser(doc: str | None, out: Path, *, processes: int | None = None, resume: bool = False,
           quiet: bool = True) -> argparse.ArgumentParser:
    """The shared parser: ``--out`` (default ``out``); ``--processes`` (default ``processes``)
    when ``processes`` is given; ``--quiet`` unless ``quiet`` is false (a script whose progress
    does not go through :class:`Progress` yet); ``--resume/--no-resume`` (default on) when
    ``resume``. A script adds its own flags to it."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=out, metavar="PATH",
                    help=f"the data file to write (default: {_shown(out)})")
    if processes is not None:
        ap.add_argument("--processes", type=int, default=processes, metavar="N",
                        help=f"worker processes (default: {processes}; the output does not depend on it)")
    if quiet:
        ap.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    if resume:
        ap.add_argument("--resume", action=argparse.BooleanOptionalAction, default=True,
                        help="continue from the points an interrupted run stored in .cache/ "
                             "(default: on; --no-resume starts over)")
    return ap


def _shown(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


class Progress:
    """``progress(message)`` prints ``[k/total] message (elapsed s)`` on stderr (nothing when
    ``quiet``); ``progress.wrote(path, payload)`` writes the data file (compact JSON, or
    indented by ``indent``) atomically and reports it."""

    def __init__(self, total: int, quiet: bool = False):
        self.total, self.quiet, self.done = total, quiet, 0
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def __call__(self, message: str) -> None:
        self.done += 1
        self.say(f"[{self.done}/{self.total}] {message} ({self.elapsed():.0f} s)")

    def say(self, line: str) -> None:
        """A line that is not a unit of work (a summary before the units)."""
        if not self.quiet:
            print(line, file=sys.stderr, flush=True)

    def wrote(self, path, payload, indent: int | None = None) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        write_json(path, payload, self.start, indent=indent, quiet=self.quiet)


def units(fn, jobs, processes: int = 1, ordered: bool = True):
    """``fn(job)`` for every job: in order in this process when ``processes`` is 1, else in a
    pool of that many processes (in order, or as they finish when ``ordered`` is false)."""
    jobs = list(jobs)
    if processes <= 1:
        yield from map(fn, jobs)
        return
    with Pool(processes) as pool:
        yield from (pool.imap if ordered else pool.imap_unordered)(fn, jobs)


def resume_file(name: str) -> Path:
    """The resume file ``name`` in ``.cache/`` (the folder is created)."""
    CACHE.mkdir(exist_ok=True)
    return CACHE / name
