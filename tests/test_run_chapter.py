"""A chapter runs from the built site's own files, as its "Run this chapter" note says.

From the built site (served over http, as a reader gets it) the test downloads the library's
wheel and the notebooks archive (_ext/run_chapter.py ships both in downloads/), installs
only the wheel, with its ``book`` extra, into a fresh virtual environment (the runtime
dependencies come from the package index pip is configured with, held to the versions of
requirements.txt), unpacks the archive and executes one chapter with ``jupyter execute``
(nbclient), outside the repository and with none of the book's environment variables.
One virtual environment per test session.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from test_browser import HTML, REQUIRE_BROWSER, ROOT

# A fast chapter (about 20 s) that uses the library and reads a data file of the archive
# (deep/depth.ipynb, which reads none, takes about a minute).
CHAPTER = "shallow/conjecture.ipynb"


def _missing(reason: str):
    if REQUIRE_BROWSER:
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _clean_env(venv: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "PYTHON", "VIRTUAL_ENV", "LANDSCAPE_", "MPLBACKEND"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    return env


@pytest.fixture(scope="session")
def reader(base_url, tmp_path_factory):
    """A reader's folder: the downloads, a venv with the wheel installed, the unpacked archive."""
    page = HTML / "book" / "deep" / "depth.html"
    if not page.is_file() or not (HTML / "downloads").is_dir():
        _missing(f"no built book with downloads/ at {HTML} (run `make book` first)")
    html = page.read_text(encoding="utf-8")
    links = re.findall(r'href="((?:\.\./)+downloads/([^"]+))"', html)
    names = {name for _, name in links}
    wheel = next((n for n in names if n.endswith(".whl")), None)
    archive = next((n for n in names if n.endswith(".zip")), None)
    assert wheel and archive, f"the chapter's note links no wheel and archive: {sorted(names)}"

    home = tmp_path_factory.mktemp("reader")
    for name in (wheel, archive):
        with urllib.request.urlopen(f"{base_url}/downloads/{name}", timeout=60) as r:
            (home / name).write_bytes(r.read())
    venv = home / ".venv"
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # The lock without its editable line holds the dependencies to the book's versions.
    lock = [line for line in (ROOT / "requirements.txt").read_text().splitlines()
            if line.strip() and not line.startswith(("#", "-e"))]
    (home / "constraints.txt").write_text("\n".join(lock) + "\n")
    env = _clean_env(venv)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                          "--disable-pip-version-check", "-c", "constraints.txt", f"./{wheel}[book]"],
                         cwd=home, env=env, capture_output=True, text=True)
    assert pip.returncode == 0, f"pip install of {wheel}[book] failed:\n{pip.stderr[-3000:]}"
    print(f"\nfresh venv with {wheel}[book] in {time.monotonic() - start:.0f} s")
    with zipfile.ZipFile(home / archive) as zf:
        zf.extractall(home)
    return {"home": home, "venv": venv, "env": env, "book": home / "landscape-book"}


def test_library_comes_from_the_wheel(reader):
    out = subprocess.run([str(reader["venv"] / "bin" / "python"), "-c",
                          "import landscape; print(landscape.__file__)"],
                         cwd=reader["home"], env=reader["env"], check=True,
                         capture_output=True, text=True).stdout.strip()
    assert Path(out).is_relative_to(reader["venv"]), f"landscape imported from {out}"


def test_downloaded_chapter_executes(reader, chapter=CHAPTER):
    notebook = reader["book"] / chapter
    assert notebook.is_file(), f"{chapter} is not in the notebooks archive"
    start = time.monotonic()
    result = subprocess.run([str(reader["venv"] / "bin" / "jupyter"), "execute", "--timeout=600",
                             "--output", notebook.stem + "-run", notebook.name],
                            cwd=notebook.parent, env=reader["env"], capture_output=True, text=True,
                            timeout=900)
    print(f"\n{chapter} executed in {time.monotonic() - start:.0f} s")
    assert result.returncode == 0, f"{chapter} failed to execute:\n{result.stderr[-3000:]}"
    assert (notebook.parent / f"{notebook.stem}-run.ipynb").is_file()
