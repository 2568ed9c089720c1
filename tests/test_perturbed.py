"""The perturbed mode of nbval really emulates another machine.

A small notebook that prints what the rule of the README forbids (the sign of a singular vector
as LAPACK returned it, and the end point of a chaotic iteration) passes plain nbval on the machine
that executed it and fails in the perturbed mode (``LANDSCAPE_PERTURB=1``); the same notebook
written by the rule (the canonical singular vector, the robust statement about the run) passes both.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
SETUP = """import numpy as np
import landscape
from landscape import canonical
rng = np.random.default_rng(0)
X = rng.standard_normal((3, 8))
x = rng.uniform(0.1, 0.9)
for _ in range(200):                 # the logistic map: chaotic, like a long optimizer run
    x = 3.9 * x * (1 - x)"""
FRAGILE = ["U = np.linalg.svd(X)[0]\nprint(U.round(6))",
           "print(f'end point {x:.6f}')"]
ROBUST = ["U = canonical.svd(X)[0]\nprint(U.round(6))",
          "assert 0 <= x <= 1\nprint('the run stays in [0, 1]')"]


def executed(path: Path, cells: list[str]) -> Path:
    nb = new_notebook(cells=[new_code_cell(src) for src in [SETUP, *cells]])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    env = {k: v for k, v in os.environ.items() if k != "LANDSCAPE_PERTURB"}
    old = os.environ.copy()
    os.environ.clear()
    os.environ.update(env)
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    nbformat.write(nb, path)
    return path


def nbval(path: Path, perturb: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "LANDSCAPE_PERTURB"}
    if perturb is not None:
        env["LANDSCAPE_PERTURB"] = perturb
    return subprocess.run([sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-q",
                           "-p", "no:cacheprovider", str(path)],
                          capture_output=True, text=True, timeout=300, env=env, cwd=path.parent)


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("perturbed")
    return executed(folder / "fragile.ipynb", FRAGILE), executed(folder / "robust.ipynb", ROBUST)


def test_fragile_notebook_passes_plainly_and_fails_perturbed(notebooks):
    fragile, _ = notebooks
    plain = nbval(fragile, None)
    assert plain.returncode == 0, plain.stdout[-2000:]
    for seed in ("1", "2"):
        perturbed = nbval(fragile, seed)
        assert perturbed.returncode != 0, perturbed.stdout[-2000:]
        assert "2 failed" in perturbed.stdout, perturbed.stdout[-2000:]   # both cells move


def test_notebook_written_by_the_rule_passes_perturbed(notebooks):
    _, robust = notebooks
    for seed in (None, "1", "2"):
        run = nbval(robust, seed)
        assert run.returncode == 0, (seed, run.stdout[-2000:])
