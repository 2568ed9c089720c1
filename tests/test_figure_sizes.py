"""Every figure a notebook stores is sized for the book's column (688 px): no stored PNG, in a
cell output or in a widget's saved state (the explorers' pre-rendered figures), is wider
than ``MAX_WIDTH`` pixels, so no figure is shrunk by more than about 10% on the page (a
1 x 4 row of panels at 13 in was shown at 0.5 scale, its ticks unreadable). Figures are
made about 6.4 in wide at the book's 110 dpi, at most two panels a row.

``KNOWN_WIDE`` lists figures known to be too wide and waiting for a fix in a notebook being
edited elsewhere; an entry that no longer matches fails the test, so it cannot stay.
"""
from __future__ import annotations

import base64
import json
import struct
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "book").rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)
MAX_WIDTH = 760
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

# notebook -> the places ("cell 23", "widget") whose width is known to be too large.
KNOWN_WIDE: dict[str, set[str]] = {
}


def _width(png_b64: str) -> int:
    data = base64.b64decode(png_b64)
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">I", data[16:20])[0]


def stored_figures(nb: dict):
    """``(place, width)`` for every PNG the notebook stores."""
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                yield f"cell {i}", _width(out["data"]["image/png"])
    state = nb.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for model in state.values():
        for out in model.get("state", {}).get("outputs") or []:
            if "image/png" in out.get("data", {}):
                yield "widget", _width(out["data"]["image/png"])


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_figures_fit_the_column(path):
    nb = json.loads((ROOT / path).read_text(encoding="utf-8"))
    wide = {}
    for place, width in stored_figures(nb):
        if width > MAX_WIDTH:
            wide[place] = max(width, wide.get(place, 0))
    known = KNOWN_WIDE.get(path, set())
    unexpected = {p: w for p, w in wide.items() if p not in known}
    assert not unexpected, (f"{path}: figures wider than {MAX_WIDTH} px (the column is 688 px):"
                            f" {unexpected}; make them about 6.4 in wide, at most 2 panels a row")
    stale = known - set(wide)
    assert not stale, f"{path}: KNOWN_WIDE entries that now fit the column: {sorted(stale)}"


def test_the_check_sees_a_wide_figure():
    import io

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, _ = plt.subplots(1, 4, figsize=(13.0, 3.3), dpi=110)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    nb = {"cells": [{"outputs": [{"data": {"image/png": base64.b64encode(buf.getvalue()).decode()}}]}]}
    assert [w > MAX_WIDTH for _, w in stored_figures(nb)] == [True]
