"""Sphinx extension of the book: every chapter runs from the site's own files.

The HTML build ships, in ``downloads/`` of the site:

- the library ``landscape`` as a wheel (built from ``lib/`` with pip, no network), and
- one archive of every notebook of the book, without its outputs (a run writes them; the
  page's download button gives the notebook with them), with the data files it reads
  (``landscape-book-notebooks.zip``: ``landscape-book/<part>/<chapter>.ipynb`` and
  ``landscape-book/<part>/data/*.json``, plus the appendix files its notebooks read);

and every chapter page (a notebook of Parts I-III) starts with a short "Run this chapter"
note: what to download, what to install and the command. The note is added to the page at
build time; the notebooks themselves are not changed. tests/test_run_chapter.py installs the
wheel from a built site into a fresh virtual environment and executes a chapter from the
archive.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

from docutils import nodes
from sphinx.util.osutil import relative_uri

ROOT = Path(__file__).resolve().parent.parent
DOWNLOADS = "downloads"
ARCHIVE = "landscape-book-notebooks.zip"
ARCHIVE_DIR = "landscape-book"
CHAPTER_PARTS = ("book/foundations/", "book/shallow/", "book/deep/")
# Files outside the notebooks' folders that the appendix notebooks read.
EXTRA_FILES = ("book/claims.yml", "book/appendix/timings.json")


def wheel_name() -> str:
    project = tomllib.loads((ROOT / "lib" / "pyproject.toml").read_text())["project"]
    return f"{project['name']}-{project['version']}-py3-none-any.whl"


def archive_members() -> list[Path]:
    book = ROOT / "book"
    files = sorted(p for p in book.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    files += sorted(book.glob("*/data/*.json"))
    files += [ROOT / f for f in EXTRA_FILES if (ROOT / f).is_file()]
    return files


def build_wheel(target: Path) -> Path:
    """Build the library's wheel from a copy of lib/ (so nothing is written into lib/)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "lib"
        shutil.copytree(ROOT / "lib", src, ignore=shutil.ignore_patterns(
            "tests", "__pycache__", "*.egg-info", "build", ".pytest_cache", ".hypothesis"))
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                        "--disable-pip-version-check", "-q", "-w", str(target), str(src)], check=True)
    wheel = target / wheel_name()
    if not wheel.is_file():
        raise RuntimeError(f"pip wheel did not write {wheel}")
    return wheel


def without_outputs(notebook: Path) -> str:
    """The notebook with its code cells' outputs, execution counts and saved widget state
    removed: the archive is for running the chapters (a run writes them again), and the
    site already offers each notebook with its outputs through the page's download button."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    nb.get("metadata", {}).pop("widgets", None)
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def build_archive(target: Path) -> Path:
    path = target / ARCHIVE
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for f in archive_members():
            name = f"{ARCHIVE_DIR}/{f.relative_to(ROOT / 'book').as_posix()}"
            if f.suffix == ".ipynb":
                zf.writestr(name, without_outputs(f))
            else:
                zf.write(f, name)
    return path


def _is_chapter(app, docname: str) -> bool:
    return docname.startswith(CHAPTER_PARTS) and str(app.env.doc2path(docname)).endswith(".ipynb")


def _link(text: str, target: str) -> nodes.reference:
    ref = nodes.reference("", "", nodes.literal(text=text), internal=False)
    ref["run_chapter_target"] = target
    return ref


def run_note(docname: str) -> nodes.admonition:
    """The "Run this chapter" note of one chapter (targets resolved in _resolve_links)."""
    notebook = docname[len("book/"):] + ".ipynb"
    wheel = wheel_name()
    note = nodes.admonition(classes=["note", "run-this-chapter"])
    note += nodes.title(text="Run this chapter")
    para = nodes.paragraph()
    para += nodes.Text("This page is the notebook ")
    para += nodes.literal(text=notebook)
    para += nodes.Text(". To run it on your machine, download the library ")
    para += _link(wheel, f"{DOWNLOADS}/{wheel}")
    para += nodes.Text(" and the notebooks (without outputs) with their data ")
    para += _link(ARCHIVE, f"{DOWNLOADS}/{ARCHIVE}")
    para += nodes.Text(" from this site, then, in the folder that holds both (Python 3.10 or later;"
                       " NumPy, SciPy, Matplotlib, ipywidgets and MyST-NB come from PyPI):")
    note += para
    command = (f"python3 -m venv .venv && . .venv/bin/activate\n"
               f"pip install \"./{wheel}[book]\" jupyterlab\n"
               f"unzip {ARCHIVE} && cd {ARCHIVE_DIR}\n"
               f"jupyter lab {notebook}")
    note += nodes.literal_block(command, command, language="bash")
    return note


def _add_note(app, doctree):
    docname = app.env.docname
    if not _is_chapter(app, docname):
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not isinstance(section[0], nodes.title):
        return
    section.insert(1, run_note(docname))


def _resolve_links(app, doctree, docname):
    """Links relative to the page in the HTML site; elsewhere (the single-page build printed
    to the PDF) the file names stay as text: a PDF cannot link to the site's files."""
    for ref in list(doctree.findall(nodes.reference)):
        target = ref.get("run_chapter_target")
        if not target:
            continue
        if app.builder.name == "html":
            ref["refuri"] = relative_uri(app.builder.get_target_uri(docname), target)
        else:
            ref.replace_self(ref.children)


def _ship_files(app, exception):
    if exception is not None or app.builder.name != "html":
        return
    target = Path(app.outdir) / DOWNLOADS
    target.mkdir(exist_ok=True)
    build_wheel(target)
    build_archive(target)


def setup(app):
    app.connect("doctree-read", _add_note)
    app.connect("doctree-resolved", _resolve_links)
    app.connect("build-finished", _ship_files)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
