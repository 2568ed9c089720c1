"""What the reproducibility appendix of the book reports: versions, seeds, figures, timings.

Everything is read from the repository and the running environment when the appendix
notebook is executed, not typed by hand.
"""

from __future__ import annotations

import json
import re
from importlib import metadata
from pathlib import Path

__all__ = ["data_scripts", "figures", "pinned", "seeds", "version_mismatches"]

_PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;#]+)")
_SEED = re.compile(r"default_rng\(\s*(\d+)\s*\)")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower().split("[")[0]


def pinned(requirements: str | Path) -> dict[str, str]:
    """``{package: version}`` for every ``name==version`` line of a requirements file."""
    out = {}
    for line in Path(requirements).read_text().splitlines():
        m = _PIN.match(line.strip())
        if m:
            out[_norm(m.group(1))] = m.group(2)
    return out


def version_mismatches(pins: dict[str, str]) -> list[str]:
    """Pinned packages whose installed version differs (or that are not installed)."""
    bad = []
    for name, version in pins.items():
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            bad.append(f"{name}: pinned {version}, not installed")
            continue
        if have != version:
            bad.append(f"{name}: pinned {version}, installed {have}")
    return bad


def _notebooks(book_root: Path):
    for path in sorted(Path(book_root).rglob("*.ipynb")):
        if ".ipynb_checkpoints" not in path.parts:
            yield path, json.loads(path.read_text())


def seeds(book_root: str | Path) -> dict[str, list[int]]:
    """The integer seeds passed to ``np.random.default_rng(...)`` in each notebook."""
    out = {}
    for path, nb in _notebooks(book_root):
        found = []
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                found += [int(s) for s in _SEED.findall(src)]
        if found:
            out[path.relative_to(book_root).as_posix()] = sorted(set(found))
    return out


def figures(book_root: str | Path) -> list[tuple[str, str, str]]:
    """``(notebook, figure name, caption)`` for every captioned figure cell."""
    out = []
    for path, nb in _notebooks(book_root):
        for cell in nb["cells"]:
            fig = cell.get("metadata", {}).get("mystnb", {}).get("figure")
            if cell["cell_type"] == "code" and fig:
                out.append((path.relative_to(book_root).as_posix(), fig.get("name", ""), fig.get("caption", "")))
    return out


def data_scripts(scripts_dir: str | Path) -> list[tuple[str, str]]:
    """``(script, what it regenerates)`` for every ``scripts/*.py`` whose docstring starts
    with "Regenerate" (the scripts that recompute the book's stored result files)."""
    import ast

    out = []
    for path in sorted(Path(scripts_dir).glob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
        if doc.startswith("Regenerate"):
            out.append((path.name, " ".join(doc.split(":")[0].split()[1:])))
    return out
