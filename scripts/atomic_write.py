"""Atomic file writes for the scripts that write the book's data files and notebooks.

``write_text(path, text)`` writes to a temporary file in the same folder, flushes it to
disk, and renames it over ``path`` (``os.replace``, atomic on POSIX and Windows): a reader,
or a run killed in the middle (Ctrl-C, a time limit), sees the old file or the new one,
never a truncated one. Used by scripts/execute_notebooks.py and every script that writes a
data file (scripts/*_data.py, *_runs.py, bottleneck_search.py, through scripts/_cli.py).

``write_json(path, payload, started)`` does that for a data file and reports what it
wrote (the same line for every data script).

``read_json_or_set_aside(path)`` reads a resume file; one that cannot be read (truncated by
a kill before writes were atomic, edited by hand) is reported on stderr and renamed to
``<name>.unreadable-<time>``, and the run starts over instead of crashing.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["read_json_or_set_aside", "write_json", "write_text"]


def write_text(path, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically (temporary file in the same folder, then rename)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:  # also KeyboardInterrupt: leave no temporary file behind
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_json(path, payload, started: float | None = None, indent: int | None = None,
               quiet: bool = False) -> None:
    """Write ``payload`` as JSON to ``path`` atomically (compact, or indented by ``indent``),
    then report on stderr ``wrote <path> (<size> KB) in <seconds> s`` (the seconds since
    ``started``, a ``time.perf_counter()`` value, when it is given; nothing when ``quiet``)."""
    if indent is None:
        write_text(path, json.dumps(payload, separators=(",", ":")) + "\n")
    else:
        write_text(path, json.dumps(payload, indent=indent) + "\n")
    took = "" if started is None else f" in {time.perf_counter() - started:.0f} s"
    if not quiet:
        print(f"wrote {path} ({Path(path).stat().st_size // 1024} KB){took}", file=sys.stderr)


def read_json_or_set_aside(path, default):
    """The JSON in ``path``; ``default`` if there is none or it cannot be read (then the
    file is renamed aside and the problem reported on stderr)."""
    path = Path(path)
    if not path.exists():
        return default
    try:
        return json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        aside = path.with_name(f"{path.name}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}")
        os.replace(path, aside)
        print(f"{path}: cannot be read ({type(exc).__name__}: {exc}); set aside as {aside.name}, "
              f"starting over", file=sys.stderr, flush=True)
        return default
