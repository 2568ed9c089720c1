"""Page weight and time to typeset of the built book, measured in headless Chromium.

Every page is loaded from the local http.server with the browser cache off, and:

- the bytes it transfers (every request: the page, its scripts, styles, fonts, images,
  the MathJax components it loads) stay under ``PAGE_LIMIT`` (5 MB), and no request fails
  (a 404 means scripts/vendor_assets.sh or _ext/site_assets.py left out a file a page needs);
- its math is typeset, its figures (``<img>``) loaded and its widgets drawn within
  ``TYPESET_LIMIT_S`` seconds (default 2) of the page's load event (on a machine with a
  load average of 15 on 2 cores every page was ready within 0.9 s of its load event).

The whole site (every file of the build) stays under ``SITE_LIMIT`` (25 MB).

The measurements are written to ``_build/page-weight.json`` (bytes and times per page).
"""
from __future__ import annotations

import json
import os
import sys

import pytest

from test_browser import HTML, PAGES, ROOT, Watched, settle, unavailable

sys.path.insert(0, str(ROOT / "scripts"))
from _page import READY_JS  # noqa: E402  (what a page is ready means, shared with build_pdf.py)

MB = 1_000_000
PAGE_LIMIT = 5 * MB
SITE_LIMIT = 25 * MB
TYPESET_LIMIT_S = float(os.environ.get("TYPESET_LIMIT_S", "2"))
REPORT = HTML.parent / "page-weight.json"

_measured: dict[str, dict] = {}


def _write_report():
    if _measured:
        REPORT.write_text(json.dumps(_measured, indent=1, sort_keys=True) + "\n")


@pytest.mark.parametrize("page_path", PAGES or [None])
def test_page_weight_and_typeset_time(page_path, base_url, browser):
    if page_path is None:
        unavailable(f"no HTML page found under {HTML} (run `make book` first)")
    watched = Watched(browser)
    page = watched.page
    try:
        cdp = browser.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        sizes: dict[str, int] = {}
        urls: dict[str, str] = {}
        cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
        cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
        page.goto(f"{base_url}/{page_path}", wait_until="load")
        if page_path == "index.html":          # redirects to the intro page
            page.wait_for_url("**/book/intro.html")
            page.wait_for_load_state("load")
        times = page.evaluate(READY_JS, 30_000)
        settle(page)
        total = sum(sizes.values())
        heaviest = sorted(((n, urls.get(r, r)) for r, n in sizes.items()), reverse=True)[:3]
        typeset_s = (times["ready"] - times["load"]) / 1000
        _measured[page_path] = {"bytes": total, "requests": len(sizes),
                                "load_s": round(times["load"] / 1000, 3),
                                "typeset_after_load_s": round(max(typeset_s, 0), 3),
                                "math": times["math"], "images": times["images"]}
        _write_report()
        print(f"\n{page_path}: {total / MB:.2f} MB in {len(sizes)} requests, load "
              f"{times['load'] / 1000:.2f} s, typeset {typeset_s:.2f} s after load")
        watched.assert_clean()
        assert total < PAGE_LIMIT, (
            f"{page_path} transfers {total / MB:.2f} MB (limit {PAGE_LIMIT / MB:.0f} MB); "
            f"heaviest: {[(f'{n / MB:.2f} MB', u) for n, u in heaviest]}")
        assert typeset_s < TYPESET_LIMIT_S, (
            f"{page_path}: math, figures and widgets ready {typeset_s:.2f} s after load "
            f"(limit {TYPESET_LIMIT_S} s)")
    finally:
        page.close()


def test_site_size():
    if not (HTML / "index.html").is_file():
        unavailable(f"no built book at {HTML} (run `make book` first)")
    files = [p for p in HTML.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    big = sorted(((p.stat().st_size, p.relative_to(HTML).as_posix()) for p in files), reverse=True)[:5]
    print(f"\nsite: {total / MB:.1f} MB in {len(files)} files")
    assert total < SITE_LIMIT, (
        f"the built site is {total / MB:.1f} MB (limit {SITE_LIMIT / MB:.0f} MB); largest files: "
        f"{[(f'{n / MB:.2f} MB', p) for n, p in big]}")
