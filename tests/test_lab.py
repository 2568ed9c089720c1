"""The chapters render in a live JupyterLab (what `make lab` gives a reader), in headless
Chromium: a JupyterLab server with jupyterlab-myst (requirements-lab.txt) is started on a
free local port, chapters are opened, and every markdown cell must be rendered as MyST:
no raw ``:label:``, ``{prf:`` or ``$\\`` text, and the statements shown as boxes.

Skipped (with the reason) when JupyterLab or jupyterlab-myst is not installed in this
environment (``make lab`` installs them; ``make test`` installs them for this test), unless
REQUIRE_LAB=1 (or REQUIRE_BROWSER=1, as in CI), which makes that a failure.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import free_port
from test_browser import ROOT, unavailable

# Chapters with definitions, theorems, display math and references.
CHAPTERS = ["foundations/landscapes.ipynb", "shallow/table1.ipynb"]
RAW = [":label:", "{prf:", "$\\", "$$", "```{"]
REQUIRE = os.environ.get("REQUIRE_LAB") == "1" or os.environ.get("REQUIRE_BROWSER") == "1"


def _missing_lab() -> str | None:
    try:
        import jupyterlab  # noqa: F401
        import jupyterlab_myst  # noqa: F401
    except ImportError as exc:
        return f"JupyterLab with jupyterlab-myst is not installed ({exc}; pip install -r requirements-lab.txt)"
    return None


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory):
    reason = _missing_lab()
    if reason:
        if REQUIRE:
            pytest.fail(f"REQUIRE_LAB/REQUIRE_BROWSER is set but {reason}", pytrace=False)
        pytest.skip(reason)
    home = tmp_path_factory.mktemp("lab")
    settings = home / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # Render every cell at once (JupyterLab 4 renders cells lazily as they scroll into view).
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port = free_port()
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTER_PREFER_ENV_PATH="1", JUPYTER_PATH=str(ROOT / ".venv" / "share" / "jupyter"))
    args = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
            "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
            "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--ServerApp.root_dir={ROOT / 'book'}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    log = open(home / "lab.log", "w")
    proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start: {(home / 'lab.log').read_text()[-2000:]}",
                                pytrace=False)
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_renders_its_myst_in_jupyterlab(chapter, lab_url, browser):
    if not (ROOT / "book" / chapter).is_file():
        unavailable(f"no chapter book/{chapter}")
    page = browser.new_page()
    try:
        page.goto(f"{lab_url}/lab/tree/{chapter}?reset", wait_until="domcontentloaded")
        page.wait_for_selector(".jp-Notebook .jp-MarkdownCell", timeout=60_000)
        cells = json.loads((ROOT / "book" / chapter).read_text())["cells"]
        n_cells, n_markdown = len(cells), sum(c["cell_type"] == "markdown" for c in cells)
        page.wait_for_function(f"document.querySelectorAll('.jp-Notebook .jp-Cell').length >= {n_cells}",
                               timeout=60_000)
        # every markdown cell rendered (its editor hidden), by jupyterlab-myst or otherwise
        page.wait_for_function(
            "() => [...document.querySelectorAll('.jp-Notebook .jp-MarkdownCell')]"
            ".every(c => c.classList.contains('jp-mod-rendered'))", timeout=60_000)
        page.wait_for_timeout(3_000)
        texts = page.eval_on_selector_all(".jp-Notebook .jp-MarkdownCell", "els => els.map(e => e.innerText)")
        n_myst = page.locator(".jp-Notebook .jp-MarkdownCell .myst").count()
        raw = [(i, r, t[max(0, t.find(r) - 60): t.find(r) + 60]) for i, t in enumerate(texts)
               for r in RAW if r in t]
        assert len(texts) == n_markdown, f"{len(texts)} of {n_markdown} markdown cells shown"
        assert not raw, f"book/{chapter}: raw MyST shown in JupyterLab: {raw[:5]}"
        assert n_myst == n_markdown, f"{n_myst} of {n_markdown} markdown cells rendered by jupyterlab-myst"
        # the statements are boxes, and the math is typeset (KaTeX, in jupyterlab-myst)
        assert page.locator(".jp-Notebook .jp-MarkdownCell .myst aside.myst-proof").count() >= 1, \
            f"book/{chapter}: no definition or theorem rendered as a box"
        assert page.locator(".jp-Notebook .jp-MarkdownCell .myst .katex").count() > 0, "no typeset math"
    finally:
        page.close()
