#!/usr/bin/env python
"""Execute notebooks headlessly and store their outputs and widget state in place.

Usage: python scripts/execute_notebooks.py [NOTEBOOK.ipynb ...]
       (no argument: every notebook under book/)

- runs each notebook top to bottom in a fresh ``python3`` kernel (nbclient), from the
  notebook's own folder, with a per-cell timeout;
- stores the widget state (``store_widget_state=True``) so ipywidgets render in the HTML;
- normalises the kernelspec to ``python3``, writes no execution timestamps and replaces
  the random widget model ids by ids derived from the notebook's name and the order in
  which the models were created, and joins consecutive chunks of printed text, so that
  re-executing an unchanged notebook leaves the file unchanged;
- prints each notebook's wall time on stderr and records it (chapters only), with a
  description of the machine, in ``book/appendix/timings.json``;
- runs the appendix notebooks (the ledger, the reproducibility page) last, and re-runs them
  whenever a chapter was executed: they read the chapters' stored outputs and timings;
- exits non-zero on the first failing cell.
"""
from __future__ import annotations

import asyncio
import json
import os
import platform
import signal
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from atomic_write import write_text

ROOT = Path(__file__).resolve().parent.parent
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
TIMEOUT = 300  # seconds per cell
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
TIMINGS = ROOT / "book" / "appendix" / "timings.json"


def machine() -> dict:
    """What the timings were measured on."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    threads = {k: os.environ.get(k, "unset") for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}", "blas_threads": threads}


def record_timing(path: Path, seconds: float) -> None:
    """Store the wall time of one notebook in book/appendix/timings.json."""
    data = json.loads(TIMINGS.read_text()) if TIMINGS.is_file() else {"notebooks": {}}
    key = path.resolve().relative_to(ROOT).as_posix()
    data["notebooks"][key] = {"seconds": round(seconds, 1), "date": date.today().isoformat()}
    data["notebooks"] = dict(sorted(data["notebooks"].items()))
    data["machine"] = machine()
    write_text(TIMINGS, json.dumps(data, indent=1) + "\n")


def is_appendix(path) -> bool:
    return "/appendix/" in Path(path).resolve().as_posix()


def run_order(path: str) -> tuple:
    """Appendix notebooks last: they read the other notebooks' outputs and timings."""
    return (is_appendix(path), path)


def with_appendix(names: list[str]) -> list[str]:
    """Add the appendix notebooks when a chapter is executed (they summarize the chapters)."""
    if all(is_appendix(n) for n in names):
        return names
    extra = [str(p) for p in sorted((ROOT / "book" / "appendix").glob("*.ipynb"))]
    done = {Path(n).resolve() for n in names}
    return names + [p for p in extra if Path(p).resolve() not in done]


def stable_widget_ids(nb, name: str):
    """Replace the random (uuid4) widget model ids by deterministic ones.

    The ids appear as keys of the saved state, in ``IPY_MODEL_<id>`` references between
    models and in the widget-view outputs; they are 32 hex digits, so a textual
    replacement over the serialised notebook is exact.
    """
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state")
    if not state:
        return nb
    text = nbformat.writes(nb)
    for index, old in enumerate(list(state)):
        text = text.replace(old, uuid.uuid5(uuid.NAMESPACE_URL, f"landscape-book/{name}/{index}").hex)
    return nbformat.reads(text, as_version=4)


def merge_streams(nb) -> None:
    """Join consecutive stdout (or stderr) outputs of a cell into one.

    How a cell's printed text is split into chunks depends on timing, so without this a
    re-execution rewrites the notebook although nothing changed (the HTML and nbval
    merge the chunks anyway).
    """
    for cell in nb.cells:
        merged = []
        for out in cell.get("outputs", []):
            if (out.get("output_type") == "stream" and merged
                    and merged[-1].get("output_type") == "stream" and merged[-1].name == out.name):
                merged[-1].text += out.text
            else:
                merged.append(out)
        if "outputs" in cell:
            cell.outputs = merged


def execute(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = _Client(
        nb,
        timeout=TIMEOUT,
        startup_timeout=120,
        kernel_name="python3",
        record_timing=False,
        store_widget_state=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # no timestamp churn in diffs
    merge_streams(nb)
    nb = stable_widget_ids(nb, path.name)
    nbformat.validate(nb)
    text = nbformat.writes(nb)
    write_text(path, text if text.endswith("\n") else text + "\n")  # as nbformat.write, atomically


def _stop_now(signum, frame=None, kernel=None):
    """Ctrl-C / SIGTERM: stop at once (nbclient's own handler shuts the kernel down politely
    and takes seconds). Every file is written atomically (a temporary file, then a rename),
    so stopping here leaves each notebook and timings.json as it was or completely
    rewritten; the kernel is killed (or exits when it sees its parent gone)."""
    print(f"execute_notebooks: interrupted ({signal.Signals(signum).name}); stopping", file=sys.stderr,
          flush=True)
    try:
        kernel.provisioner.process.kill()
    except Exception:  # no kernel yet, or not a local one
        pass
    os._exit(128 + signum)


class _Client(NotebookClient):
    """nbclient's client, with :func:`_stop_now` instead of its handlers of SIGINT/SIGTERM
    (installed once its kernel is up)."""

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        loop = asyncio.get_event_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, _stop_now, sig, None, self.km)
        return kc


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, _stop_now)
    signal.signal(signal.SIGTERM, _stop_now)
    names = sorted(argv or (
        str(p.relative_to(Path.cwd()) if p.is_relative_to(Path.cwd()) else p)
        for p in (ROOT / "book").rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
    ), key=run_order)
    names = sorted(with_appendix(names), key=run_order)
    if not names:
        print("execute_notebooks: no notebook found", file=sys.stderr)
        return 1
    total = time.perf_counter()
    for name in names:
        path = Path(name)
        if not path.is_file() or path.suffix != ".ipynb":
            print(f"execute_notebooks: {name}: not a notebook file", file=sys.stderr)
            return 2
        start = time.perf_counter()
        try:
            execute(path)
        except (CellExecutionError, TimeoutError, RuntimeError) as exc:
            # The notebook file is left untouched when execution fails.
            print(f"execute_notebooks: {name}: FAILED after {time.perf_counter() - start:.1f} s "
                  f"({type(exc).__name__})\n{exc}", file=sys.stderr)
            return 1
        elapsed = time.perf_counter() - start
        if not is_appendix(path):
            record_timing(path, elapsed)
        print(f"execute_notebooks: {name}: {elapsed:.1f} s", file=sys.stderr)
    print(f"execute_notebooks: {len(names)} notebook(s) in {time.perf_counter() - total:.1f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
