"""What the reproducibility appendix of the book reports: versions, seeds, figures, timings.

Everything is read from the repository and the running environment when the appendix
notebook is executed, not typed by hand.

For example, the pinned versions of a requirements file:

>>> import pathlib, tempfile
>>> req = pathlib.Path(tempfile.mkdtemp()) / "requirements.txt"
>>> _ = req.write_text("numpy==2.1.0")
>>> pinned(req)
{'numpy': '2.1.0'}
"""

from __future__ import annotations

import ast
import json
import re
from importlib import metadata
from pathlib import Path

from .._checks import as_path

__all__ = ['data_scripts', 'figures', 'global_seeding', 'pinned', 'seeds', 'stored_seeds',
    'version_mismatches']


_PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;#]+)")


_SEED = re.compile(r"default_rng\(\s*(\d+)\s*\)")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower().split("[")[0]


def pinned(requirements: str | Path) -> dict[str, str]:
    """``{package: version}`` for every ``name==version`` line of a requirements file (an
    existing file; refused otherwise)."""
    requirements = as_path("requirements", requirements, "file")
    out = {}
    for line in Path(requirements).read_text().splitlines():
        m = _PIN.match(line.strip())
        if m:
            out[_norm(m.group(1))] = m.group(2)
    return out


def version_mismatches(pins: dict[str, str]) -> list[str]:
    """Pinned packages whose installed version differs (or that are not installed).

    Refuses ``pins`` that are not a dict of package names to version strings."""
    if not isinstance(pins, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in pins.items()):
        raise TypeError(f"pins must be a dict of package name -> version string; got {pins!r}"[:200])
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


#: Keyword arguments that carry a seed into the library.
SEED_KEYWORDS = ("seed", "seeds", "data_seed")


def _code_cells(nb):
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            yield "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _seed_expressions(src: str) -> list[str]:
    """The seed expressions of one code cell, as written: the argument of every
    ``default_rng(...)`` and every ``seed=`` / ``seeds=`` / ``data_seed=`` keyword."""
    # IPython magics and shell lines are not Python: blank them out (keeping the line count)
    src = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in src.splitlines())
    try:
        tree = ast.parse(src)
    except SyntaxError:  # fall back to the literal calls
        return _SEED.findall(src)
    loops = {}  # loop variable -> what it runs over, e.g. "s" -> "s in range(20)"
    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.target, ast.Name):
            loops.setdefault(node.target.id, f"{node.target.id} in {ast.unparse(node.iter)}")
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        exprs = [node.args[0]] if name == "default_rng" and node.args else []
        exprs += [k.value for k in node.keywords if k.arg in SEED_KEYWORDS]
        for e in exprs:
            names = [n.id for n in ast.walk(e) if isinstance(n, ast.Name) and n.id in loops]
            text = ast.unparse(e)
            out.append(f"{text} for {', '.join(loops[n] for n in names)}" if names else text)
    return out


def seeds(book_root: str | Path) -> dict[str, list[str]]:
    """Every seed expression of each notebook, as written (``"0"``, ``"100 + k"``,
    ``"range(30)"``, ``"COROLLARY1['data_seed']"``), in order of first appearance: the
    arguments of ``np.random.default_rng(...)`` and the ``seed``/``seeds``/``data_seed``
    keywords through which chapters pass seeds to the library. ``book_root`` must be an
    existing directory."""
    book_root = as_path("book_root", book_root, "dir")
    out = {}
    for path, nb in _notebooks(book_root):
        found = [e for src in _code_cells(nb) for e in _seed_expressions(src)]
        if found:
            out[path.relative_to(book_root).as_posix()] = list(dict.fromkeys(found))
    return out


def _ranges(values) -> str:
    """``[0, 1, 2, 5, 7, 8]`` -> ``"0-2, 5, 7-8"``."""
    vals, parts = sorted(set(values)), []
    for v in vals:
        if parts and v == parts[-1][1] + 1:
            parts[-1][1] = v
        else:
            parts.append([v, v])
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in parts)


def stored_seeds(book_root: str | Path) -> dict[str, dict[str, str]]:
    """The seeds recorded in the book's stored result files (``book/**/data/*.json``):
    ``{file: {key: "0-19"}}`` for every key whose name contains "seed", and for tables
    of runs whose ``fields`` name a ``seed`` column, the seeds in that column. ``book_root``
    must be an existing directory."""
    book_root = as_path("book_root", book_root, "dir")
    out = {}
    for path in sorted(Path(book_root).rglob("data/*.json")):
        found: dict[str, list] = {}

        def walk(node, key="", seed_col=None):
            if isinstance(node, dict):
                fields = node.get("fields")
                col = fields.index("seed") if isinstance(fields, list) and "seed" in fields else seed_col
                for k, v in node.items():
                    ints = [v] if isinstance(v, int) else v if isinstance(v, list) else []
                    if "seed" in k.lower() and ints and all(isinstance(i, int) for i in ints):
                        found.setdefault(k, []).extend(ints)
                    else:
                        walk(v, k, col)
            elif isinstance(node, list):
                if seed_col is not None and node and all(isinstance(r, list) and len(r) > seed_col for r in node):
                    found.setdefault(f"{key} (seed column)", []).extend(int(r[seed_col]) for r in node)
                else:
                    for v in node:
                        walk(v, key, seed_col)

        walk(json.loads(path.read_text()))
        if found:
            out[path.relative_to(book_root).as_posix()] = {k: _ranges(v) for k, v in found.items()}
    return out


_GLOBAL = re.compile(r"\b(?:np\.random|numpy\.random|random|torch)\.(?:seed|manual_seed)\(")


def global_seeding(book_root: str | Path, library: str | Path) -> list[str]:
    """Places that seed a global random state (``np.random.seed``, ``random.seed``, ...)
    in the notebooks or the library; the book draws only from explicit generators. Both
    paths must be existing directories."""
    book_root = as_path("book_root", book_root, "dir")
    library = as_path("library", library, "dir")
    hits = []
    for path, nb in _notebooks(book_root):
        hits += [f"{path.name}: {m.group(0)}" for src in _code_cells(nb) for m in _GLOBAL.finditer(src)]
    for path in sorted(Path(library).rglob("*.py")):
        hits += [f"{path.name}: {m.group(0)}" for m in _GLOBAL.finditer(path.read_text())]
    return hits


def figures(book_root: str | Path) -> list[tuple[str, str, str]]:
    """``(notebook, figure name, caption)`` for every captioned figure cell (``book_root`` an
    existing directory)."""
    book_root = as_path("book_root", book_root, "dir")
    out = []
    for path, nb in _notebooks(book_root):
        for cell in nb["cells"]:
            fig = cell.get("metadata", {}).get("mystnb", {}).get("figure")
            if cell["cell_type"] == "code" and fig:
                out.append((path.relative_to(book_root).as_posix(), fig.get("name", ""), fig.get("caption", "")))
    return out


def data_scripts(scripts_dir: str | Path) -> list[tuple[str, str]]:
    """``(script, what it regenerates)`` for every ``scripts/*.py`` whose docstring starts
    with "Regenerate" (the scripts that recompute the book's stored result files);
    ``scripts_dir`` must be an existing directory."""
    import ast

    scripts_dir = as_path("scripts_dir", scripts_dir, "dir")

    out = []
    for path in sorted(Path(scripts_dir).glob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
        if doc.startswith("Regenerate"):
            out.append((path.name, " ".join(doc.split(":")[0].split()[1:])))
    return out
